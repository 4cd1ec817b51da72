import asyncio
import sys
import time
import uuid

import pytest
from channels.layers import get_channel_layer
from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bantu.core.redis_connection import CancellableSendConnection


@pytest.mark.redis
def test_redis_channel_layer_reads_outlast_its_blocking_receive():
    """redis-py 8 defaults socket_timeout to 5 s, equal to channels-redis's 5 s blocking receive: reads then
    time out and consumers crash (redis-py#4091). Settings give the reads more time than the receive."""
    layer = get_channel_layer()
    pool = layer.create_pool(0)

    assert pool.connection_kwargs["socket_timeout"] > layer.brpop_timeout


@pytest.mark.redis
async def test_redis_channel_layer_survives_an_idle_receive_longer_than_five_seconds():
    layer = get_channel_layer()
    channel = await layer.new_channel()

    async def later():
        await asyncio.sleep(6.5)
        await layer.send(channel, {"type": "late.hello"})

    sender = asyncio.create_task(later())
    message = await asyncio.wait_for(layer.receive(channel), timeout=15)
    await sender

    assert message == {"type": "late.hello"}


@pytest.mark.redis
def test_the_redis_channel_layer_uses_connections_whose_sends_keep_a_cancellation():
    pool = get_channel_layer().create_pool(0)

    assert pool.connection_class is CancellableSendConnection


class _Writer:
    """A socket writer whose drain does what the test says (`on_drain`), instead of writing."""

    def __init__(self, on_drain):
        self.on_drain, self.written, self.closed = on_drain, [], False

    def writelines(self, data):
        self.written.extend(data)

    async def drain(self):
        await self.on_drain()

    def close(self):
        self.closed = True


def _connected(connection_class, on_drain, socket_timeout=5.0):
    connection = connection_class(host="127.0.0.1", port=1, socket_timeout=socket_timeout)
    connection._reader, connection._writer = object(), _Writer(on_drain)
    return connection


async def _cancelled_as_the_send_completes(connection_class) -> bool:
    """Whether a task cancelled at the moment its send completes sees the cancellation (the race of the shutdown
    fault test, made deterministic: the write requests the cancellation as it finishes)."""
    task = asyncio.current_task()

    async def drained_then_cancelled():
        task.cancel()

    connection = _connected(connection_class, drained_then_cancelled)
    try:
        await connection.send_packed_command([b"PING\r\n"], check_health=False)
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        task.uncancel()
        return True
    return False


async def test_a_send_cancelled_as_it_completes_stays_cancelled():
    assert await _cancelled_as_the_send_completes(CancellableSendConnection)
    if sys.version_info < (3, 12):  # CPython gh-86296: redis-py's wait_for send loses it (the bug worked around)
        assert not await _cancelled_as_the_send_completes(Connection)


async def test_a_send_writes_the_command_and_keeps_the_socket_timeout():
    async def drained():
        return None

    connection = _connected(CancellableSendConnection, drained)
    await connection.send_packed_command([b"PING\r\n"], check_health=False)

    assert connection._writer.written == [b"PING\r\n"]
    assert connection.socket_timeout == 5.0


async def test_a_send_that_outlasts_the_socket_timeout_is_a_redis_timeout_and_closes_the_connection():
    async def never_drained():
        await asyncio.sleep(5)

    connection = _connected(CancellableSendConnection, never_drained, socket_timeout=0.05)
    writer = connection._writer
    with pytest.raises(RedisTimeoutError, match="Timeout writing to socket"):
        await connection.send_packed_command([b"PING\r\n"], check_health=False)

    assert writer.closed
    assert connection.socket_timeout == 0.05


# --- the pool and the broadcast of bantu.core.channel_layer ------------------------------------------------------


@pytest.mark.redis
async def test_a_burst_larger_than_the_pool_waits_for_connections_instead_of_failing():
    """Two hundred group_add then group_discard at once on a pool of three: redis-py's default pool would raise
    MaxConnectionsError; the blocking pool queues them and never opens a fourth connection."""
    layer = _layer(max_connections=3)
    channels = [await layer.new_channel() for _ in range(200)]

    await asyncio.gather(*(layer.group_add(f"user.{n}", channel) for n, channel in enumerate(channels)))
    joined = [await layer.connection(0).zcard(layer._group_key(f"user.{n}")) for n in range(200)]
    await asyncio.gather(*(layer.group_discard(f"user.{n}", channel) for n, channel in enumerate(channels)))
    left = [await layer.connection(0).zcard(layer._group_key(f"user.{n}")) for n in range(200)]
    pool = layer.connection(0).connection_pool
    opened = len(pool._available_connections) + len(pool._in_use_connections)
    await layer.flush()

    assert (joined, left) == ([1] * 200, [0] * 200)
    assert opened <= 3


@pytest.mark.redis
async def test_a_pool_busy_longer_than_its_timeout_raises_a_connection_error():
    layer = _layer(max_connections=1, pool_timeout=0.2)
    holder = layer.connection(0).connection_pool
    held = await holder.get_connection()
    try:
        with pytest.raises(RedisConnectionError, match="No connection available"):
            await layer.group_discard("user.1", await layer.new_channel())
    finally:
        await holder.release(held)
        await layer.flush()


def _layer(**host):
    """A BantuChannelLayer like the settings' one, with its own prefix and `host` overrides."""
    return _layer_with(hosts=[host])


def _layer_with(*, hosts=({},), prefix=None, **options):
    """A BantuChannelLayer on the settings' Redis (one host per dict of `hosts`, each with its overrides), with its
    own prefix unless given one, and `options`."""
    from bantu.core.channel_layer import BantuChannelLayer

    config = get_channel_layer()
    return BantuChannelLayer(hosts=[{**config.hosts[0], **host} for host in hosts],
                             prefix=prefix or f"test-{uuid.uuid4().hex[:8]}", **options)


def _commands(layer) -> list:
    """The Redis commands the layer's connection sends from now on, a pipeline as "PIPELINE" (a list that fills
    as they are sent)."""
    calls = []
    connection = layer.connection(0)
    real = connection.execute_command

    async def counted(*args, **options):
        calls.append(args[0])
        return await real(*args, **options)

    connection.execute_command = counted
    real_pipeline = connection.pipeline

    def pipeline(*args, **options):
        calls.append("PIPELINE")
        return real_pipeline(*args, **options)

    connection.pipeline = pipeline
    return calls


async def _nothing_more(layer, channel) -> bool:
    try:
        await asyncio.wait_for(layer.receive(channel), 0.3)
    except TimeoutError:
        return True
    return False


@pytest.mark.redis
@pytest.mark.parametrize("options", [{}, {"channel_capacity": {"other.*": 5}}], ids=["one-trip", "two-trips"])
async def test_group_send_many_reaches_every_member_of_every_group_once(options):
    # Given two processes (layers with their own channel prefix) on one Redis, with channels in three groups
    # (one channel in two of them) and a group the message is not sent to
    layer = _layer_with(**options)
    other_process = _layer_with(prefix=layer.prefix, **options)
    alone, shared, elsewhere = [await layer.new_channel() for _ in range(3)]
    remote = await other_process.new_channel()
    await layer.group_add("user.a", alone)
    await layer.group_add("user.a", shared)
    await layer.group_add("user.b", shared)
    await layer.group_add("user.b", remote)
    await layer.group_add("user.c", elsewhere)
    calls = _commands(layer)

    # When a message is sent to two of the groups and one without members
    sent = await layer.group_send_many(["user.a", "user.b", "user.nobody"], {"type": "relay", "n": 1})
    sent_with = list(calls)

    # Then every member receives it once, in either process, and no one else
    received = [await asyncio.wait_for(layer.receive(channel), 2) for channel in (alone, shared)]
    received.append(await asyncio.wait_for(other_process.receive(remote), 2))
    assert await _nothing_more(layer, shared)  # once, though in two of the groups
    assert await _nothing_more(layer, elsewhere)
    await layer.flush()
    assert sent == 3
    assert received == [{"type": "relay", "n": 1}] * 3
    # in one round trip on one server with one capacity for all; else a pipeline and a script
    assert sent_with == (["EVAL"] if not options else ["PIPELINE", "EVAL"])


@pytest.mark.redis
async def test_group_send_many_leaves_out_a_process_whose_channel_key_is_full():
    # Given two processes' channels in a group, the first one's key already holding as many messages as the
    # capacity allows
    layer = _layer_with(capacity=1)
    other_process = _layer_with(prefix=layer.prefix, capacity=1)
    full, free = await layer.new_channel(), await other_process.new_channel()
    await layer.send(full, {"type": "relay", "n": 0})
    await layer.group_add("user.a", full)
    await layer.group_add("user.a", free)

    # When a message is sent to the group
    await layer.group_send_many(["user.a"], {"type": "relay", "n": 1})

    # Then the full key keeps what it had, and the other process receives the message
    assert (await asyncio.wait_for(layer.receive(full), 2))["n"] == 0
    assert await _nothing_more(layer, full)
    assert (await asyncio.wait_for(other_process.receive(free), 2))["n"] == 1
    await layer.flush()


@pytest.mark.redis
async def test_group_send_many_to_groups_without_members_sends_nothing():
    layer = _layer()

    assert await layer.group_send_many(["user.nobody", "user.none"], {"type": "relay"}) == 0
    await layer.flush()


@pytest.mark.redis
async def test_waiting_messages_are_received_in_order_in_one_round_trip_each():
    # Given a process's channel with three messages waiting
    layer = _layer()
    channel = await layer.new_channel()
    for n in range(3):
        await layer.send(channel, {"type": "relay", "n": n})
    calls = _commands(layer)
    key = layer.prefix + layer.non_local_name(channel)
    backup = layer._backup_channel_name(key)

    # When they are received, and a fourth receive waits for more (the process's reader, which otherwise stops or
    # reads on depending on which task the loop runs first, then surely reads on until it blocks)
    received = [await asyncio.wait_for(layer.receive(channel), 2) for _ in range(3)]
    waiting = asyncio.create_task(layer.receive(channel))
    for _ in range(100):  # at most 2 s
        if "BZPOPMIN" in calls:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # a clean-up task, had one been started

    # Then in order, each with one script call (which also drops the backup of the one before): no blocking pop,
    # no clean-up of its own; the reader then waits for more (a script call, which drops the last one's backup,
    # and a blocking pop)
    assert [message["n"] for message in received] == [0, 1, 2]
    assert calls == ["EVAL"] * 4 + ["BZPOPMIN"]
    assert await layer.connection(0).zcard(backup) == 0
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await layer.flush()


@pytest.mark.redis
async def test_a_received_message_is_not_received_again_after_a_cancelled_receive():
    # Given a message received (still in the backup queue until the next receive), then a receive that waits on
    # the empty channel and is cancelled
    layer = _layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "relay", "n": 1})
    first = await asyncio.wait_for(layer.receive(channel), 2)
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0.2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting

    # When another message comes and is received
    await layer.send(channel, {"type": "relay", "n": 2})
    second = await asyncio.wait_for(layer.receive(channel), 2)

    # Then the first is not put back and received twice
    assert [first["n"], second["n"]] == [1, 2]
    assert await _nothing_more(layer, channel)
    await layer.flush()


@pytest.mark.redis
async def test_a_message_left_in_the_backup_queue_by_an_interrupted_receive_is_received():
    # Given a message taken off a process's channel by a receive that was cancelled before processing it (it is
    # in the channel's backup queue), and a newer message waiting
    layer = _layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "relay", "n": 1})
    await layer.send(channel, {"type": "relay", "n": 2})
    key = layer.prefix + layer.non_local_name(channel)
    connection = layer.connection(0)
    [(member, score)] = await connection.zpopmin(key)
    await connection.zadd(layer._backup_channel_name(key), {member: score})

    # When the process receives again, Then the interrupted message comes first, then the newer one
    received = [await asyncio.wait_for(layer.receive(channel), 2) for _ in range(2)]
    assert [message["n"] for message in received] == [1, 2]
    await layer.flush()


@pytest.mark.redis
async def test_a_pooled_connection_the_server_closed_while_idle_is_replaced():
    """redis-py 8.1 with RESP3 skips its pool's check for a connection closed while idle (redis-py#4252): after a
    Redis restart or an idle timeout, the next command on it failed with "Connection closed by server", and a
    socket opening then was closed with 1011. The layer's connections speak RESP2, whose check works."""
    layer = _layer()
    connection = layer.connection(0)
    await connection.zadd(layer._group_key("user.idle"), {"specific.other!a": time.time()})  # pooled, now idle
    [idle_id] = [client["id"] for client in await connection.client_list() if client["cmd"] == "client|list"]
    killer = get_channel_layer().create_pool(0)
    from redis.asyncio import Redis

    async with Redis(connection_pool=killer) as admin:
        await admin.client_kill_filter(_id=idle_id)
        await asyncio.sleep(0.1)

    channel = await layer.new_channel()
    await layer.group_add("user.idle", channel)  # on the connection the server closed

    assert await layer.group_send_many(["user.idle"], {"type": "relay"}) == 2
    await layer.flush()


@pytest.mark.redis
async def test_group_send_many_reads_keys_along_in_its_round_trip():
    layer = _layer()
    channel = await layer.new_channel()
    await layer.group_add("user.a", channel)
    connection = layer.connection(0)
    await connection.set("along:present", b"2")
    calls = _commands(layer)

    sent, values = await layer.group_send_many(["user.a"], {"type": "relay"}, read_keys=["along:present",
                                                                                       "along:absent"])

    assert (sent, values, calls) == (1, [b"2", None], ["EVAL"])
    assert (await asyncio.wait_for(layer.receive(channel), 2))["type"] == "relay"
    await connection.delete("along:present")
    await layer.flush()


@pytest.mark.redis
async def test_a_layer_that_cannot_read_along_refuses_keys_to_read():
    layer = _layer_with(channel_capacity={"other.*": 5})  # two round trips: no script to read in

    assert layer.can_read_along() is False
    with pytest.raises(ValueError):
        await layer.group_send_many(["user.a"], {"type": "relay"}, read_keys=["along:present"])


@pytest.mark.redis
async def test_when_the_processs_reader_fails_every_waiting_receive_raises_and_the_next_one_reads_again(monkeypatch):
    # Given two sockets' receives waiting on a process key whose next read fails once (Redis went away)
    layer = _layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    real = layer.receive_single
    failures = [RedisConnectionError("gone")]

    async def failing_once(channel):
        if failures:
            await asyncio.sleep(0.1)
            raise failures.pop()
        return await real(channel)

    monkeypatch.setattr(layer, "receive_single", failing_once)
    waiting = [asyncio.create_task(layer.receive(channel)) for channel in (first, second)]

    # Then both hear of the failure (their sockets close with 1011)
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert [type(result) for result in results] == [RedisConnectionError, RedisConnectionError]

    # And a later receive starts a new reader, which delivers
    await layer.send(first, {"type": "relay", "n": 1})
    assert (await asyncio.wait_for(layer.receive(first), 2))["n"] == 1
    await layer.flush()
