"""Helpers of the chat tests: URLs, REST calls, sockets."""

import asyncio
import functools
import json
import uuid
from pathlib import Path

import yaml
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.services import tokens_issue
from bantu.asgi import application
from chat import services
from chat.asyncapi import validate_payload
from tests.conftest import client_for
from tests.factories import MessageFactory

API = "/api/v1"
CONVERSATIONS = f"{API}/conversations/"
PROBLEM = "application/problem+json"
QUIET = 0.3  # seconds of silence that count as "nothing arrives"


def conversation_url(conversation, action: str = "") -> str:
    return f"{CONVERSATIONS}{conversation.pk}/{action + '/' if action else ''}"


def messages_url(conversation) -> str:
    return conversation_url(conversation, "messages")


def report_url(message_id) -> str:
    return f"{API}/messages/{message_id}/report/"


def open_for_proposal(user, proposal):
    return services.conversation_open_for_proposal(user=user, proposal=proposal)[0]


def send(user, conversation, body: str = "Halo, apa kabar?", client_id=None):
    """Store a message as `user` (`MessageFactory`: through the service, on-commit callbacks run as usual)."""
    return MessageFactory(conversation=conversation, sender=user, body=body, client_id=client_id or uuid.uuid4())


def post_message(user, conversation, body: str = "Halo, apa kabar?", client_id=None):
    return client_for(user).post(messages_url(conversation),
                                 {"body": body, "client_id": str(client_id or uuid.uuid4())}, format="json")


async def connect(user, app=application) -> WebsocketCommunicator:
    """`user`'s socket on `app` (Bantu's ASGI application unless a test wraps it), subscribed."""
    from asgiref.sync import sync_to_async

    access = (await sync_to_async(tokens_issue)(user=user))["access"]
    communicator = WebsocketCommunicator(app, f"/ws/?token={access}",
                                         headers=[(b"origin", b"http://localhost")])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    # The consumer joins the user's group after accepting; frames are handled after `connect()` has finished, so
    # the answer to this one proves that the socket is subscribed (and counted as online).
    await command(communicator, type="sync")
    answer = await receive(communicator)
    assert (answer["type"], answer.get("code"), answer.get("command")) == ("error", "unknown_command", "sync"), answer
    return communicator


async def command(communicator, **content) -> None:
    await communicator.send_to(text_data=json.dumps(content))


async def receive(communicator, timeout: float = 3) -> dict:
    return await communicator.receive_json_from(timeout=timeout)


async def nothing_arrives(*communicators: WebsocketCommunicator) -> bool:
    """True when none of `communicators` receives anything for QUIET seconds (they wait at the same time)."""
    return all(await asyncio.gather(*(communicator.receive_nothing(QUIET) for communicator in communicators)))


# The message of docs/asyncapi.yaml that documents each event the server sends, by its `type`.
SERVER_SENDS = {
    "message.ack": "messageAck",
    "message.created": "messageCreated",
    "message.read": "messageRead",
    "typing": "typingEvent",
    "notification.created": "notificationCreated",
    "error": "error",
}


@functools.cache
def asyncapi_document() -> dict:
    return yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "asyncapi.yaml").read_text())


def assert_documented(event: dict) -> None:
    """`event` is one the server documents (SERVER_SENDS) and fits that message's payload schema."""
    assert event.get("type") in SERVER_SENDS, event
    validate_payload(asyncapi_document(), SERVER_SENDS[event["type"]], event)
