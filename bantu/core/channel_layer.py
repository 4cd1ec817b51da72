"""The Redis channel layer of Bantu: channels-redis's, with a connection pool sized on purpose, a send to many
groups in one round trip, and a receive in one.

**Connections.** channels-redis keeps one redis-py pool per event loop, so one per server process, shared by
everything the process does with the layer: the receive loop of all its sockets (one connection, held through
each 5 s blocking read), every socket's `group_add` and `group_discard`, and every broadcast. redis-py's default
pool opens up to 100 connections and then raises `MaxConnectionsError`: when a thousand sockets closed at once,
134 `group_discard`s failed that way and their clean-up never ran. Here the pool is a `BlockingConnectionPool`: at
most `max_connections` (default 32) per process, and a caller finding them all busy waits up to `pool_timeout`
seconds (default 5) for one to come back instead of failing. Redis answers each command in microseconds, so 32
connections carry thousands of commands a second; W server processes hold at most 32·W connections to Redis (its
default limit is 10,000).

**Broadcasts.** `group_send_many(groups, message)` sends one message to the members of many groups (a chat
room: the user groups of all its participants) in one round trip whatever the number of groups: one Lua script
reads every group's members and queues the message once per receiving process, naming all of that process's
channels. A channel in two of the groups receives the message once. `group_send` of channels-redis makes four
round trips per group.

**Receiving.** All sockets of a process receive through one Redis key. channels-redis takes each message off it
in three round trips, then fires a task that removes it from the backup queue in a fourth, and holds the next
receive until that is done. Here a waiting message is taken in one round trip, and the backup of the message
received before it is removed in the same one (`_brpop_with_clean`). channels-redis lets the waiting sockets take
turns reading that key: each wait is two tasks (for the read lock and for the socket's buffer), one of them
cancelled when the other finishes, so every delivery to a socket cost two new tasks and a cancellation. Here one
reader task per process reads the key while any socket waits and puts each message in its sockets' buffers; a
socket waits on its buffer alone (`receive`).
"""

import asyncio
import collections
import logging
import time
import weakref

from channels_redis.core import RedisChannelLayer
from channels_redis.serializers import MsgPackSerializer
from redis.asyncio import BlockingConnectionPool

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONNECTIONS = 32
DEFAULT_POOL_TIMEOUT = 5.0

# Per receiving process's channel key: drop its expired messages, then queue this one unless the key is full.
# KEYS: the channel keys. ARGV: one message per key, one capacity per key, then the time and the expiry.
_GROUP_SEND_MANY = """
local over_capacity = 0
local now = tonumber(ARGV[#ARGV - 1])
local expiry = tonumber(ARGV[#ARGV])
for i = 1, #KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, now - expiry)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


# Everything of a broadcast in one call: read the members of every group (dropping memberships older than the
# group expiry, as channels-redis's group_send does), then queue the message once per receiving process's channel
# key (dropping its expired messages first; not when the key is full), naming that process's channels.
# KEYS: the group keys. ARGV: the oldest membership kept, the layer's key prefix, the time, the message expiry, the
# capacity of every channel, and the message: channels-redis's serialized form of a msgpack map whose last entry
# is `__asgi_channel__` with a nil placeholder, which the script replaces with the array of channel names (what
# channels-redis's own group_send writes there). The channel keys are derived in the script, not passed in KEYS:
# channels-redis shards by client-side hashing over standalone servers (never a Redis Cluster), and
# `group_send_many` uses this script only with a single server. ARGV[7…], when given, are keys the caller reads
# along (`group_send_many`'s `read_keys`). Returns {channels sent to, keys over capacity, the read keys' values}.
_GROUP_SEND_ONE_TRIP = """
local reads = {}
if #ARGV > 6 then reads = redis.call('MGET', unpack(ARGV, 7)) end
local prefix = ARGV[2]
local now = tonumber(ARGV[3])
local expiry = tonumber(ARGV[4])
local capacity = tonumber(ARGV[5])
local head = string.sub(ARGV[6], 1, -2)
local channels_by_key, keys, seen, sent = {}, {}, {}, 0
for i = 1, #KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, ARGV[1])
    for _, channel in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do
        if not seen[channel] then
            seen[channel] = true
            sent = sent + 1
            local bang = string.find(channel, '!', 1, true)
            local key = prefix .. (bang and string.sub(channel, 1, bang) or channel)
            local channels = channels_by_key[key]
            if not channels then
                channels = {}
                channels_by_key[key] = channels
                keys[#keys + 1] = key
            end
            channels[#channels + 1] = channel
        end
    end
end
local over_capacity = 0
for _, key in ipairs(keys) do
    redis.call('ZREMRANGEBYSCORE', key, 0, now - expiry)
    if redis.call('ZCARD', key) < capacity then
        redis.call('ZADD', key, now, head .. cmsgpack.pack(channels_by_key[key]))
        redis.call('EXPIRE', key, expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return {sent, over_capacity, reads}
"""

_CHANNELS_PLACEHOLDER = b"\xc0"  # msgpack's nil


# A receive without blocking. First drop from the backup queue the message received last time (ARGV[1], when
# given: it was processed), then put back what an interrupted receive left there (as channels-redis does before
# every blocking pop), then pop the oldest message and back it up until the next receive. KEYS: the channel key,
# its backup. ARGV: the message received last time (optional), the backup's expiry in seconds.
_RECEIVE_READY = """
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[2], ARGV[1]) end
local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', KEYS[2])
local popped = redis.call('ZPOPMIN', KEYS[1])
if popped[1] then
    redis.call('ZADD', KEYS[2], popped[2], popped[1])
    redis.call('EXPIRE', KEYS[2], ARGV[2])
    return popped[1]
end
return false
"""


def _count_out(counter: collections.Counter, key) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


class _ReceiveFailed:
    """Put in a waiting channel's buffer when the process's reader failed: its receive raises `error`."""

    __slots__ = ("error",)

    def __init__(self, error: Exception):
        self.error = error


class BantuChannelLayer(RedisChannelLayer):
    """channels-redis's `RedisChannelLayer`; each host may also say `max_connections` and `pool_timeout`
    (seconds) for its blocking pool. Everything else in the host dict goes to redis-py's connections."""

    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address")
        max_connections = host.pop("max_connections", DEFAULT_MAX_CONNECTIONS)
        timeout = host.pop("pool_timeout", DEFAULT_POOL_TIMEOUT)
        return BlockingConnectionPool.from_url(address, max_connections=max_connections, timeout=timeout, **host)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per process channel key: the message received last, still in the backup queue until the next receive.
        self._received_last: dict[str, bytes] = {}
        # Per event loop and process channel key (`specific.<process>!`, `readyz..<process>!`…), the task reading
        # it (`_read`); how many receives wait, per process-local channel and per process channel key.
        self._readers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._waiting: collections.Counter = collections.Counter()
        self._waiting_on: collections.Counter = collections.Counter()

    async def receive(self, channel):
        """The next message for `channel`. A process-local channel (`specific.<process>!<socket>`, what every
        consumer has) waits on its buffer, which the reader task of its process channel key fills (`_read`,
        started here when it is not running); other channels receive as in channels-redis. Raises what the
        reader's Redis call raised (redis-py's ConnectionError, TimeoutError…) when it failed while this receive
        waited: every socket then waiting on that key hears of it, and closes (1011, `bantu.core.consumers`)."""
        if "!" not in channel:
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        real_channel = self.non_local_name(channel)
        assert real_channel.endswith(self.client_prefix + "!"), "Wrong client prefix"
        buffer = self.receive_buffer[channel]
        try:
            if buffer.empty():
                self._waiting[channel] += 1
                self._waiting_on[real_channel] += 1
                try:
                    self._start_reader(real_channel)
                    message = await buffer.get()
                finally:
                    _count_out(self._waiting, channel)
                    _count_out(self._waiting_on, real_channel)
            else:
                message = buffer.get_nowait()
        except asyncio.CancelledError:  # the socket is going away: so does its buffer, as in channels-redis
            if channel not in self._waiting and self.receive_buffer.get(channel) is buffer:
                del self.receive_buffer[channel]
            raise
        if buffer.empty() and channel not in self._waiting and self.receive_buffer.get(channel) is buffer:
            del self.receive_buffer[channel]
        if isinstance(message, _ReceiveFailed):
            raise message.error
        return message

    def _start_reader(self, real_channel: str) -> None:
        readers = self._readers.setdefault(asyncio.get_running_loop(), {})
        reader = readers.get(real_channel)
        if reader is None or reader.done():
            readers[real_channel] = asyncio.get_running_loop().create_task(
                self._read(real_channel), name=f"channel-layer-reader {real_channel}")

    async def _read(self, real_channel: str) -> None:
        """Read the process channel key `real_channel` while any receive waits on it, putting each message in
        the buffer of every channel it names. When a read fails, every receive waiting on the key gets the error
        and the task ends; the next receive starts another."""
        try:
            while self._waiting_on[real_channel]:
                channels, message = await self.receive_single(real_channel)
                for channel in channels if isinstance(channels, list) else [channels]:
                    self.receive_buffer[channel].put_nowait(message)
        except Exception as error:
            waiting = [channel for channel in self._waiting if channel.startswith(real_channel)]
            for channel in waiting:
                self.receive_buffer[channel].put_nowait(_ReceiveFailed(error))
            if not waiting:
                logger.warning("Channel layer: a receive failed with no socket waiting (%r)", error)

    async def _brpop_with_clean(self, index, channel, timeout, processed: bytes = b""):
        """channels-redis's receive step (a message moved to the channel's backup queue, so that a cancelled
        receive loses nothing), in one round trip when a message is waiting: it made three (put back the backup,
        pop, back up), for every message of a busy process. `processed` (a message this process received before)
        is removed from the backup in the same call. With nothing waiting, the blocking pop and the backup follow,
        as in channels-redis. Returns the message (bytes) or None after `timeout` seconds."""
        backup_queue = self._backup_channel_name(channel)
        connection = self.connection(index)
        member = await connection.eval(_RECEIVE_READY, 2, channel, backup_queue, processed, self.expiry)
        if member is not None:
            return member
        result = await connection.bzpopmin(channel, timeout=timeout)
        if result is None:
            return None
        _, member, timestamp = result
        await connection.zadd(backup_queue, {member: float(timestamp)})
        await connection.expire(backup_queue, self.expiry)
        return member

    async def receive_single(self, channel):
        """A message off a process's channel key (`specific.<process>!`), as channels-redis's `receive_single`
        returns it, without its clean-up task: the message stays in the backup queue until this process's next
        receive removes it, in the same round trip as that receive (`_brpop_with_clean`). A cancelled receive
        leaves it there, and the next one removes it all the same (ZREM of the stored bytes), so nothing is
        received twice. Only the process's reader task calls this (`_read`, one per key and event loop): one at a
        time per process. Other channels (shared by processes, where a message backed up until the next receive
        could be put back by another process) keep channels-redis's way."""
        if not channel.endswith("!"):
            return await super().receive_single(channel)
        assert self.require_valid_channel_name(channel, receive=True), "Channel name invalid"
        index = self.consistent_hash(channel)
        channel_key = self.prefix + channel
        content = None
        while content is None:
            content = await self._brpop_with_clean(index, channel_key, self.brpop_timeout,
                                                   processed=self._received_last.get(channel_key, b""))
        self._received_last[channel_key] = content
        message = self.deserialize(content)
        return message.pop("__asgi_channel__", channel), message

    def can_read_along(self) -> bool:
        """Whether `group_send_many` takes `read_keys`: when it runs as one script on one server."""
        return self._one_trip()

    def _one_trip(self) -> bool:
        """Whether `group_send_many` can run as one script: a single Redis server (the channel keys are derived in
        it), one capacity for every channel, and messages not encrypted (the script edits the msgpack bytes)."""
        return (self.ring_size == 1 and not self.channel_capacity and isinstance(self._serializer, MsgPackSerializer)
                and self._serializer.crypter is None)

    async def group_send_many(self, groups, message: dict, *, read_keys: list[str] | None = None):
        """Send `message` to every channel in any of `groups` (names as for `group_send`), once per channel.

        One Redis round trip on a single server (`_GROUP_SEND_ONE_TRIP`); with several servers (sharding), two per
        shard holding the groups. Returns how many channels it went to. With `read_keys` (keys of other data on
        the same Redis server, which only the caller can know: `can_read_along`), returns (channels, the keys'
        values, None where missing), read in the same round trip. Raises what redis-py raises (ConnectionError,
        TimeoutError…) when Redis cannot be reached or no pooled connection frees up within `pool_timeout`;
        nothing is queued then for the groups of that shard; ValueError for `read_keys` when `can_read_along` is
        false."""
        if read_keys is not None and not self.can_read_along():
            raise ValueError("read_keys needs a layer on a single Redis server (can_read_along)")
        groups = list(dict.fromkeys(groups))
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
        if self._one_trip():
            return await self._group_send_one_trip(groups, message, read_keys)
        if not groups:
            return 0
        by_shard = collections.defaultdict(list)
        for group in groups:
            by_shard[self.consistent_hash(group)].append(group)
        channel_names: dict[str, None] = {}
        oldest = int(time.time()) - self.group_expiry
        for index, shard_groups in by_shard.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for group in shard_groups:
                pipe.zremrangebyscore(self._group_key(group), min=0, max=oldest)
                pipe.zrange(self._group_key(group), 0, -1)
            replies = await pipe.execute()
            for members in replies[1::2]:
                channel_names.update((member.decode("utf8"), None) for member in members)
        if not channel_names:
            return 0
        keys_by_connection, message_by_key, capacity_by_key = self._map_channel_keys_to_connection(
            list(channel_names), message)
        for index, keys in keys_by_connection.items():
            args = ([message_by_key[key] for key in keys] + [capacity_by_key[key] for key in keys]
                    + [time.time(), self.expiry])
            await self.connection(index).eval(_GROUP_SEND_MANY, len(keys), *keys, *args)
        return len(channel_names)

    async def _group_send_one_trip(self, groups: list[str], message: dict, read_keys: list[str] | None):
        body = {key: value for key, value in message.items() if key != "__asgi_channel__"}
        body["__asgi_channel__"] = None  # last, so its packed nil is the final byte the script replaces
        serialized = self.serialize(body)
        assert serialized.endswith(_CHANNELS_PLACEHOLDER)
        sent, _over_capacity, values = await self.connection(0).eval(
            _GROUP_SEND_ONE_TRIP, len(groups), *(self._group_key(group) for group in groups),
            int(time.time()) - self.group_expiry, self.prefix, time.time(), self.expiry, self.capacity, serialized,
            *(read_keys or ()))
        return int(sent) if read_keys is None else (int(sent), list(values))
