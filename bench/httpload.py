"""A small closed-loop HTTP/1.1 load generator: N keep-alive connections to 127.0.0.1, each sending the next request
as soon as the previous answer is read. Raw asyncio streams (uvloop when installed) rather than an HTTP library,
to leave as much of the machine's CPU as possible to the server under test."""

import asyncio
import contextlib
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"  # the benchmark only ever talks to this machine
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024


class HttpError(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def server_ms(self) -> float | None:
        """Django's own time for the request, from bench.middleware's `Server-Timing: app;dur=<ms>`."""
        value = self.headers.get("server-timing", "")
        for part in value.split(";"):
            if part.startswith("dur="):
                try:
                    return float(part[4:])
                except ValueError:
                    return None
        return None


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=MAX_HEADER_BYTES)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def get(self, path: str) -> Answer:
        return await self.request("GET", path)

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Answer:
        """One request on the kept-alive connection; a body is sent as JSON with its Content-Length."""
        if self.writer is None:
            await self._open()
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        if body or method != "GET":
            extra += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept: application/json\r\n"
                          f"User-Agent: bantu-bench\r\n{extra}\r\n".encode("latin-1") + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            await self.close()
            raise HttpError(f"bad or missing response head: {exc}") from exc
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            await self.close()
            raise HttpError(f"bad status line: {lines[0]!r}")
        answer_headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                answer_headers[name.strip().lower()] = value.strip()
        answer_body = await self._body(answer_headers)
        if answer_headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(int(parts[1]), answer_headers, answer_body)

    async def _body(self, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_BODY_BYTES:
                raise HttpError("response too large")
            return await self.reader.readexactly(length)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                total += size
                if total > MAX_BODY_BYTES:
                    raise HttpError("response too large")
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    return b"".join(chunks)
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
        body = await self.reader.read(MAX_BODY_BYTES)
        await self.close()
        return body


@dataclass
class PhaseResult:
    name: str
    concurrency: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    x_cache: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    cpu: dict = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


async def run_phase(*, name: str, port: int, next_path: Callable[[], str | None], concurrency: int,
                    duration: float, warmup: float, max_requests: int, timeout: float = 30.0) -> PhaseResult:
    """Keep `concurrency` connections busy for `warmup + duration` seconds (and at most `max_requests` requests,
    or until `next_path` returns None); record the requests sent after the warm-up."""
    result = PhaseResult(name=name, concurrency=concurrency)
    started = time.perf_counter()
    record_from = started + warmup
    stop_at = record_from + duration
    sent = 0
    last_done = record_from

    async def client() -> None:
        nonlocal sent, last_done
        connection = Connection(port)
        try:
            while sent < max_requests:
                begin = time.perf_counter()
                if begin >= stop_at:
                    break
                path = next_path()
                if path is None:
                    break
                sent += 1
                try:
                    answer = await asyncio.wait_for(connection.get(path), timeout)
                except (TimeoutError, HttpError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await connection.close()
                    if begin >= record_from:
                        result.errors[type(exc).__name__] += 1
                    continue
                end = time.perf_counter()
                if begin >= record_from:
                    result.latencies_ms.append((end - begin) * 1000)
                    server = answer.server_ms
                    if server is not None:
                        result.server_ms.append(server)
                    result.statuses[answer.status] += 1
                    result.x_cache[answer.headers.get("x-cache", "-")] += 1
                    last_done = max(last_done, end)
        finally:
            await connection.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.seconds = max(last_done - record_from, 1e-9) if result.latencies_ms else 0.0
    return result


async def fetch(port: int, paths: list[str], timeout: float = 60.0) -> list[Answer]:
    """Sequential GETs on one connection (warm-up and checks)."""
    connection = Connection(port)
    answers = []
    try:
        for path in paths:
            answers.append(await asyncio.wait_for(connection.get(path), timeout))
    finally:
        await connection.close()
    return answers
