"""Services the fault tests own: a throwaway redis-server they can kill and restart, and polling with deadlines
(never fixed sleeps: the CI machine is small and loaded)."""

import asyncio
import contextlib
import shutil
import subprocess
import time

import pytest
from websockets.exceptions import ConnectionClosed

from tests.chat.e2e.test_e2e_server import free_port

WAIT = 15  # seconds: the bound of every wait for a state change


async def close_code(ws, wait: float = WAIT) -> int | None:
    """The code of the close frame the server sent on `ws` (None: the connection dropped without one)."""
    try:
        async with asyncio.timeout(wait):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def eventually(probe, *, what: str, timeout: float = WAIT, interval: float = 0.1):
    """Call `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"{what} did not happen within {timeout} s (last: {last!r})")


class ThrowawayRedis:
    """A redis-server on a free port of its own, without persistence, that a test may SIGKILL and start again on
    the same port (clients reconnect to the same URL)."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("needs the redis-server binary")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "ThrowawayRedis":
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        eventually(self.ping, what=f"redis-server on port {self.port} answering")
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye to clients, as when the machine or the container dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)

    def ping(self) -> bool:
        import redis

        with contextlib.suppress(redis.RedisError), redis.Redis(port=self.port, socket_timeout=1) as client:
            return bool(client.ping())
        return False

    def __enter__(self) -> "ThrowawayRedis":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.kill()


class Answer:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        import json

        return json.loads(self.body)


def call(method: str, url: str, body: dict | None = None, token: str | None = None, timeout: float = WAIT) -> Answer:
    """One HTTP request to a real server; 4xx and 5xx are answers, not exceptions."""
    import json
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def assert_problem_answer(answer: Answer, status: int, code: str) -> dict:
    """`answer` is RFC 9457 problem details with `status` and `code` (PRODUCT.md §3)."""
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json", answer.headers
    body = answer.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert {"type", "title", "status", "detail", "code"} <= set(body), body
    return body
