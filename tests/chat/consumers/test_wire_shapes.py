"""One JSON shape per entity (issue 13): the same chat message and the same notification are the same bytes in
the REST answer, the socket event and the push payload, with times in UTC."""

import json

import pytest
from asgiref.sync import sync_to_async

from bantu.core.renderers import JSONRenderer
from notifications.models import Notification
from notifications.push import encode_payload
from notifications.services import notify, push_payload
from tests.conftest import client_for

from ..helpers import connect, post_message

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("_close_thread_connections")]


async def frame(communicator) -> str:
    return await communicator.receive_from(timeout=3)


async def test_a_message_is_the_same_bytes_over_rest_and_on_the_socket(conversation, owner, freelancer):
    owner_ws = await connect(owner)

    response = await sync_to_async(post_message)(freelancer, conversation, "Harga final Rp2.500.000 — “oke”?")
    event = await frame(owner_ws)
    await owner_ws.disconnect()

    assert response.status_code == 201, response.content
    rest = response.content.decode()
    assert json.loads(rest)["created_at"].endswith("Z")  # UTC
    assert json.loads(event)["type"] == "message.created"
    assert f'"message":{rest}' in event


async def test_a_notification_is_the_same_bytes_over_rest_on_the_socket_and_in_the_push(freelancer):
    freelancer_ws = await connect(freelancer)

    (stored,) = await sync_to_async(notify)(user_ids=[freelancer.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED,
                                            title="Proposal diterima ✓", body="Selamat, “Desain logo”!",
                                            data={"proposal": "p1"})
    event = await frame(freelancer_ws)
    await freelancer_ws.disconnect()
    listed = await sync_to_async(lambda: client_for(freelancer).get("/api/v1/notifications/"))()
    push = await sync_to_async(lambda: encode_payload(push_payload(Notification.objects.get(pk=stored.pk))))()

    assert listed.status_code == 200, listed.content
    (item,) = listed.json()["results"]
    rest = JSONRenderer().render(item).decode()  # the entity's bytes within the page, as the API renders them
    assert rest in listed.content.decode()
    assert item["created_at"].endswith("Z")  # UTC
    assert f'"notification":{rest}' in event
    assert push.decode() == rest


async def test_the_shapes_hold_plain_json_values_as_the_redis_layer_needs(conversation, freelancer):
    """The Redis channel layer packs events with msgpack, which takes no UUID or datetime objects: a related field
    rendered as a UUID object reached the in-memory layer but was dropped on Redis."""
    from chat.serializers import message_json
    from notifications.serializers import notification_json
    from tests.chat.helpers import send

    message = await sync_to_async(send)(freelancer, conversation, "Halo")
    (stored,) = await sync_to_async(notify)(user_ids=[freelancer.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED,
                                            title="Diterima")

    for shape in (message_json(message), notification_json(stored)):
        assert json.loads(json.dumps(shape)) == shape  # no encoder needed: strings, numbers, None, dicts


async def test_a_messages_shape_is_made_once_and_is_the_serializers(conversation, freelancer):
    """The broadcast and the sender's acknowledgement of a send share one dict (a stored message never changes)."""
    from chat.serializers import MessageSerializer, message_json
    from tests.chat.helpers import send

    message = await sync_to_async(send)(freelancer, conversation, "Halo")

    assert message_json(message) is message_json(message)
    assert message_json(message) == MessageSerializer(message).data
