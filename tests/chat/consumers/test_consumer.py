"""Chat over the socket (PRODUCT.md §4), through `bantu.asgi.application`: commands, the events they cause for the
other participants, errors that keep the socket open, rate limits, notifications, and catching up with
`?after=` after a reconnect. Two users, two sockets, one process (in-memory layer, or Redis when configured)."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError

from accounts.services import user_password_change, user_suspend
from chat.models import Message, Participant
from companies.models import Membership
from companies.services import membership_remove
from notifications.models import Notification
from notifications.services import notify
from tests.conftest import client_for

from ..helpers import command, connect, messages_url, nothing_arrives, post_message, receive, send

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("_close_thread_connections")]

def wire(message) -> dict:
    """A message as the socket events carry it."""
    return {"id": str(message.id), "conversation": str(message.conversation_id), "sender": str(message.sender_id),
            "seq": message.seq, "body": message.body, "client_id": str(message.client_id),
            "created_at": message.created_at.isoformat().replace("+00:00", "Z")}  # UTC, as REST renders it


@sync_to_async
def stored_messages() -> list:
    return list(Message.objects.order_by("conversation_id", "seq"))


@sync_to_async
def read_seq(conversation, user) -> int:
    return Participant.objects.get(conversation=conversation, user=user).last_read_seq


@sync_to_async
def notifications_of(user) -> list:
    """The user's `message.received` notifications (the proposal fixture notifies the company of itself)."""
    return list(Notification.objects.filter(user=user, kind=Notification.Kind.MESSAGE_RECEIVED)
                .order_by("created_at", "id"))


async def send_command(communicator, conversation, body="Halo, bisa mulai minggu ini?", client_id=None) -> str:
    client_id = str(client_id or uuid.uuid4())
    await command(communicator, type="message.send", conversation=str(conversation.pk), body=body,
                  client_id=client_id)
    return client_id


async def acked(communicator, client_id: str) -> dict:
    """Read up to the `message.ack` of `client_id` (skipping the echoes of earlier messages); its message."""
    while True:
        event = await receive(communicator)
        if event["type"] == "message.ack" and event["client_id"] == client_id:
            return event["message"]


async def close(*communicators) -> None:
    for communicator in communicators:
        await communicator.disconnect()


def error(code: str, status: int, title: str, detail: str, command_name, **extra) -> dict:
    return {"type": "error", "status": status, "title": title, "code": code, "detail": detail,
            "command": command_name, **extra}


# --- commands and their events -------------------------------------------------------------------------------


async def test_message_send_is_acked_and_broadcast_to_the_other_participant(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    client_id = await send_command(owner_ws, conversation, "Halo, bisa mulai minggu ini?")

    ack = await receive(owner_ws)
    (message,) = await stored_messages()
    assert (message.conversation_id, message.sender_id, message.seq, message.body, str(message.client_id)) == (
        conversation.pk, owner.pk, 1, "Halo, bisa mulai minggu ini?", client_id)
    assert ack == {"type": "message.ack", "client_id": client_id, "message": wire(message)}
    created = {"type": "message.created", "conversation": str(conversation.pk), "message": wire(message)}
    assert await receive(freelancer_ws) == created
    assert await receive(owner_ws) == created  # the sender's other devices stay in sync
    assert await nothing_arrives(freelancer_ws, owner_ws)
    await close(owner_ws, freelancer_ws)


async def test_message_read_is_stored_and_announced_to_the_other_participant(conversation, owner, freelancer):
    first, second = await sync_to_async(send)(owner, conversation, "Satu"), await sync_to_async(send)(
        owner, conversation, "Dua")
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    await command(freelancer_ws, type="message.read", conversation=str(conversation.pk), message=str(first.pk))

    event = {"type": "message.read", "conversation": str(conversation.pk), "user": str(freelancer.pk),
             "message": str(first.pk)}
    assert await receive(owner_ws) == event
    assert await receive(freelancer_ws) == event
    assert await read_seq(conversation, freelancer) == 1
    await command(freelancer_ws, type="message.read", conversation=str(conversation.pk), message=str(second.pk))
    assert (await receive(owner_ws))["message"] == str(second.pk)
    assert await read_seq(conversation, freelancer) == 2
    await close(owner_ws, freelancer_ws)


async def test_message_read_backwards_changes_nothing_and_announces_nothing(conversation, owner, freelancer):
    first, second = await sync_to_async(send)(owner, conversation, "Satu"), await sync_to_async(send)(
        owner, conversation, "Dua")
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)
    await command(freelancer_ws, type="message.read", conversation=str(conversation.pk), message=str(second.pk))
    assert (await receive(owner_ws))["message"] == str(second.pk)
    await receive(freelancer_ws)

    await command(freelancer_ws, type="message.read", conversation=str(conversation.pk), message=str(first.pk))

    assert await nothing_arrives(owner_ws, freelancer_ws)
    assert await read_seq(conversation, freelancer) == 2
    await close(owner_ws, freelancer_ws)


async def test_typing_reaches_the_others_only_and_stores_nothing(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    await command(owner_ws, type="typing", conversation=str(conversation.pk))

    assert await receive(freelancer_ws) == {"type": "typing", "conversation": str(conversation.pk),
                                            "user": str(owner.pk)}
    assert await nothing_arrives(owner_ws)
    assert await stored_messages() == []
    assert (await read_seq(conversation, owner), await read_seq(conversation, freelancer)) == (0, 0)
    await close(owner_ws, freelancer_ws)


@pytest.mark.parametrize("target", ["someone-elses", "unknown", "not-a-uuid"])
async def test_commands_to_a_conversation_i_am_not_in_answer_an_error_and_store_nothing(
        conversation, owner, freelancer, stranger, target):
    message = await sync_to_async(send)(owner, conversation, "Rahasia")
    owner_ws, freelancer_ws, stranger_ws = await connect(owner), await connect(freelancer), await connect(stranger)
    conversation_id = {"someone-elses": str(conversation.pk), "unknown": str(uuid.uuid4()),
                       "not-a-uuid": "percakapan-1"}[target]
    client_id = str(uuid.uuid4())

    await command(stranger_ws, type="message.send", conversation=conversation_id, body="Halo", client_id=client_id)
    sent = await receive(stranger_ws)
    await command(stranger_ws, type="typing", conversation=conversation_id)
    typed = await receive(stranger_ws)
    await command(stranger_ws, type="message.read", conversation=conversation_id, message=str(message.pk))
    read = await receive(stranger_ws)

    assert sent == error("not_in_conversation", 404, "Not found", "No such conversation.", "message.send",
                         client_id=client_id)
    assert typed == error("not_in_conversation", 404, "Not found", "No such conversation.", "typing")
    assert read == error("not_in_conversation", 404, "Not found", "No such conversation.", "message.read")
    assert [m.pk for m in await stored_messages()] == [message.pk]
    assert not await sync_to_async(Participant.objects.filter(user=stranger).exists)()
    assert await nothing_arrives(owner_ws, freelancer_ws)
    await close(owner_ws, freelancer_ws, stranger_ws)


async def test_same_client_id_twice_stores_one_message(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)
    client_id = str(uuid.uuid4())

    await send_command(owner_ws, conversation, "Halo", client_id)
    first = await receive(owner_ws)
    await receive(owner_ws)  # its message.created
    await send_command(owner_ws, conversation, "Halo", client_id)
    second = await receive(owner_ws)

    (message,) = await stored_messages()
    assert first == second == {"type": "message.ack", "client_id": client_id, "message": wire(message)}
    assert (await receive(freelancer_ws))["message"]["id"] == str(message.pk)
    assert await nothing_arrives(freelancer_ws, owner_ws)  # the resend is not broadcast again
    await close(owner_ws, freelancer_ws)


async def test_message_read_of_a_message_outside_the_conversation_is_an_error(conversation, owner, freelancer):
    owner_ws = await connect(owner)

    await command(owner_ws, type="message.read", conversation=str(conversation.pk), message=str(uuid.uuid4()))
    unknown = await receive(owner_ws)
    await command(owner_ws, type="message.read", conversation=str(conversation.pk), message="42")
    invalid = await receive(owner_ws)

    assert unknown == error("unknown_message", 400, "Bad request", "That message is not in this conversation.",
                            "message.read", errors={"message": ["Unknown message."]})
    assert invalid == error("validation_error", 400, "Bad request", "The request contains invalid fields.",
                            "message.read", errors={"message": ["Must be a valid UUID."]})
    await close(owner_ws)


async def test_message_read_without_a_message_reads_up_to_the_latest_as_over_rest(conversation, owner, freelancer):
    """`message` is optional, as in `POST conversations/{id}/read/`: the same input serializer."""
    await sync_to_async(send)(freelancer, conversation, "Satu")
    latest = await sync_to_async(send)(freelancer, conversation, "Dua")
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    await command(owner_ws, type="message.read", conversation=str(conversation.pk))

    event = await receive(freelancer_ws)
    assert (event["type"], event["message"]) == ("message.read", str(latest.pk))
    assert await read_seq(conversation, owner) == latest.seq
    await close(owner_ws)
    await close(freelancer_ws)


@pytest.mark.parametrize(("fields", "errors"), [
    ({"body": "a" * 5001}, {"body": ["Ensure this field has no more than 5000 characters."]}),
    ({"body": "   "}, {"body": ["This field may not be blank."]}),
    ({"body": 42}, {"body": ["Must be a string."]}),
    ({"client_id": "bukan-uuid"}, {"client_id": ["Must be a valid UUID."]}),
    ({"client_id": None}, {"client_id": ["This field is required."]}),
], ids=["too-long", "blank", "not-a-string", "bad-client-id", "no-client-id"])
async def test_invalid_message_send_is_the_rest_apis_problem_and_stores_nothing(conversation, owner, fields, errors):
    """The same input serializer and the same problem body as `POST conversations/{id}/messages/`; the event's
    `type` is `error`, and it names the command and its `client_id`."""
    owner_ws = await connect(owner)
    fields = {key: value for key, value in
              {"body": "Halo", "client_id": "5b0c9f5e-4a43-4bb0-9d3b-0a8f6f7f0c11", **fields}.items()
              if value is not None}

    await command(owner_ws, type="message.send", conversation=str(conversation.pk), **fields)
    event = await receive(owner_ws)
    over_rest = await sync_to_async(
        lambda: client_for(owner).post(messages_url(conversation), fields, format="json"))()

    reply_to = {"client_id": fields["client_id"]} if isinstance(fields.get("client_id"), str) else {}
    assert event == error("validation_error", 400, "Bad request", "The request contains invalid fields.",
                          "message.send", errors=errors, **reply_to)
    assert over_rest.status_code == 400
    assert event == {**over_rest.json(), "type": "error", "command": "message.send", **reply_to}
    assert await stored_messages() == []
    await close(owner_ws)


async def test_a_message_body_is_trimmed_on_the_socket_as_over_rest(conversation, owner, freelancer):
    owner_ws = await connect(owner)

    client_id = await send_command(owner_ws, conversation, "  Halo  ")
    ack = await acked(owner_ws, client_id)
    over_rest = await sync_to_async(post_message)(owner, conversation, "  Apa kabar?  ")

    assert ack["body"] == "Halo"
    assert over_rest.json()["body"] == "Apa kabar?"
    await close(owner_ws)


# --- frames that are not commands ----------------------------------------------------------------------------


async def assert_still_usable(communicator, conversation) -> None:
    client_id = await send_command(communicator, conversation, "Masih tersambung?")
    ack = await receive(communicator)
    assert (ack["type"], ack["client_id"], ack["message"]["body"]) == ("message.ack", client_id, "Masih tersambung?")


async def test_oversized_frame_is_refused_and_the_socket_stays_usable(conversation, owner):
    owner_ws = await connect(owner)
    frame = json.dumps({"type": "message.send", "conversation": str(conversation.pk), "body": "a" * (16 * 1024),
                        "client_id": str(uuid.uuid4())})
    assert len(frame.encode()) > 16 * 1024

    await owner_ws.send_to(text_data=frame)

    assert await receive(owner_ws) == error("frame_too_large", 413, "Payload too large",
                                            "Frames are limited to 16384 bytes.", None)
    assert await stored_messages() == []
    await assert_still_usable(owner_ws, conversation)
    await close(owner_ws)


@pytest.mark.parametrize(("frame", "code", "detail", "command_name"), [
    ({"text_data": "{not json"}, "malformed_frame", "Not valid JSON.", None),
    ({"text_data": "[1, 2, 3]"}, "malformed_frame", "Expected a JSON object with a `type`.", None),
    ({"text_data": '"message.send"'}, "malformed_frame", "Expected a JSON object with a `type`.", None),
    ({"text_data": '{"body": "tanpa type"}'}, "malformed_frame", "Expected a JSON object with a `type`.", None),
    ({"text_data": '{"type": "message.delete"}'}, "unknown_command", "Unknown command 'message.delete'.",
     "message.delete"),
    ({"bytes_data": b'{"type": "typing"}'}, "text_frames_only", "Send JSON text frames.", None),
    ({"text_data": "[" * 5000 + "]" * 5000}, "malformed_frame", "Not valid JSON.", None),
    ({"text_data": '{"type": "message.send", "body": "\\ud800"}'}, "malformed_frame", "Not valid JSON.", None),
    ({"text_data": '{"type": "message.send", "body": "a\\u0000b"}'}, "malformed_frame", "Not valid JSON.", None),
    ({"text_data": '{"type": "typing", "type": "message.send"}'}, "malformed_frame", "Not valid JSON.", None),
], ids=["malformed-json", "array", "string", "no-type", "unknown-command", "binary", "deep", "surrogate", "nul",
        "duplicate-key"])
async def test_bad_frames_answer_an_error_and_the_socket_stays_open(conversation, owner, frame, code, detail,
                                                                    command_name):
    owner_ws = await connect(owner)

    await owner_ws.send_to(**frame)

    assert await receive(owner_ws) == error(code, 400, "Bad request", detail, command_name)
    await assert_still_usable(owner_ws, conversation)
    await close(owner_ws)


@pytest.mark.parametrize(("failure", "expected"), [
    (RuntimeError("a bug"), error("server_error", 500, "Internal server error",
                                  "An unexpected error occurred. It has been logged.", "typing")),
    (OperationalError("server closed the connection unexpectedly"),
     error("database_unavailable", 503, "Service unavailable",
           "The database is unavailable. Nothing was saved; retry in a moment.", "typing")),
], ids=["bug", "database-down"])
async def test_a_failing_command_answers_the_rest_apis_problem_and_the_socket_stays_open(
        conversation, owner, monkeypatch, caplog, failure, expected):
    def fail(**kwargs):
        raise failure

    owner_ws = await connect(owner)
    monkeypatch.setattr("chat.services.typing_announce", fail)

    await command(owner_ws, type="typing", conversation=str(conversation.pk))

    assert await receive(owner_ws) == expected
    assert ("Socket command 'typing'" in caplog.text) is isinstance(failure, RuntimeError)
    await assert_still_usable(owner_ws, conversation)
    await close(owner_ws)


async def test_a_burst_of_sends_is_rate_limited(conversation, owner):
    owner_ws = await connect(owner)
    burst = 60  # 20 at once, then 5 a second: limited unless a send took over 130 ms

    client_ids = [await send_command(owner_ws, conversation, f"Pesan {index}") for index in range(burst)]
    replies = {}
    while len(replies) < burst:
        event = await receive(owner_ws, timeout=10)
        if event["type"] in ("message.ack", "error"):
            replies[event["client_id"]] = event

    acked = [cid for cid in client_ids if replies[cid]["type"] == "message.ack"]
    limited = [cid for cid in client_ids if replies[cid]["type"] == "error"]
    assert acked[:20] == client_ids[:20]  # the burst allowance
    assert len(limited) >= 1
    assert {replies[cid]["code"] for cid in limited} == {"rate_limited"}
    assert replies[limited[0]] == error("rate_limited", 429, "Too many requests", "Too many commands; slow down.",
                                        "message.send", client_id=limited[0])
    assert sorted(str(m.client_id) for m in await stored_messages()) == sorted(acked)
    await close(owner_ws)


# --- REST and notifications reach the sockets ----------------------------------------------------------------


async def test_a_message_posted_over_rest_is_broadcast_as_message_created(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    response = await sync_to_async(post_message)(freelancer, conversation, "Dikirim lewat REST")

    assert response.status_code == 201, response.content
    (message,) = await stored_messages()
    created = {"type": "message.created", "conversation": str(conversation.pk), "message": wire(message)}
    assert await receive(owner_ws) == created
    assert await receive(freelancer_ws) == created
    assert await nothing_arrives(owner_ws)
    await close(owner_ws, freelancer_ws)


async def test_a_read_over_rest_is_broadcast_as_message_read(conversation, owner, freelancer):
    message = await sync_to_async(send)(freelancer, conversation, "Sudah dibaca?")
    freelancer_ws = await connect(freelancer)

    response = await sync_to_async(lambda: client_for(owner).post(
        f"/api/v1/conversations/{conversation.pk}/read/", {}, format="json"))()

    assert response.status_code == 204, response.content
    assert await receive(freelancer_ws) == {"type": "message.read", "conversation": str(conversation.pk),
                                            "user": str(owner.pk), "message": str(message.pk)}
    await close(freelancer_ws)


async def test_notification_created_reaches_the_users_socket(owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    # Transactional test: autocommit, so notify's on_commit delivery runs at once.
    (notification,) = await sync_to_async(notify)(user_ids=[freelancer.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED,
                                                  title="Proposal diterima", body="Selamat!", data={"proposal": "p1"})

    assert await receive(freelancer_ws) == {"type": "notification.created", "notification": {
        "id": str(notification.pk), "kind": "proposal.accepted",
        "title": "Proposal diterima", "body": "Selamat!", "data": {"proposal": "p1"}, "read_at": None,
        "created_at": notification.created_at.isoformat().replace("+00:00", "Z")}}
    assert await nothing_arrives(owner_ws)
    await close(owner_ws, freelancer_ws)


async def test_an_offline_participant_gets_a_message_received_notification(conversation, owner, freelancer):
    owner_ws = await connect(owner)

    await acked(owner_ws, await send_command(owner_ws, conversation, "Kamu sedang offline"))

    (message,) = await stored_messages()
    (notification,) = await notifications_of(freelancer)
    assert (notification.kind, notification.title, notification.body, notification.data) == (
        "message.received", "New message", "Kamu sedang offline",
        {"conversation": str(conversation.pk), "message": str(message.pk)})
    assert await notifications_of(owner) == []
    await close(owner_ws)


async def test_a_connected_participant_gets_no_notification_until_they_disconnect(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)

    await acked(owner_ws, await send_command(owner_ws, conversation, "Kamu sedang online"))
    assert (await receive(freelancer_ws))["type"] == "message.created"
    online = await notifications_of(freelancer)
    await freelancer_ws.disconnect()
    await acked(owner_ws, await send_command(owner_ws, conversation, "Sekarang offline"))

    assert online == []
    assert [(n.kind, n.body) for n in await notifications_of(freelancer)] == [("message.received", "Sekarang offline")]
    assert await notifications_of(owner) == []
    await close(owner_ws)


async def test_a_long_preview_is_cut_in_the_notification(conversation, owner, freelancer):
    body = "x" * 300

    await sync_to_async(send)(owner, conversation, body)

    (notification,) = await notifications_of(freelancer)
    assert notification.body == "x" * 140


# --- reconnect -----------------------------------------------------------------------------------------------


async def test_after_a_reconnect_after_returns_exactly_the_missed_messages(conversation, owner, freelancer):
    owner_ws, freelancer_ws = await connect(owner), await connect(freelancer)
    await acked(owner_ws, await send_command(owner_ws, conversation, "Sebelum putus"))  # announced by now
    last_seen = (await receive(freelancer_ws))["message"]
    await freelancer_ws.disconnect()

    missed = [await acked(owner_ws, await send_command(owner_ws, conversation, body))
              for body in ("Satu", "Dua", "Tiga")]
    freelancer_ws = await connect(freelancer)
    response = await sync_to_async(lambda: client_for(freelancer).get(messages_url(conversation),
                                                                      {"after": last_seen["id"]}))()

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [(row["id"], row["seq"], row["body"]) for row in rows] == [
        (message["id"], message["seq"], message["body"]) for message in missed]
    assert [row["seq"] for row in rows] == [2, 3, 4]
    assert await nothing_arrives(freelancer_ws)  # nothing is replayed on the socket itself
    assert [n.body for n in await notifications_of(freelancer)] == ["Satu", "Dua", "Tiga"]
    await close(owner_ws, freelancer_ws)


# --- access changes while a socket is open -------------------------------------------------------------------


async def test_a_member_removed_from_the_company_can_no_longer_post(conversation, company, owner, recruiter):
    recruiter_ws = await connect(recruiter)
    await command(recruiter_ws, type="typing", conversation=str(conversation.pk))  # allowed while a member
    assert await nothing_arrives(recruiter_ws)
    membership = await sync_to_async(Membership.objects.get)(company=company, user=recruiter)
    await sync_to_async(membership_remove)(membership=membership, actor=owner)

    client_id = await send_command(recruiter_ws, conversation, "Saya sudah bukan anggota")

    assert await receive(recruiter_ws) == error("not_in_conversation", 404, "Not found", "No such conversation.",
                                                "message.send", client_id=client_id)
    assert await stored_messages() == []
    await close(recruiter_ws)


async def test_suspension_closes_the_users_open_sockets_at_once(conversation, owner, freelancer):
    freelancer_ws, owner_ws = await connect(freelancer), await connect(owner)

    await sync_to_async(user_suspend)(user=freelancer, reason="Penipuan")

    assert await freelancer_ws.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    client_id = await send_command(owner_ws, conversation, "Masih ada?")
    assert (await acked(owner_ws, client_id))["body"] == "Masih ada?"  # the other side's socket is untouched
    await close(owner_ws)


async def test_a_password_change_closes_the_users_open_sockets_at_once(freelancer, password):
    freelancer_ws = await connect(freelancer)

    await sync_to_async(user_password_change)(user=freelancer, old_password=password,
                                              new_password="Another-Horse-97")

    assert await freelancer_ws.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}


async def test_on_shutdown_every_open_socket_closes_with_1001_once(freelancer, owner):
    """The in-process half of tests/faults/test_shutdown.py: what the SIGTERM handler runs."""
    from bantu.core.consumers import close_open_sockets

    await close_open_sockets()  # sockets an earlier test in this process left open
    sockets = [await connect(freelancer), await connect(owner)]

    closed = await close_open_sockets()

    assert closed == 2
    for communicator in sockets:
        assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 1001}
    assert await close_open_sockets() == 0  # closed sockets are forgotten: no second close frame
    for communicator in sockets:
        await communicator.disconnect()
