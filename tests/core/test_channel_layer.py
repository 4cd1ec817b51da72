import asyncio
import sys

import pytest
from channels.layers import get_channel_layer
from redis.asyncio.connection import Connection
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
