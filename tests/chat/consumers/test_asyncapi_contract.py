"""The frames the socket really sends and accepts fit docs/asyncapi.yaml: each event the server sends validates
against the payload schema of the message of its `type`, and so does each command that the server carries out."""

import uuid

import jsonschema
import pytest
from asgiref.sync import sync_to_async

from chat.asyncapi import validate_payload
from notifications.models import Notification
from notifications.services import notify

from ..helpers import assert_documented, asyncapi_document, command, connect, receive

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("_close_thread_connections"),
]


async def frames(communicator, count: int) -> list[dict]:
    return [await receive(communicator) for _ in range(count)]


async def sent(communicator, name: str, **content) -> None:
    """Send a command after checking it against its documented payload."""
    validate_payload(asyncapi_document(), name, content)
    await command(communicator, **content)


async def test_every_event_and_command_fits_the_asyncapi_document(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)
    conversation_id = str(conversation.pk)

    await sent(
        owner_ws,
        "messageSend",
        type="message.send",
        conversation=conversation_id,
        body="Halo!",
        client_id=str(uuid.uuid4()),
    )
    owner_events, freelancer_events = await frames(owner_ws, 2), await frames(freelancer_ws, 1)
    await sent(freelancer_ws, "typingCommand", type="typing", conversation=conversation_id)
    owner_events += await frames(owner_ws, 1)
    message_id = freelancer_events[0]["message"]["id"]
    await sent(
        freelancer_ws, "messageReadCommand", type="message.read", conversation=conversation_id, message=message_id
    )
    owner_events += await frames(owner_ws, 1)
    freelancer_events += await frames(freelancer_ws, 1)
    await sync_to_async(notify)(
        user_ids=[freelancer.pk],
        kind=Notification.Kind.PROPOSAL_ACCEPTED,
        title="Proposal accepted",
        data={"proposal": str(uuid.uuid4())},
    )
    freelancer_events += await frames(freelancer_ws, 1)
    await command(
        freelancer_ws, type="message.send", conversation=str(uuid.uuid4()), body="?", client_id=str(uuid.uuid4())
    )
    freelancer_events += await frames(freelancer_ws, 1)

    for event in owner_events + freelancer_events:
        assert_documented(event)
    assert sorted(event["type"] for event in owner_events) == [
        "message.ack",
        "message.created",
        "message.read",
        "typing",
    ]
    assert [event["type"] for event in freelancer_events] == [
        "message.created",
        "message.read",
        "notification.created",
        "error",
    ]
    assert freelancer_events[-1]["code"] == "not_in_conversation"
    await owner_ws.disconnect()
    await freelancer_ws.disconnect()


def test_a_frame_the_document_does_not_allow_is_refused_by_the_check():
    with pytest.raises(jsonschema.ValidationError, match="'body' is a required property"):
        validate_payload(
            asyncapi_document(),
            "messageSend",
            {"type": "message.send", "conversation": str(uuid.uuid4()), "client_id": str(uuid.uuid4())},
        )
