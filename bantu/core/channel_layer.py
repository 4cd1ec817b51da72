"""The Redis channel layer of Bantu: channels-redis's, with a connection pool sized on purpose and a send to many
groups in two round trips.

**Connections.** channels-redis keeps one redis-py pool per event loop, so one per server process, shared by
everything the process does with the layer: the receive loop of all its sockets (one connection, held through
each 5 s blocking read), the clean-up after every received message, every socket's `group_add` and
`group_discard`, and every broadcast. redis-py's default pool opens up to 100 connections and then raises
`MaxConnectionsError`: when a thousand sockets closed at once, 134 `group_discard`s failed that way and their
clean-up never ran. Here the pool is a `BlockingConnectionPool`: at most `max_connections` (default 32) per
process, and a caller finding them all busy waits up to `pool_timeout` seconds (default 5) for one to come back
instead of failing. Redis answers each command in microseconds, so 32 connections carry thousands of commands
a second; W server processes hold at most 32·W connections to Redis (its default limit is 10,000).

**Broadcasts.** `group_send_many(groups, message)` sends one message to the members of many groups (a chat
room: the user groups of all its participants) in two round trips whatever the number of groups: one pipeline
reads every group's members, one Lua script queues the message once per receiving process, naming all of that
process's channels. A channel in two of the groups receives the message once. `group_send` of channels-redis
makes four round trips per group.

**Receiving.** All sockets of a process receive through one Redis key. channels-redis takes each message off it
in three round trips (and a fourth once it is processed); `_brpop_with_clean` takes a waiting one in one.
"""

import collections
import time

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

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


# A receive without blocking: put back what an interrupted receive left in the backup queue (as channels-redis
# does before every blocking pop), then pop the oldest message and back it up. KEYS: the channel key, its backup.
_RECEIVE_READY = """
local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', KEYS[2])
local popped = redis.call('ZPOPMIN', KEYS[1])
if popped[1] then
    redis.call('ZADD', KEYS[2], popped[2], popped[1])
    return popped[1]
end
return false
"""


class BantuChannelLayer(RedisChannelLayer):
    """channels-redis's `RedisChannelLayer`; each host may also say `max_connections` and `pool_timeout`
    (seconds) for its blocking pool. Everything else in the host dict goes to redis-py's connections."""

    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address")
        max_connections = host.pop("max_connections", DEFAULT_MAX_CONNECTIONS)
        timeout = host.pop("pool_timeout", DEFAULT_POOL_TIMEOUT)
        return BlockingConnectionPool.from_url(address, max_connections=max_connections, timeout=timeout, **host)

    async def _brpop_with_clean(self, index, channel, timeout):
        """channels-redis's receive step (a message moved to the channel's backup queue until it is processed,
        so that a cancelled receive loses nothing), in one round trip when a message is waiting: it made three
        (put back the backup, pop, back up), for every message of a busy process. With nothing waiting, the
        blocking pop and the backup follow, as in channels-redis. Returns the message (bytes) or None after
        `timeout` seconds."""
        backup_queue = self._backup_channel_name(channel)
        connection = self.connection(index)
        member = await connection.eval(_RECEIVE_READY, 2, channel, backup_queue)
        if member is not None:
            return member
        result = await connection.bzpopmin(channel, timeout=timeout)
        if result is None:
            return None
        _, member, timestamp = result
        await connection.zadd(backup_queue, {member: float(timestamp)})
        return member

    async def group_send_many(self, groups, message: dict) -> int:
        """Send `message` to every channel in any of `groups` (names as for `group_send`), once per channel.

        Two Redis round trips per shard holding the groups, whatever their number. Returns how many channels it
        went to. Raises what redis-py raises (ConnectionError, TimeoutError…) when Redis cannot be reached or no
        pooled connection frees up within `pool_timeout`; nothing is queued then for the groups of that shard."""
        groups = list(dict.fromkeys(groups))
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
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
