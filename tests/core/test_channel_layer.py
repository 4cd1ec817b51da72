import asyncio

import pytest
from channels.layers import get_channel_layer


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
