"""Socket fuzzing: Hypothesis sends runs of frames to one signed-in socket (`bantu.asgi.application`, in process,
the configured channel layer): commands whose every field is the right value, another conversation's, an unknown
id, or any JSON at all; JSON of any shape; arbitrary text, binary and oversized frames. After each frame a probe
(an unknown command) marks where its answers end. Whatever was sent:

- every event the server sends fits docs/asyncapi.yaml (the payload schema of the message of its `type`);
- an `error` event is a 4xx: a 500 is a bug, whatever the frame (the database is up);
- the socket stays open (a close fails the receive);
- every message stored by the run was acknowledged, every acknowledgement names a stored message (a `client_id`
  sent again gets the first one), and one `client_id` stores one message;
- afterwards the socket still chats.

`FUZZ_EXAMPLES` times 10 runs of up to eight frames (`make fuzz`, and so `.ci/run`); derandomized, like the schema
fuzzing beside it. The example-based cases of the same kind are tests/chat/consumers/test_consumer.py's."""

import asyncio
import json
import os
import threading
import uuid

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chat.models import Message
from tests.chat.conftest import _close_thread_connections  # noqa: F401 - a fixture, used by name
from tests.chat.helpers import assert_documented, connect
from tests.factories import ConversationFactory, JobFactory, MessageFactory, ProposalFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("_close_thread_connections")]

RUNS = int(os.environ.get("FUZZ_EXAMPLES") or 5) * 10
PROBE = json.dumps({"type": "fuzz.probe"})

# Placeholders for the run's real ids, put in when a frame is sent.
OURS, OTHERS, OUR_MESSAGE = "<our conversation>", "<another conversation>", "<a message of ours>"
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
UUIDS = st.uuids().map(str)


def _field(good):
    return st.one_of(good, st.sampled_from([OURS, OTHERS, OUR_MESSAGE]), UUIDS, JSON)


COMMANDS = st.fixed_dictionaries(
    {"type": st.sampled_from(["message.send", "typing", "message.read"]) | st.text(max_size=15)},
    optional={"conversation": _field(st.just(OURS)), "body": _field(st.text(max_size=300)),
              "client_id": _field(UUIDS), "message": _field(st.just(OUR_MESSAGE)), "extra": JSON})
FRAMES = st.one_of(
    COMMANDS.map(lambda command: ("json", command)),
    JSON.map(lambda value: ("json", value)),
    st.text(max_size=200).map(lambda text: ("text", text)),
    st.binary(max_size=64).map(lambda data: ("bytes", data)),
    st.sampled_from([("text", "[" * 20_000), ("text", json.dumps({"type": "message.send", "body": "a" * 17_000}))]),
)


@pytest.fixture
def event_loop_thread():
    """One event loop for the whole test, in a thread: the examples run on it one after another, so the channel
    layer's connections (bound to a loop) serve them all."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    asyncio.run_coroutine_threadsafe(_wind_down(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


async def _wind_down():
    """What is still running on the loop (a consumer's clean-up after a failed example) ends before it stops."""
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    if tasks:
        await asyncio.wait(tasks, timeout=20)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture
def chat_world(company, owner, freelancer):
    job = JobFactory(company=company, posted_by=owner)
    ours = ConversationFactory(proposal=ProposalFactory(job=job, freelancer=freelancer), user=owner)
    others = ConversationFactory()  # another company's, with another freelancer
    message = MessageFactory(conversation=ours, sender=freelancer)
    return {"owner": owner, "ids": {OURS: str(ours.pk), OTHERS: str(others.pk), OUR_MESSAGE: str(message.pk)},
            "conversation": ours}


def _with_ids(value, ids: dict):
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_with_ids(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _with_ids(item, ids) for key, item in value.items()}
    return value


async def _play(user, frames, ids) -> list[dict]:
    """Send each frame, then the probe; the events up to the probe's answer. Then one good message (the socket
    still chats)."""
    socket = await connect(user)
    events = []
    for kind, value in [*frames, ("json", {"type": "message.send", "conversation": OURS, "body": "Masih di sini?",
                                          "client_id": str(uuid.uuid4())})]:
        # As the server hands frames to the consumer (send_to refuses an empty frame, which a client may send).
        if kind == "bytes":
            await socket.send_input({"type": "websocket.receive", "bytes": value})
        else:
            text = json.dumps(_with_ids(value, ids)) if kind == "json" else value
            await socket.send_input({"type": "websocket.receive", "text": text})
        await socket.send_to(text_data=PROBE)
        while (event := await socket.receive_json_from(timeout=10)).get("command") != "fuzz.probe":
            events.append(event)
        assert event["code"] == "unknown_command", event
    await socket.disconnect()
    return events


@given(frames=st.lists(FRAMES, max_size=8))
@hypothesis_settings(max_examples=RUNS, derandomize=True, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_frames_get_documented_answers_and_the_socket_stays_open(frames, chat_world, event_loop_thread):
    owner = chat_world["owner"]
    stored_before = set(Message.objects.filter(sender=owner).values_list("pk", flat=True))

    events = asyncio.run_coroutine_threadsafe(_play(owner, frames, chat_world["ids"]), event_loop_thread).result(60)

    for event in events:
        assert_documented(event)
        if event["type"] == "error":
            assert 400 <= event["status"] < 500, event
    acked = {event["message"]["id"] for event in events if event["type"] == "message.ack"}
    stored = {str(pk) for pk in Message.objects.filter(sender=owner).exclude(pk__in=stored_before)
              .values_list("pk", flat=True)}
    # Every message stored in this run was acknowledged; an acknowledgement names a message stored now, or before
    # when a `client_id` of an earlier run came again (the first message, replayed); one client_id, one message.
    assert stored <= acked
    assert acked <= stored | {str(pk) for pk in stored_before}
    mine = Message.objects.filter(sender=owner)
    assert mine.values("client_id").distinct().count() == mine.count()
    assert events[-1]["type"] in ("message.ack", "message.created")  # the last, good message went through
