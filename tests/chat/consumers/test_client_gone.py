"""A client that leaves while the server still has something for it (the acknowledgement of its last command, a
message to it): the server's send fails as ASGI says it must (an OSError: uvicorn's ClientDisconnected). What the
client sent is kept, the others still receive it, nothing is logged, and the socket is released as on any close."""

import asyncio
import logging
import uuid

import pytest
from asgiref.sync import sync_to_async
from uvicorn.protocols.utils import ClientDisconnected

from bantu.asgi import application
from bantu.core import realtime
from chat.models import Message

from ..helpers import command, connect, receive

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("_close_thread_connections")]


def leaving_app(gone: asyncio.Event):
    """Bantu's application, served as uvicorn does once the client has gone: after `gone` is set, every frame the
    server sends raises ClientDisconnected."""

    async def app(scope, receive, send):
        async def send_until_gone(message):
            if gone.is_set() and message["type"] in ("websocket.send", "websocket.close"):
                raise ClientDisconnected
            await send(message)

        await application(scope, receive, send_until_gone)

    return app


async def test_a_client_gone_before_its_acknowledgement_and_its_events(conversation, owner, freelancer, caplog):
    # Given the owner's socket, whose client leaves (nothing can be sent to it any more), and the freelancer's
    gone = asyncio.Event()
    owner_ws, freelancer_ws = await connect(owner, app=leaving_app(gone)), await connect(freelancer)
    gone.set()

    with caplog.at_level(logging.WARNING):
        # When the owner's last command arrives (its acknowledgement cannot be sent), and then the freelancer
        # answers (its message.created cannot be sent to the owner either)
        client_id = str(uuid.uuid4())
        await command(owner_ws, type="message.send", conversation=str(conversation.pk), body="Halo",
                      client_id=client_id)
        first = await receive(freelancer_ws)
        await command(freelancer_ws, type="message.send", conversation=str(conversation.pk), body="Siap",
                      client_id=str(uuid.uuid4()))
        assert (await receive(freelancer_ws))["type"] == "message.ack"
        await receive(freelancer_ws)  # its own message.created
        await asyncio.sleep(0.3)  # the owner's socket has had time to fail on the relay
        await owner_ws.disconnect()

    # Then the owner's message was stored once and reached the freelancer, both messages are there, nothing was
    # logged, and the owner's socket was released (no longer present)
    assert first["type"] == "message.created" and first["message"]["client_id"] == client_id
    assert await sync_to_async(Message.objects.count)() == 2
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == []
    assert await sync_to_async(realtime.online_among)([owner.pk, freelancer.pk]) == {freelancer.pk}
    await freelancer_ws.disconnect()
