"""How a stored notification reaches people beyond the REST list.

A deliverer is a callable taking a list of (recipient's user id, notification JSON) pairs; the JSON is the
notification's one shape (notifications.serializers), the same in REST, sockets and push. Producers
never call deliverers: `notifications.services.notify` stores and then hands the rows to every registered
deliverer after commit. The socket deliverer is built in; push (Web Push/FCM through Celery) registers itself
the same way, so producers do not change when channels are added.
"""

import logging

from bantu.core.realtime import send_to_users

logger = logging.getLogger(__name__)

_deliverers = []


def register(deliverer):
    if deliverer not in _deliverers:
        _deliverers.append(deliverer)
    return deliverer


def deliver(notifications: list[tuple]) -> None:
    for deliverer in list(_deliverers):
        try:
            deliverer(notifications)
        except Exception:  # one broken channel (e.g. Redis down) must not stop the others or the request
            logger.exception("Notification deliverer %s failed", getattr(deliverer, "__name__", deliverer))


@register
def deliver_to_sockets(notifications: list[tuple]) -> None:
    """`notification.created` to every open socket of each recipient (any server process, via the layer)."""
    for user_id, notification in notifications:
        send_to_users([user_id], {"type": "notification.created", "notification": notification})


@register
def deliver_to_devices(notifications: list[tuple]) -> None:
    """One Celery task per (notification, device) of recipients who registered devices. The request only
    enqueues (eager in the embedded default); sending, retrying and deactivating happen in the task."""
    from .models import Device
    from .push import fcm_configured, webpush_configured
    from .tasks import send_push_task

    kinds = [kind for kind, on in (("webpush", webpush_configured()), ("fcm", fcm_configured())) if on]
    if not kinds:
        _log_push_off_once()
        return
    by_user: dict = {}
    for user_id, notification in notifications:
        by_user.setdefault(str(user_id), []).append(notification["id"])
    devices = Device.objects.filter(user_id__in=list(by_user), active=True, kind__in=kinds).values_list(
        "id", "user_id")
    for device_id, user_id in devices:
        for notification_id in by_user[str(user_id)]:
            try:
                send_push_task.delay(str(notification_id), str(device_id))
            except Exception:  # eager mode raises a device's failure here; the other devices still get theirs
                logger.exception("Push of %s to device %s failed", notification_id, device_id)


_push_off_logged = False


def _log_push_off_once() -> None:
    """INFO once per process (visible at the default level without flooding it), DEBUG every time."""
    global _push_off_logged  # noqa: PLW0603
    message = "Push is not configured (no VAPID keys, no FCM credentials): notifications are not pushed"
    if not _push_off_logged:
        _push_off_logged = True
        logger.info(message)
    else:
        logger.debug(message)
