"""How a stored notification reaches people beyond the REST list: two channels, sockets and push devices.

Each channel takes a list of (recipient's user id, notification JSON) pairs; the JSON is the notification's one
shape (notifications.serializers), the same in REST, sockets and push. Producers never call the channels:
`notifications.services.notify` stores and then calls `deliver` after commit, which calls each channel in turn.
A new channel is one more function here and one more call in `deliver`.

Push is sent by the Celery task `notifications.tasks.send_push_task`, which calls `services.push_to_device`.
This module enqueues it by its registered name (SEND_PUSH_TASK) rather than importing `tasks`, so that the
imports point one way: tasks → services → delivery.
"""

import logging

from bantu.core.realtime import send_to_users
from bantu.core.tasks import registered_task

from .models import Device
from .push import fcm_configured, webpush_configured

logger = logging.getLogger(__name__)

# The name of the push task: notifications.tasks registers send_push_task under it.
SEND_PUSH_TASK = "notifications.tasks.send_push_task"


def deliver(notifications: list[tuple]) -> None:
    """Hand `notifications` ((user id, notification JSON) pairs) to the sockets, then to the push devices. A
    channel that fails (e.g. Redis down) is logged and does not stop the other one, nor fail the caller."""
    for name, channel in (("sockets", deliver_to_sockets), ("devices", deliver_to_devices)):
        try:
            channel(notifications)
        except Exception:  # one broken channel must not stop the others or the request
            logger.exception("Notification delivery to %s failed", name)


def deliver_to_sockets(notifications: list[tuple]) -> None:
    """`notification.created` to every open socket of each recipient (any server process, via the layer)."""
    for user_id, notification in notifications:
        send_to_users([user_id], {"type": "notification.created", "notification": notification})


def deliver_to_devices(notifications: list[tuple]) -> None:
    """One Celery task per (notification, device) of recipients who registered devices. The request only
    enqueues (eager in the embedded default); sending, retrying and deactivating happen in the task."""
    kinds = [kind for kind, on in (("webpush", webpush_configured()), ("fcm", fcm_configured())) if on]
    if not kinds:
        _log_push_off_once()
        return
    by_user: dict = {}
    for user_id, notification in notifications:
        by_user.setdefault(str(user_id), []).append(notification["id"])
    devices = Device.objects.filter(user_id__in=list(by_user), active=True, kind__in=kinds).values_list(
        "id", "user_id")
    send_push_task = registered_task(SEND_PUSH_TASK)
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
