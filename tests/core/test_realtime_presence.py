"""A broadcast that also says which recipients are online (`bantu.core.realtime.send_to_users(presence_of=...)`):
on Redis the presence counters are read in the broadcast's own round trip when the cache and the channel layer
share the server; otherwise, and on the embedded default, by `online_among` afterwards."""

import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer

from bantu.core import realtime


def _send_with_presence(online, offline):
    """`send_to_users` to both users, `online` with a socket counted open, asking which of them is online."""
    realtime.socket_opened(online)
    try:
        return realtime.send_to_users([online, offline], {"type": "hello"}, presence_of=[online, offline])
    finally:
        realtime.socket_closed(online)


@pytest.mark.redis
def test_presence_is_read_along_with_the_broadcast_when_the_cache_shares_the_layers_redis(monkeypatch):
    online, offline = uuid.uuid4(), uuid.uuid4()
    monkeypatch.setattr(realtime, "online_among", lambda user_ids: pytest.fail("read apart from the broadcast"))

    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(realtime.user_group(online), channel)
        try:
            answer = await asyncio.get_running_loop().run_in_executor(None, _send_with_presence, online, offline)
            return answer, await asyncio.wait_for(layer.receive(channel), 2)
        finally:
            await layer.group_discard(realtime.user_group(online), channel)

    answer, event = asyncio.run(run())

    assert answer == {online}
    assert event == {"type": "relay", "payload": {"type": "hello"}}


@pytest.mark.redis
def test_presence_is_read_apart_when_the_layer_is_on_another_redis(monkeypatch):
    from bantu.core.channel_layer import BantuChannelLayer

    shared = get_channel_layer()
    server, database = shared.hosts[0]["address"].rsplit("/", 1)
    other_database = (int(database or 0) + 1) % 16  # not the cache's, whichever the test process has
    elsewhere = BantuChannelLayer(hosts=[{**shared.hosts[0], "address": f"{server}/{other_database}"}],
                                  prefix=shared.prefix)
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: elsewhere)
    online, offline = uuid.uuid4(), uuid.uuid4()
    asked = []
    real_online_among = realtime.online_among
    monkeypatch.setattr(realtime, "online_among", lambda user_ids: asked.append(user_ids) or real_online_among(
        user_ids))

    assert _send_with_presence(online, offline) == {online}
    assert asked == [[online, offline]]


def test_presence_without_redis_is_online_among():
    online, offline = uuid.uuid4(), uuid.uuid4()

    assert _send_with_presence(online, offline) == {online}
