"""Sending to users' sockets, and knowing whether they have one open.

Every socket joins its user's group (`user.<id>`), so one `group_send` reaches all of a user's devices on any
server process (through Redis in service mode). A broadcast to many users (a chat room's participants) is one
`group_send_many` over their user groups: two Redis round trips for a room of any size. Sockets do not also join
per-conversation groups: a socket would then need one `group_add` per conversation when it opens, one
`group_discard` each when it closes, and a way to join conversations created while it is open; with user groups
a socket joins and leaves one group, and who receives a message is decided when it is sent.
Payloads are JSON, never model instances.

Presence (whether a user has a socket open) is a counter per user in the cache; with Redis, each change is one
round trip.
"""

import asyncio
import logging

from channels.layers import get_channel_layer
from django.core.cache import cache

from . import read_along
from .loop_thread import call_async

logger = logging.getLogger(__name__)

PRESENCE_TTL = 600  # refreshed by every frame a client sends; a crashed process's sockets expire on their own
CLOSE_UNAUTHENTICATED = 4401  # PRODUCT.md §4: no, bad or revoked credentials
CLOSE_UNAVAILABLE = 1011  # a dependency (the channel layer) is down: the client reconnects later


def user_group(user_id) -> str:
    return f"user.{user_id}"


# Concurrent sends per broadcast on a layer that sends to one group at a time (the in-memory layer of the
# embedded mode); the Redis layer sends to all recipients' groups at once (`group_send_many`).
MAX_CONCURRENT_SENDS = 20


async def _send_all(layer, user_ids, payload, read_keys=None):
    """Send to every user's group; with `read_keys`, also read those keys in the same round trip and return their
    values (None when the send failed)."""
    message = {"type": "relay", "payload": payload}
    groups = [user_group(user_id) for user_id in user_ids]
    if hasattr(layer, "group_send_many"):
        try:
            if read_keys is not None:
                return (await layer.group_send_many(groups, message, read_keys=read_keys))[1]
            await layer.group_send_many(groups, message)
        except Exception as exc:
            logger.error("Realtime send to %d users failed: %r", len(groups), exc)
        return None
    gate = asyncio.Semaphore(MAX_CONCURRENT_SENDS)

    async def send(group):
        async with gate:
            await layer.group_send(group, message)

    results = await asyncio.gather(*(send(group) for group in groups), return_exceptions=True)
    for user_id, result in zip(user_ids, results, strict=True):
        if isinstance(result, Exception):
            logger.error("Realtime send to user %s failed: %r", user_id, result)
    return None


def _presence_reads_along(layer) -> bool:
    """Whether the layer can read the cache's presence keys in its broadcast's round trip: it sends in one script
    on one server, and the cache is django-redis on that same server and database."""
    return getattr(layer, "can_read_along", lambda: False)() and read_along.default_cache_at(
        layer.hosts[0].get("address"))


def send_to_users(user_ids, payload: dict, *, presence_of=None) -> set | None:
    """One hop to the event loop for all recipients: one `group_send_many` (one Redis round trip however many
    recipients), or concurrent `group_send`s on a layer without it. Best effort: a channel layer failure is
    logged, never raised into the caller's request.

    With `presence_of` (user ids), returns those of them with a socket open, as `online_among` answers: read in the
    broadcast's own round trip when the layer and the cache share the Redis server (`_presence_reads_along`),
    else (or when the broadcast failed) by `online_among` afterwards."""
    layer = get_channel_layer()
    recipients = list(dict.fromkeys(user_ids))
    among = None if presence_of is None else list(dict.fromkeys(presence_of))
    if layer is not None and recipients:
        keys = None
        if among and _presence_reads_along(layer):
            keys = [cache.make_key(_presence_key(user_id)) for user_id in among]
        try:
            values = call_async(_send_all, layer, recipients, payload, keys)
        except Exception:
            logger.exception("Realtime send to %d users failed", len(recipients))
            values = None
        if values is not None:
            found = read_along.decoded(keys, values)
            return {user_id for user_id, key in zip(among, keys, strict=True) if found.get(key)}
    return None if among is None else online_among(among)


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


# On Redis, count and expire in one round trip; the key is the cache's own, so `online_among` reads it.
_OPENED = "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n"
_CLOSED = "local n = redis.call('DECR', KEYS[1]) if n <= 0 then redis.call('DEL', KEYS[1]) end return n"


def _redis_presence(script: str, user_id) -> bool:
    """Run `script` on the user's presence key when the cache is django-redis; False on another cache."""
    if not read_along.is_redis(cache):
        return False
    cache.client.get_client(write=True).eval(script, 1, cache.make_key(_presence_key(user_id)), PRESENCE_TTL)
    return True


def socket_opened(user_id) -> None:
    """One more socket of `user_id` is open (for PRESENCE_TTL seconds unless refreshed). One round trip on
    Redis; raises redis-py's errors when Redis cannot be reached."""
    if _redis_presence(_OPENED, user_id):
        return
    key = _presence_key(user_id)
    if not cache.add(key, 1, timeout=PRESENCE_TTL):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=PRESENCE_TTL)


def socket_alive(user_id) -> None:
    cache.touch(_presence_key(user_id), PRESENCE_TTL)


def socket_closed(user_id) -> None:
    """One socket of `user_id` fewer; at none the user is offline. One round trip on Redis; raises redis-py's
    errors when Redis cannot be reached."""
    if _redis_presence(_CLOSED, user_id):
        return
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
