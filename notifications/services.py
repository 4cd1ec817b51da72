from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import delivery
from .models import Notification


def serialize(notification: Notification) -> dict:
    return {
        "id": str(notification.id),
        "user": str(notification.user_id),
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
        "created_at": notification.created_at.isoformat(),
    }


def notify(*, user_ids: Iterable, kind: str, title: str, body: str = "", data: dict | None = None,
           exclude_user_id=None) -> list[Notification]:
    """Store one notification per recipient and deliver them once committed.

    Domain services call this from `transaction.on_commit`, so nothing is announced that was rolled back.
    """
    recipients = list(dict.fromkeys(uid for uid in user_ids if uid is not None and uid != exclude_user_id))
    if not recipients:
        return []
    rows = Notification.objects.bulk_create([
        Notification(user_id=uid, kind=kind, title=title[:200], body=body[:1000], data=data or {})
        for uid in recipients
    ])
    payload = [serialize(row) for row in rows]
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
