from datetime import timedelta

import jwt
import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import tokens_issue, user_suspend
from bantu.asgi import application
from bantu.core.realtime import user_group

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def connect(query: str):
    communicator = WebsocketCommunicator(application, f"/ws/{query}", headers=[(b"origin", b"http://localhost")])
    connected, _ = await communicator.connect()
    return communicator, connected


async def assert_refused(query):
    communicator, connected = await connect(query)
    assert connected  # accepted first, so that the client can read the close code
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


@pytest.mark.parametrize("query", ["", "?token=", "?token=garbage", "?token=a.b.c"])
async def test_socket_without_a_valid_token_is_closed_4401(query):
    await assert_refused(query)


async def test_socket_with_an_expired_token_is_closed_4401(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))

    await assert_refused(f"?token={token}")


async def test_socket_of_a_suspended_user_is_closed_4401(user):
    from asgiref.sync import sync_to_async

    access = (await sync_to_async(tokens_issue)(user=user))["access"]
    await sync_to_async(user_suspend)(user=user)

    await assert_refused(f"?token={access}")


async def test_authenticated_socket_receives_events_for_its_user(user):
    from asgiref.sync import sync_to_async

    access = (await sync_to_async(tokens_issue)(user=user))["access"]
    communicator, connected = await connect(f"?token={access}")
    assert connected

    await get_channel_layer().group_send(user_group(user.pk), {"type": "relay", "payload": {"type": "ping"}})

    assert await communicator.receive_json_from(timeout=2) == {"type": "ping"}
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from(timeout=2))["type"] == "error"
    await communicator.disconnect()


async def test_a_signed_token_with_a_non_uuid_user_is_closed_4401():
    now = int(timezone.now().timestamp())
    token = jwt.encode({"token_type": "access", "exp": now + 300, "iat": now, "jti": "x" * 32,
                        "user_id": "not-a-uuid"}, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")

    await assert_refused(f"?token={token}")


# Native clients send no Origin; a browser's must be an allowed one.


@pytest.mark.parametrize(("headers", "accepted"), [([], True), ([(b"origin", b"http://localhost")], True),
                                                    ([(b"origin", b"https://evil.example")], False)],
                         ids=["native-no-origin", "allowed-browser", "foreign-browser"])
async def test_socket_origins(freelancer, headers, accepted):
    access = (await sync_to_async(tokens_issue)(user=freelancer))["access"]
    communicator = WebsocketCommunicator(application, f"/ws/?token={access}", headers=headers)

    connected, _ = await communicator.connect()

    assert connected is accepted
    await communicator.disconnect()


async def test_a_socket_closes_with_1011_when_the_channel_layer_is_down(freelancer, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {
        "hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.5}]}}}
    access = (await sync_to_async(tokens_issue)(user=freelancer))["access"]
    communicator = WebsocketCommunicator(application, f"/ws/?token={access}")

    connected, _ = await communicator.connect(timeout=5)

    assert connected
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 1011}


async def _ticket(user) -> str:
    from tests.conftest import client_for

    response = await sync_to_async(lambda: client_for(user).post("/api/v1/auth/ws-ticket/"))()
    assert response.status_code == 200
    assert response.json()["expires_in"] == 30
    return response.json()["ticket"]


async def test_a_ticket_opens_one_socket_once(freelancer):
    ticket = await _ticket(freelancer)

    first = WebsocketCommunicator(application, f"/ws/?ticket={ticket}")
    connected, _ = await first.connect()
    assert connected
    await first.send_to(text_data='{"type": "sync"}')
    assert (await first.receive_json_from(timeout=2))["code"] == "unknown_command"  # open and signed in
    await first.disconnect()

    await assert_refused(f"?ticket={ticket}")


async def test_a_ticket_dies_with_the_users_tokens(freelancer):
    ticket = await _ticket(freelancer)
    await sync_to_async(user_suspend)(user=freelancer, reason="Penipuan")

    await assert_refused(f"?ticket={ticket}")


@pytest.mark.parametrize("query", ["?ticket=unknown", "?ticket=" + "x" * 500, "?ticket=&token="])
async def test_a_bad_ticket_is_refused(query):
    await assert_refused(query)


def test_credentials_are_redacted_from_the_access_log():
    import logging

    from bantu.core.websocket import RedactCredentials

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/ws/?token=eyJhbGciOi.abc.def&x=1", "1.1", 101), None)

    RedactCredentials().filter(record)

    assert record.getMessage() == '127.0.0.1:5000 - "GET /ws/?token=[redacted]&x=1 HTTP/1.1" 101'


def test_credentials_are_redacted_from_the_websocket_handshake_line():
    import logging

    import bantu.asgi  # noqa: F401  (installs the filters, as the server does when it loads the application)

    record = logging.LogRecord("uvicorn.error", logging.INFO, "", 0, '%s - "WebSocket %s" [accepted]',
                               ("127.0.0.1:5000", "/ws/?ticket=tk-secret&token=eyJhbGciOi.abc.def"), None)

    assert logging.getLogger("uvicorn.error").filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "WebSocket /ws/?ticket=[redacted]&token=[redacted]" [accepted]'
