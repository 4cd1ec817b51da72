"""Sessions and the sockets they opened: ending a session (or all of them) closes its sockets with 4401, and a socket
that missed the close is closed at its next command. The session API itself: tests/accounts/api/test_sessions.py."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts.models import AuthSession
from accounts.services import tokens_issue
from bantu.asgi import application
from notifications.models import Notification
from notifications.services import notify
from tests.accounts.helpers import LOGOUT_ALL, SESSIONS, bearer, sid, sign_in
from tests.chat.conftest import _close_thread_connections  # noqa: F401 (fixture)
from tests.chat.helpers import command, connect, receive
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_close_thread_connections")
async def test_logout_all_closes_open_sockets_with_4401_and_they_get_no_more_events():
    user = await sync_to_async(UserFactory)()
    socket = await connect(user)
    tokens = await sync_to_async(sign_in)(user, "phone")

    response = await sync_to_async(bearer(tokens["access"]).post)(LOGOUT_ALL)

    assert response.status_code == 204
    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    await sync_to_async(notify)(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_SUBMITTED, title="Setelah keluar")
    assert await socket.receive_nothing(timeout=0.5)


async def _connect(query: str):
    """A socket opened with `?token=` or `?ticket=`, once it has joined its groups (it answers a frame)."""
    communicator = WebsocketCommunicator(application, f"/ws/?{query}", headers=[(b"origin", b"http://localhost")])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await command(communicator, type="sync")
    assert (await receive(communicator))["code"] == "unknown_command"
    return communicator


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_close_thread_connections")
async def test_ending_one_session_closes_its_sockets_and_leaves_the_others_open():
    user = await sync_to_async(UserFactory)()
    phone = await sync_to_async(tokens_issue)(user=user, user_agent="phone")
    laptop = await sync_to_async(tokens_issue)(user=user, user_agent="laptop")
    ticket = (await sync_to_async(bearer(phone["access"]).post)("/api/v1/auth/ws-ticket/")).json()["ticket"]
    phone_sockets = [await _connect(f"token={phone['access']}"), await _connect(f"ticket={ticket}")]
    laptop_socket = await _connect(f"token={laptop['access']}")

    response = await sync_to_async(bearer(laptop["access"]).delete)(f"{SESSIONS}{sid(phone)}/")

    assert response.status_code == 204
    for socket in phone_sockets:
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    await command(laptop_socket, type="sync")
    assert (await receive(laptop_socket))["code"] == "unknown_command"  # still open, still answering
    await laptop_socket.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_close_thread_connections")
async def test_a_socket_of_an_ended_session_that_missed_the_close_is_closed_at_its_next_command():
    user = await sync_to_async(UserFactory)()
    phone = await sync_to_async(tokens_issue)(user=user, user_agent="phone")
    socket = await _connect(f"token={phone['access']}")
    # Ended behind the socket's back (no close message, as if the channel layer had lost it).
    await sync_to_async(AuthSession.objects.filter(pk=sid(phone)).update)(revoked_at=timezone.now())

    await command(socket, type="typing", conversation="01900000-0000-7000-8000-000000000000")

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
