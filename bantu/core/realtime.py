"""Sending to users' sockets, and knowing whether they have one open.

Every socket joins its user's group (`user.<id>`), so one `group_send` reaches all of a user's devices on any
server process (through Redis in service mode). Payloads are JSON, never model instances.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache

logger = logging.getLogger(__name__)

PRESENCE_TTL = 600  # refreshed by every frame a client sends; a crashed process's sockets expire on their own


def user_group(user_id) -> str:
    return f"user.{user_id}"


def send_to_users(user_ids, payload: dict) -> None:
    """Best effort: a channel layer failure is logged, never raised into the caller's request."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for user_id in dict.fromkeys(user_ids):
        try:
            send(user_group(user_id), {"type": "relay", "payload": payload})
        except Exception:
            logger.exception("Realtime send to user %s failed", user_id)


def _presence_key(user_id) -> str:
    return f"presence:{user_id}"


def socket_opened(user_id) -> None:
    key = _presence_key(user_id)
    if not cache.add(key, 1, timeout=PRESENCE_TTL):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=PRESENCE_TTL)


def socket_alive(user_id) -> None:
    cache.touch(_presence_key(user_id), PRESENCE_TTL)


def socket_closed(user_id) -> None:
    try:
        if (cache.decr(_presence_key(user_id)) or 0) <= 0:
            cache.delete(_presence_key(user_id))
    except ValueError:
        pass


def is_online(user_id) -> bool:
    return bool(cache.get(_presence_key(user_id)))
