"""WebSocket delivery benchmark (a script, not a test): N sockets on ONE uvicorn worker, Redis channel layer.

Scenarios, each reporting p50/p95/p99 delivery latency (client send → other clients receive `message.created`),
measured with one clock in this process, and the server process's CPU time per message (from /proc: less
sensitive than latency to other work on a shared machine):
- pairs: N/2 conversations of two people; `--messages` messages in random pairs, paced at `--rate` per second
  on a fixed schedule (the achieved rate is printed).
- room:  one conversation joined by every socket's user; one message fans out to all N sockets.
- close: the N sockets of the runs above close at once.
- storm: N sockets connect at once, then all close at once.
After each close, every socket's cleanup must have run: no channel left in a user group in Redis, no presence
left in the cache, no error or warning in the server's log (all counted and printed).

    python bench/ws_fanout.py --sockets 100 1000

Talks only to 127.0.0.1. Every wait is bounded; the server is always terminated.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process `pid` so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_rss_mb(pid: int) -> float:
    """Resident memory of the process `pid` (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare_database(env, sockets: int):
    """Fresh database with `sockets` users: pairs (company member + freelancer) and one room for all."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {env['_DB']}"],
                   check=True)
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {env['_DB']}"], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update({key: value for key, value in env.items() if not key.startswith("_")})
    import django

    django.setup()
    from accounts.models import User
    from accounts.services import tokens_issue
    from chat.models import Conversation, Participant
    from companies.models import Company, Membership
    from freelancers.models import FreelancerProfile

    company = Company.objects.create(name="Bench Co", slug=f"bench-{uuid.uuid4().hex[:8]}")
    users = User.objects.bulk_create([User(email=f"ws{n}@bench.local", full_name=f"WS {n}", password="!")
                                      for n in range(sockets)])
    members, freelancers = users[0::2], users[1::2]
    Membership.objects.bulk_create([Membership(company=company, user=user, role="recruiter") for user in members])
    FreelancerProfile.objects.bulk_create([FreelancerProfile(user=user) for user in freelancers])
    pairs = []
    for member, freelancer in zip(members, freelancers, strict=False):
        conversation = Conversation.objects.create(company=company, freelancer=freelancer, started_by=member)
        Participant.objects.bulk_create([Participant(conversation=conversation, user=member),
                                         Participant(conversation=conversation, user=freelancer)])
        pairs.append((str(conversation.pk), member.pk, freelancer.pk))
    # A conversation is heard by its freelancer and its company's current members (chat.services): the room is a
    # company of its own that every user belongs to, talking with one more freelancer, who has no socket.
    room_company = Company.objects.create(name="Room Co", slug=f"room-{uuid.uuid4().hex[:8]}")
    Membership.objects.bulk_create([Membership(company=room_company, user=user, role="recruiter") for user in users])
    host = User.objects.create(email="room@bench.local", full_name="Room", password="!")
    FreelancerProfile.objects.create(user=host)
    room = Conversation.objects.create(company=room_company, freelancer=host, started_by=members[0])
    Participant.objects.bulk_create([Participant(conversation=room, user=user) for user in users],
                                    ignore_conflicts=True)
    tokens = {user.pk: tokens_issue(user=user)["access"] for user in users}
    return pairs, str(room.pk), members[0].pk, tokens


def start_server(env, port, log, server_args=()):
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bantu.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--lifespan", "off", "--no-access-log", "--log-level", "warning", "--ws-max-queue", "64",
         *server_args],
        cwd=ROOT, env={key: value for key, value in env.items() if not key.startswith("_")},
        start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("server did not start")


async def run(port, pairs, room, room_sender, tokens, *, rounds, messages, rate, server, log_path):
    import websockets

    sent_at: dict[str, float] = {}
    latencies = {"pairs": [], "room": []}
    scenario = {"name": "pairs"}
    connections = {}
    report = {}

    errors: dict[str, int] = {}

    async def reader(user_id, ws):
        try:
            async for raw in ws:
                event = json.loads(raw)
                if event.get("type") == "error":
                    errors[event.get("code")] = errors.get(event.get("code"), 0) + 1
                if event.get("type") == "message.created" and event["message"]["sender"] != str(user_id):
                    sent = sent_at.get(event["message"]["client_id"])
                    if sent is not None:  # a late pair message counts for pairs, even once the room has begun
                        latencies[sent[1]].append(time.perf_counter() - sent[0])
        except websockets.ConnectionClosed:
            pass

    uri = f"ws://127.0.0.1:{port}/ws/?token="
    origin = f"http://127.0.0.1:{port}"
    readers = []
    for user_id, token in tokens.items():  # connect gradually, as clients would
        # No client-side keepalive: the server pings (uvicorn, every 20 s), and an overloaded load generator
        # must not close sockets itself.
        ws = await websockets.connect(uri + token, origin=origin, max_queue=None, open_timeout=20,
                                      ping_interval=None)
        connections[user_id] = ws
        readers.append(asyncio.create_task(reader(user_id, ws)))
    await asyncio.sleep(1)
    report["rss_mb"] = server_rss_mb(server.pid)
    subscribed = (await asyncio.to_thread(leftovers))["channels_in_groups"]
    if subscribed != len(tokens):  # the machine's Redis is shared: a run whose keys vanished measures nothing
        print(f"  WARNING: {subscribed} of {len(tokens)} sockets are in their groups before the first message")

    async def send(user_id, conversation):
        client_id = str(uuid.uuid4())
        sent_at[client_id] = (time.perf_counter(), scenario["name"])
        try:
            await connections[user_id].send(json.dumps({"type": "message.send", "conversation": conversation,
                                                        "body": "Halo, apa kabar?", "client_id": client_id}))
        except websockets.ConnectionClosed as closed:  # an overloaded server missed its keepalive: count it
            errors[f"socket closed: {closed}"] = errors.get(f"socket closed: {closed}", 0) + 1

    chooser = random.Random(7)
    cpu_before, started = server_cpu_seconds(server.pid), time.perf_counter()
    for number in range(messages):  # a fixed schedule: a late send does not push the later ones back
        conversation, member, _freelancer = chooser.choice(pairs)
        await send(member, conversation)
        delay = started + (number + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    sent_in = time.perf_counter() - started
    expected_pairs = messages
    await wait_for(lambda: len(latencies["pairs"]) >= expected_pairs, 30)
    report["pairs"] = {"achieved_rate": messages / sent_in,
                       "cpu_ms_per_message": (server_cpu_seconds(server.pid) - cpu_before) * 1000 / messages}

    scenario["name"] = "room"
    cpu_before = server_cpu_seconds(server.pid)
    for _ in range(rounds):
        await send(room_sender, room)
        expected = len(latencies["room"]) + len(tokens) - 1
        await wait_for(lambda expected=expected: len(latencies["room"]) >= expected, 30)
    report["room"] = {"cpu_ms_per_message": (server_cpu_seconds(server.pid) - cpu_before) * 1000 / rounds}
    if errors:
        print(f"  error events: {errors}")

    report["close"] = await close_all(connections, readers, server, log_path)
    report["storm"] = await storm(uri, origin, tokens, server, log_path)
    return latencies, expected_pairs, report


def leftovers() -> dict:
    """What the sockets' cleanup should have removed: channels still in user groups (Redis), users still present
    (the cache)."""
    import redis
    from django.conf import settings

    from bantu.core import realtime

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    keys = list(client.scan_iter(match=f"{prefix}:group:user.*", count=1000))
    channels = sum(client.zcard(key) for key in keys)
    present = len(realtime.online_among(list(TOKENS_BY_USER)))
    return {"channels_in_groups": channels, "present_users": present}


def log_problems(log_path, since: int) -> tuple[int, dict]:
    """Warnings, errors and tracebacks the server logged after byte `since`; (end offset, counts by kind)."""
    with open(log_path, "rb") as log:
        log.seek(since)
        text = log.read().decode("utf-8", errors="replace")
    counts = {}
    for line in text.splitlines():
        for needle in ("Traceback", "MaxConnectionsError", "ERROR", "WARNING", "Exception"):
            if needle in line:
                counts[needle] = counts.get(needle, 0) + 1
    return since + len(text.encode()), counts


async def settle(seconds=30) -> dict:
    """Wait (bounded) until nothing is left behind; what is left after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = await asyncio.to_thread(leftovers)
        if not any(left.values()) or time.monotonic() > deadline:
            return left
        await asyncio.sleep(0.5)


async def close_all(connections, readers, server, log_path) -> dict:
    """Close every socket at once; the cleanup they left undone, and what the server logged."""
    since = os.path.getsize(log_path)
    cpu_before, started = server_cpu_seconds(server.pid), time.perf_counter()
    results = await asyncio.gather(*(ws.close() for ws in connections.values()), return_exceptions=True)
    left = await settle()
    elapsed = time.perf_counter() - started
    for task in readers:
        task.cancel()
    await asyncio.sleep(0.5)
    _, problems = log_problems(log_path, since)
    cpu_ms = (server_cpu_seconds(server.pid) - cpu_before) * 1000
    return {"sockets": len(connections), "client_errors": sum(isinstance(r, Exception) for r in results),
            "seconds": round(elapsed, 2), "cpu_ms_per_socket": round(cpu_ms / max(1, len(connections)), 2),
            "left": left, "server_log": problems}


async def storm(uri, origin, tokens, server, log_path) -> dict:
    """Every socket connects at once, then (all accepted and in their groups) every socket closes at once."""
    import websockets

    since = os.path.getsize(log_path)
    cpu_before, started = server_cpu_seconds(server.pid), time.perf_counter()
    opened = await asyncio.gather(*(websockets.connect(uri + token, origin=origin, max_queue=None,
                                                       open_timeout=60) for token in tokens.values()),
                                  return_exceptions=True)
    connected = {n: ws for n, ws in enumerate(opened) if not isinstance(ws, Exception)}
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(2)  # accepted sockets join their groups right after the handshake
    joined = (await asyncio.to_thread(leftovers))
    # The server accepts every handshake first and closes (1011) a socket it could not subscribe.
    closed_by_server = sum(ws.close_code is not None for ws in connected.values())
    closed = await close_all(connected, [], server, log_path)
    _, problems = log_problems(log_path, since)
    return {"sockets": len(tokens), "connect_errors": len(tokens) - len(connected),
            "connect_seconds": round(connect_seconds, 2), "closed_by_server": closed_by_server,
            "joined": joined, "close": closed,
            "cpu_ms_per_socket": round((server_cpu_seconds(server.pid) - cpu_before) * 1000 / len(tokens), 2),
            "server_log": problems}


TOKENS_BY_USER: dict = {}


async def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def summary(name, values, expected):
    if not values:
        return f"{name:6} no deliveries (expected {expected})"
    ms = [value * 1000 for value in values]
    return (f"{name:6} deliveries {len(ms):6}/{expected:<6} p50 {percentile(ms, .5):7.1f} ms   "
            f"p95 {percentile(ms, .95):7.1f} ms   p99 {percentile(ms, .99):7.1f} ms   "
            f"mean {statistics.fmean(ms):7.1f} ms")


# The WebSocket targets of docs/architecture.md: one worker, 1,000 sockets open.
TARGET_SOCKETS = 1000
PAIRS_RATE = 300.0  # messages a second, asked for with --rate
PAIRS_P95_MS = 100.0
ROOM_P95_MS = 500.0


def _close_failures(close: dict, server_log: dict) -> int:
    left = close["left"]
    return close["client_errors"] + left["channels_in_groups"] + left["present_users"] + sum(server_log.values())


def verdicts(sockets: int, rate: float, latencies: dict, expected: dict, report: dict) -> list[str]:
    """One line per target of docs/architecture.md the run can judge: the delivery targets at 1,000 sockets or
    more (pairs: every message delivered, p95 <= 100 ms, at --rate 300 or more; room: every delivery, p95 <=
    500 ms), and at any size that sockets closing, or connecting and closing, at once fail nothing and leave
    nothing behind. `latencies` and `expected` are by scenario (seconds; deliveries due)."""
    def line(figure: str, met: bool, target: str) -> str:
        return f"target: {figure} {'meets' if met else 'MISSES'} {target}"

    lines = []
    if sockets >= TARGET_SOCKETS:
        for name, target_ms in (("pairs", PAIRS_P95_MS), ("room", ROOM_P95_MS)):
            ms = [value * 1000 for value in latencies[name]]
            p95 = percentile(ms, .95) if ms else float("inf")
            met = len(ms) == expected[name] and p95 <= target_ms
            figure = f"{name} p95 {p95:.1f} ms, {len(ms)}/{expected[name]} delivered"
            target = f"<= {target_ms:g} ms, every one delivered"
            if name == "pairs":
                met = met and rate >= PAIRS_RATE
                figure += f", at {rate:g} messages/s (achieved {report['pairs']['achieved_rate']:.0f})"
                target += f", at >= {PAIRS_RATE:g}/s"
            lines.append(line(figure, met, target))
    storm = report["storm"]
    failures = {"close": _close_failures(report["close"], report["close"]["server_log"]),
                "storm": storm["connect_errors"] + storm["closed_by_server"]
                + _close_failures(storm["close"], storm["server_log"])}  # the storm's log covers its close
    lines.append(line(f"{sum(failures.values())} failed or left behind when sockets close at once ({failures})",
                      not any(failures.values()), "none"))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=5, help="room broadcasts")
    parser.add_argument("--messages", type=int, default=200, help="pair messages")
    parser.add_argument("--rate", type=float, default=10.0, help="pair messages per second")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--database-prefix", default="bantu_bench_ws",
                        help="the database is <prefix>_<sockets>, dropped and re-created")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="one more uvicorn argument (repeat it), e.g. --server-arg=--ws-per-message-deflate=false")
    args = parser.parse_args()
    if len(args.sockets) > 1:  # django.setup() binds one database per process: one process per size
        for sockets in args.sockets:
            subprocess.run([sys.executable, __file__, "--sockets", str(sockets), "--rounds", str(args.rounds),
                            "--messages", str(args.messages), "--rate", str(args.rate),
                            "--redis-url", args.redis_url, "--database-prefix", args.database_prefix,
                            *(f"--server-arg={arg}" for arg in args.server_arg)], check=True)
        return
    sockets = args.sockets[0]
    database = f"{args.database_prefix}_{sockets}"
    if "bench" not in database and "chatspeed" not in database:
        parser.error("the database is dropped first: its name must contain 'bench'")
    env = {**os.environ, "_DB": database, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
           "REDIS_URL": args.redis_url, "SECRET_KEY": "bench-" + "x" * 50, "DB_CONN_MAX_AGE": "60",
           "THROTTLE_USER_WRITE": "1000000/min", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "bantu.settings"}
    pairs, room, room_sender, tokens = prepare_database(env, sockets)
    TOKENS_BY_USER.update(tokens)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()  # the bench's own Redis database: nothing left from a last run
    port = free_port()
    log_path = ROOT / "bench" / "results" / f"ws_fanout_{sockets}.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as log:
        server = start_server(env, port, log, args.server_arg)
        try:
            latencies, expected_pairs, report = asyncio.run(run(
                port, pairs, room, room_sender, tokens, rounds=args.rounds, messages=args.messages, rate=args.rate,
                server=server, log_path=log_path))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    print(f"\n{sockets} sockets on one uvicorn worker (Redis channel layer, PostgreSQL), pairs at {args.rate}/s "
          f"(achieved {report['pairs']['achieved_rate']:.0f}/s), server arguments {args.server_arg or 'none'}, "
          f"server memory {report['rss_mb']:.0f} MiB with every socket open:")
    print("  " + summary("pairs", latencies["pairs"], expected_pairs)
          + f"   server CPU {report['pairs']['cpu_ms_per_message']:.1f} ms/message")
    print("  " + summary("room", latencies["room"], args.rounds * (sockets - 1))
          + f"   server CPU {report['room']['cpu_ms_per_message']:.1f} ms/message")
    for name in ("close", "storm"):
        print(f"  {name:6} {json.dumps(report[name], default=str, separators=(', ', ': '))}")
    print(f"  server log: {log_path}")
    expected = {"pairs": expected_pairs, "room": args.rounds * (sockets - 1)}
    for verdict in verdicts(sockets, args.rate, latencies, expected, report):
        print("  " + verdict)


if __name__ == "__main__":
    main()
