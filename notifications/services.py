import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import delivery
from .models import Device, Notification
from .push import Outcome, send
from .serializers import notification_json

logger = logging.getLogger(__name__)


def notify(*, user_ids: Iterable, kind: str, title: str, body: str = "", data: dict | None = None,
           exclude_user_id=None) -> list[Notification]:
    """Store one notification per recipient and deliver them once committed.

    Domain services call this from `transaction.on_commit`, so nothing is announced that was rolled back.
    Raises ValueError for a `kind` that is not in Notification.Kind (a programming error).
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}: add it to Notification.Kind.")
    recipients = list(dict.fromkeys(uid for uid in user_ids if uid is not None and uid != exclude_user_id))
    if not recipients:
        return []
    rows = Notification.objects.bulk_create([
        Notification(user_id=uid, kind=kind, title=title[:200], body=body[:1000], data=data or {})
        for uid in recipients
    ])
    payload = [(row.user_id, notification_json(row)) for row in rows]
    transaction.on_commit(lambda: delivery.deliver(payload))
    return rows


def notification_mark_read(*, notification: Notification) -> Notification:
    """Idempotent: marking twice keeps the first read time."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def push_payload(notification: Notification) -> dict:
    """What a push carries: the notification's one JSON shape (notifications.serializers)."""
    return notification_json(notification)


def push_to_device(*, notification_id, device_id) -> str:
    """Send one push and record the outcome on the device. Returns the outcome's name."""
    notification = Notification.objects.filter(pk=notification_id).first()
    device = Device.objects.filter(pk=device_id, active=True).first()
    if notification is None or device is None:
        return "skipped"
    result = send(device, push_payload(notification))
    if result.outcome is Outcome.SENT:
        Device.objects.filter(pk=device.pk).update(last_success_at=timezone.now(), last_error="")
    elif result.outcome is Outcome.GONE:
        Device.objects.filter(pk=device.pk).update(active=False, last_error=result.detail)
    elif result.outcome in (Outcome.FAILED, Outcome.TRANSIENT):
        Device.objects.filter(pk=device.pk).update(last_error=result.detail)
    if result.outcome is Outcome.SKIPPED:
        logger.info("Push skipped for device %s: %s", device.pk, result.detail)
    return result.outcome.value


def device_register(*, user, kind: str, endpoint: str = "", p256dh: str = "", auth: str = "", token: str = ""):
    """Register (or refresh) a device. A subscription/token is unique: if another account registered it on
    this browser/phone before, it now belongs to `user`. Returns (device, created)."""
    lookup = {"kind": kind, "endpoint": endpoint} if kind == Device.Kind.WEBPUSH else {"kind": kind, "token": token}
    values = {"user": user, "p256dh": p256dh, "auth": auth, "active": True, "last_error": ""}
    try:
        with transaction.atomic():
            return Device.objects.update_or_create(**lookup, defaults=values)
    except IntegrityError:  # a concurrent registration of the same subscription
        return Device.objects.update_or_create(**lookup, defaults=values)


def device_remove(*, device) -> None:
    device.delete()
