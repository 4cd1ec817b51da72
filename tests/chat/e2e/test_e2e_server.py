"""End to end: a real uvicorn server (2 worker processes, Redis channel layer, the test database) and real WebSocket
clients. A message sent on one socket reaches the other participant's sockets, whichever process holds them."""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from accounts.services import tokens_issue
from chat.models import Message, Participant

pytestmark = [pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BASE_DIR = Path(settings.BASE_DIR)
WAIT = 10  # seconds: the bound of every single wait
READERS = 5  # sockets of the reader: with 2 workers, all on the sender's process has odds of 1 in 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_database_url() -> str:
    db = settings.DATABASES["default"]  # inside a test: pytest-django's test database
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(**overrides) -> dict:
    """A server process's environment: the test database and Redis, the test keys, local hosts."""
    return dict(os.environ, DATABASE_URL=server_database_url(), REDIS_URL=settings.REDIS_URL,
                SECRET_KEY=settings.SECRET_KEY, JWT_SIGNING_KEY=settings.SIMPLE_JWT["SIGNING_KEY"],
                DB_CONN_MAX_AGE="0", ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1") | overrides


def start_server(port: int, log, *, workers: int = 2, env: dict | None = None) -> subprocess.Popen:
    """uvicorn with the flags of `make run` and the image, on the test database. `env` adds or overrides
    variables (e.g. another REDIS_URL)."""
    env = server_env(**(env or {}))
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bantu.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--lifespan", "off", "--no-proxy-headers", "--timeout-graceful-shutdown", "5"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(process: subprocess.Popen) -> None:
    for sig, grace in ((signal.SIGTERM, WAIT), (signal.SIGKILL, WAIT)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)


def wait_healthy(process: subprocess.Popen, port: int, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}:\n{server_log(log)}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer /healthz within 30 s:\n{server_log(log)}")


def server_log(log) -> str:
    log.flush()
    return Path(log.name).read_text(errors="replace")[-5000:]


async def receive(ws, *types: str) -> dict:
    """The next event of one of `types` (others, e.g. the echo of one's own message, are skipped)."""
    async with asyncio.timeout(WAIT):
        while True:
            event = json.loads(await ws.recv())
            if event["type"] in types:
                return event


async def open_socket(port: int, token: str):
    ws = await connect(f"ws://127.0.0.1:{port}/ws/?token={token}", origin=f"http://127.0.0.1:{port}",
                       open_timeout=WAIT, close_timeout=2)
    # Frames are handled once the consumer has joined the user's group: this answer proves the subscription.
    await ws.send(json.dumps({"type": "sync"}))
    answer = await receive(ws, "error")
    assert (answer["code"], answer["command"]) == ("unknown_command", "sync")
    return ws


async def scenario(port: int, conversation_id: str, sender_token: str, reader_token: str) -> dict:
    sender = await open_socket(port, sender_token)
    # Several sockets for the reader, so that some are on the worker process that does not hold the sender's.
    readers = [await open_socket(port, reader_token) for _ in range(READERS)]
    try:
        client_id = str(uuid.uuid4())
        await sender.send(json.dumps({"type": "message.send", "conversation": conversation_id,
                                      "body": "Halo dari server sungguhan", "client_id": client_id}))
        ack = await receive(sender, "message.ack", "error")
        created = [await receive(reader, "message.created", "error") for reader in readers]
        message = ack["message"]
        await readers[0].send(json.dumps({"type": "message.read", "conversation": conversation_id,
                                          "message": message["id"]}))
        read = await receive(sender, "message.read", "error")
        return {"client_id": client_id, "ack": ack, "created": created, "read": read}
    finally:
        for ws in (sender, *readers):
            await ws.close()


async def refused(port: int) -> int:
    async with connect(f"ws://127.0.0.1:{port}/ws/?token=garbage", origin=f"http://127.0.0.1:{port}",
                       open_timeout=WAIT, close_timeout=2) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(WAIT):
                await ws.recv()
    return closed.value.rcvd.code


def test_two_users_chat_through_a_real_server_with_two_workers(conversation, owner, freelancer):
    sender_token, reader_token = tokens_issue(user=owner)["access"], tokens_issue(user=freelancer)["access"]
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", prefix="bantu-uvicorn-", suffix=".log") as log:
        process = start_server(port, log)
        try:
            wait_healthy(process, port, log)
            result = asyncio.run(scenario(port, str(conversation.pk), sender_token, reader_token))
            close_code = asyncio.run(refused(port))
        finally:
            stop_server(process)
        output = server_log(log)

    stored = Message.objects.get()
    assert (stored.conversation_id, stored.sender_id, stored.seq, stored.body, str(stored.client_id)) == (
        conversation.pk, owner.pk, 1, "Halo dari server sungguhan", result["client_id"])
    wire = {"id": str(stored.pk), "conversation": str(conversation.pk), "sender": str(owner.pk), "seq": 1,
            "body": "Halo dari server sungguhan", "client_id": result["client_id"],
            "created_at": stored.created_at.isoformat().replace("+00:00", "Z")}  # UTC, as REST renders it
    assert result["ack"] == {"type": "message.ack", "client_id": result["client_id"], "message": wire}
    assert result["created"] == [{"type": "message.created", "conversation": str(conversation.pk),
                                  "message": wire}] * READERS
    assert result["read"] == {"type": "message.read", "conversation": str(conversation.pk),
                              "user": str(freelancer.pk), "message": str(stored.pk)}
    assert Participant.objects.get(conversation=conversation, user=freelancer).last_read_seq == 1
    assert close_code == 4401
    assert "Traceback" not in output, output


def start_wsgi_server(port: int, log, *, workers: int = 2) -> subprocess.Popen:
    """gunicorn as production serves HTTP (deploy/gunicorn.conf.py, bantu.wsgi), on the test database."""
    env = server_env(WEB_CONCURRENCY=str(workers))
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bantu.wsgi:application", "-c", "deploy/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def post_message(port: int, token: str, conversation_id: str, body: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/conversations/{conversation_id}/messages/", method="POST",
        data=json.dumps({"body": body, "client_id": str(uuid.uuid4())}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        assert response.status == 201
        return json.loads(response.read())


async def rest_to_sockets(http_port: int, ws_port: int, conversation_id: str, sender_token: str,
                          reader_token: str, count: int) -> tuple[list[dict], list[list[dict]]]:
    readers = [await open_socket(ws_port, reader_token) for _ in range(READERS)]
    try:
        sent = []
        for n in range(count):
            sent.append(await asyncio.to_thread(post_message, http_port, sender_token, conversation_id, f"pesan {n}"))
        received = [[(await receive(reader, "message.created"))["message"] for _ in range(count)]
                    for reader in readers]
        return sent, received
    finally:
        for ws in readers:
            await ws.close()


def test_messages_posted_over_wsgi_reach_sockets_on_the_asgi_server(conversation, owner, freelancer):
    """Production's split (docker-compose.yml): REST on gunicorn, sockets on uvicorn, the Redis channel layer
    between them. Every message posted over HTTP reaches every socket of the other participant, in order, and
    gunicorn's workers send from their process's loop thread (bantu.core.loop_thread) without errors."""
    sender_token, reader_token = tokens_issue(user=owner)["access"], tokens_issue(user=freelancer)["access"]
    http_port, ws_port = free_port(), free_port()
    with (tempfile.NamedTemporaryFile("w+", prefix="bantu-gunicorn-", suffix=".log") as http_log,
          tempfile.NamedTemporaryFile("w+", prefix="bantu-uvicorn-", suffix=".log") as ws_log):
        http, ws = start_wsgi_server(http_port, http_log), start_server(ws_port, ws_log)
        try:
            wait_healthy(http, http_port, http_log)
            wait_healthy(ws, ws_port, ws_log)
            sent, received = asyncio.run(rest_to_sockets(http_port, ws_port, str(conversation.pk), sender_token,
                                                         reader_token, count=6))
        finally:
            stop_server(http)
            stop_server(ws)
        output = server_log(http_log) + server_log(ws_log)

    assert [message["body"] for message in sent] == [f"pesan {n}" for n in range(6)]
    assert received == [sent] * READERS
    assert Message.objects.count() == 6
    assert "Traceback" not in output and "ERROR" not in output, output
