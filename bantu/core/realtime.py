"""Sending to users' sockets, and knowing whether they have one open.

Every socket joins its user's group (`user.<id>`), so one `group_send` reaches all of a user's devices on any
server process (through Redis in service mode). Payloads are JSON, never model instances.
"""

import asyncio
import logging

from channels.layers import get_channel_layer
from django.core.cache import cache

from .loop_thread import call_async

logger = logging.getLogger(__name__)

PRESENCE_TTL = 600  # refreshed by every frame a client sends; a crashed process's sockets expire on their own
CLOSE_UNAUTHENTICATED = 4401  # PRODUCT.md §4: no, bad or revoked credentials
CLOSE_UNAVAILABLE = 1011  # a dependency (the channel layer) is down: the client reconnects later


def user_group(user_id) -> str:
    return f"user.{user_id}"


# Concurrent sends per broadcast: the Redis layer's connection pool (redis-py: 100 per pool) raises rather than
# waits when exhausted, and it also serves every socket's receive loop.
MAX_CONCURRENT_SENDS = 20


async def _send_all(layer, user_ids, payload) -> None:
    message = {"type": "relay", "payload": payload}
    gate = asyncio.Semaphore(MAX_CONCURRENT_SENDS)

    async def send(user_id):
        async with gate:
            await layer.group_send(user_group(user_id), message)

    results = await asyncio.gather(*(send(user_id) for user_id in user_ids), return_exceptions=True)
    for user_id, result in zip(user_ids, results, strict=True):
        if isinstance(result, Exception):
            logger.error("Realtime send to user %s failed: %r", user_id, result)


def send_to_users(user_ids, payload: dict) -> None:
    """One hop to the event loop for all recipients, their sends concurrent. Best effort: a channel layer
    failure is logged, never raised into the caller's request."""
    layer = get_channel_layer()
    recipients = list(dict.fromkeys(user_ids))
    if layer is None or not recipients:
        return
    try:
        call_async(_send_all, layer, recipients, payload)
    except Exception:
        logger.exception("Realtime send to %d users failed", len(recipients))


def close_user_sockets(user_id, code: int, session_id=None) -> None:
    """Close every open socket of a user, on any server process, with `code` (4401 when their tokens were
    revoked: suspension, password change, logout everywhere), or only those opened with a token of the sign-in
    session `session_id` (the user ended that session). Best effort, like `send_to_users`."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "session.close", "code": code}
    if session_id is not None:
        message["session"] = str(session_id)
    try:
        call_async(layer.group_send, user_group(user_id), message)
    except Exception:
        logger.exception("Closing the sockets of user %s failed", user_id)


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


def online_among(user_ids) -> set:
    """The users among `user_ids` with at least one open socket (one cache round trip)."""
    keys = {_presence_key(user_id): user_id for user_id in user_ids}
    found = cache.get_many(list(keys))
    return {keys[key] for key, count in found.items() if count}
