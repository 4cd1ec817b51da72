"""A socket's clean-up when it closes: it leaves its user's group and counts itself out of the user's presence,
even when the channel layer's pool is busy or failing, and nothing it meets escapes the consumer."""

import asyncio
import logging

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from redis.exceptions import ConnectionError as RedisConnectionError

from bantu.core import realtime
from chat import consumers

from ..helpers import connect

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("_close_thread_connections")]


@pytest.fixture(autouse=True)
def _short_pauses(monkeypatch):
    monkeypatch.setattr(consumers, "RELEASE_PAUSE_SECONDS", 0.01)


def _failing(times: int, real, calls: list):
    """`real`, failing as an exhausted redis-py pool does for the first `times` calls."""

    async def step(*args):
        calls.append(args)
        if len(calls) <= times:
            raise RedisConnectionError("No connection available.")
        return await real(*args)

    return step


async def _members(group) -> int:
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # the in-memory layer
        return len(layer.groups.get(group, {}))
    return await layer.connection(layer.consistent_hash(group)).zcard(layer._group_key(group))


async def _online(user) -> bool:
    return bool(await sync_to_async(realtime.online_among)([user.pk]))


async def test_a_group_discard_that_fails_twice_is_retried_and_the_socket_leaves_its_group(owner, monkeypatch):
    layer, calls = get_channel_layer(), []
    socket = await connect(owner)
    monkeypatch.setattr(layer, "group_discard", _failing(2, layer.group_discard, calls))

    await socket.disconnect()

    assert len(calls) == 3
    assert await _members(realtime.user_group(owner.pk)) == 0
    assert await _online(owner) is False


async def test_a_group_discard_that_always_fails_still_releases_presence_and_raises_nothing(owner, monkeypatch,
                                                                                            caplog):
    layer, calls = get_channel_layer(), []
    socket = await connect(owner)
    monkeypatch.setattr(layer, "group_discard", _failing(100, layer.group_discard, calls))

    with caplog.at_level(logging.ERROR, logger="chat.consumers"):
        await socket.disconnect()  # re-raises whatever escaped the consumer

    assert len(calls) == consumers.RELEASE_ATTEMPTS
    assert await _online(owner) is False
    assert f"Socket of user {owner.pk}: leaving its group failed 4 times" in caplog.text


async def test_a_failing_presence_update_still_leaves_the_group_and_raises_nothing(owner, monkeypatch, caplog):
    calls = []

    def broken(user_id):
        calls.append(user_id)
        raise RedisConnectionError("Connection refused.")

    socket = await connect(owner)
    monkeypatch.setattr(realtime, "socket_closed", broken)

    with caplog.at_level(logging.ERROR, logger="chat.consumers"):
        await socket.disconnect()

    assert calls == [owner.pk] * consumers.RELEASE_ATTEMPTS
    assert await _members(realtime.user_group(owner.pk)) == 0
    assert f"Socket of user {owner.pk}: presence failed 4 times" in caplog.text


@pytest.mark.redis
async def test_sockets_closing_at_once_on_a_two_connection_pool_all_clean_up(monkeypatch):
    """The real Redis layer with a pool of two connections (one of them held by the receive loop): thirty sockets
    open and close at once; their group_add and group_discard wait for a connection instead of failing."""
    from tests.factories import UserFactory

    layer = get_channel_layer()
    monkeypatch.setitem(layer.hosts[0], "max_connections", 2)
    users = await sync_to_async(lambda: [UserFactory() for _ in range(30)])()

    sockets = await asyncio.gather(*(connect(user) for user in users))
    joined = [await _members(realtime.user_group(user.pk)) for user in users]
    await asyncio.gather(*(socket.disconnect() for socket in sockets))

    assert joined == [1] * 30
    assert [await _members(realtime.user_group(user.pk)) for user in users] == [0] * 30
    assert [await _online(user) for user in users] == [False] * 30


@pytest.mark.redis
def test_presence_counts_each_socket_of_a_user_on_redis(owner):
    from django.core.cache import cache

    realtime.socket_opened(owner.pk)
    realtime.socket_opened(owner.pk)
    realtime.socket_closed(owner.pk)
    online_with_one = realtime.online_among([owner.pk])
    ttl = cache.ttl(f"presence:{owner.pk}")
    realtime.socket_closed(owner.pk)

    assert online_with_one == {owner.pk}
    assert 0 < ttl <= realtime.PRESENCE_TTL
    assert realtime.online_among([owner.pk]) == set()
    assert cache.get(f"presence:{owner.pk}") is None


async def test_events_reach_a_socket_without_a_hop_to_the_sync_thread(owner, monkeypatch):
    """Channels closes stale database connections before every handler, through its one sync thread; a room's
    message then queued one hop per socket there. The consumer base dispatches without it."""
    import channels.consumer

    hops = []

    async def counted():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    socket = await connect(owner)
    await get_channel_layer().group_send(realtime.user_group(owner.pk),
                                         {"type": "relay", "payload": {"type": "ping.test"}})

    received = await socket.receive_json_from(timeout=3)
    await socket.disconnect()

    assert received == {"type": "ping.test"}
    assert hops == []
