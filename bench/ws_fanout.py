"""WebSocket delivery benchmark (a script, not a test): N sockets on ONE uvicorn worker, Redis channel layer.

Two scenarios, each reporting p50/p95/p99 delivery latency (client send → other clients receive
`message.created`), measured with one clock in this process:
- pairs: N/2 conversations of two people; `--messages` messages in random pairs, paced at `--rate` per second
  (one worker spends ~25-30 ms of CPU per message on this machine, so rates near ~30/s saturate it and
  measure queueing, not delivery).
- room:  one conversation joined by every socket's user; one message fans out to all N sockets.

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
    host = User.objects.create(email="room@bench.local", full_name="Room", password="!")
    FreelancerProfile.objects.create(user=host)
    room = Conversation.objects.create(company=company, freelancer=host, started_by=members[0])
    Participant.objects.bulk_create([Participant(conversation=room, user=user) for user in users],
                                    ignore_conflicts=True)
    tokens = {user.pk: tokens_issue(user=user)["access"] for user in users}
    return pairs, str(room.pk), members[0].pk, tokens


def start_server(env, port):
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bantu.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--lifespan", "off", "--no-access-log", "--log-level", "warning", "--ws-max-queue", "64"],
        cwd=ROOT, env={key: value for key, value in env.items() if not key.startswith("_")},
        start_new_session=True,
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


async def run(port, pairs, room, room_sender, tokens, *, rounds, messages, rate):
    import websockets

    sent_at: dict[str, float] = {}
    latencies = {"pairs": [], "room": []}
    scenario = {"name": "pairs"}
    connections = {}

    errors: dict[str, int] = {}

    async def reader(user_id, ws):
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "error":
                errors[event.get("code")] = errors.get(event.get("code"), 0) + 1
            if event.get("type") == "message.created" and event["message"]["sender"] != str(user_id):
                start = sent_at.get(event["message"]["client_id"])
                if start is not None:
                    latencies[scenario["name"]].append(time.perf_counter() - start)

    uri = f"ws://127.0.0.1:{port}/ws/?token="
    origin = f"http://127.0.0.1:{port}"
    readers = []
    for user_id, token in tokens.items():  # connect gradually, as clients would
        ws = await websockets.connect(uri + token, origin=origin, max_queue=None, open_timeout=20)
        connections[user_id] = ws
        readers.append(asyncio.create_task(reader(user_id, ws)))
    await asyncio.sleep(1)

    async def send(user_id, conversation):
        client_id = str(uuid.uuid4())
        sent_at[client_id] = time.perf_counter()
        await connections[user_id].send(json.dumps({"type": "message.send", "conversation": conversation,
                                                    "body": "Halo, apa kabar?", "client_id": client_id}))

    chooser = random.Random(7)
    for _ in range(messages):
        conversation, member, _freelancer = chooser.choice(pairs)
        await send(member, conversation)
        await asyncio.sleep(1 / rate)
    expected_pairs = messages
    await wait_for(lambda: len(latencies["pairs"]) >= expected_pairs, 30)

    scenario["name"] = "room"
    for _ in range(rounds):
        await send(room_sender, room)
        expected = len(latencies["room"]) + len(tokens) - 1
        await wait_for(lambda expected=expected: len(latencies["room"]) >= expected, 30)
    if errors:
        print(f"  error events: {errors}")
    for ws in connections.values():
        await ws.close()
    for task in readers:
        task.cancel()
    return latencies, expected_pairs


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=5, help="room broadcasts")
    parser.add_argument("--messages", type=int, default=200, help="pair messages")
    parser.add_argument("--rate", type=float, default=10.0, help="pair messages per second")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()
    if len(args.sockets) > 1:  # django.setup() binds one database per process: one process per size
        for sockets in args.sockets:
            subprocess.run([sys.executable, __file__, "--sockets", str(sockets), "--rounds", str(args.rounds),
                            "--messages", str(args.messages), "--rate", str(args.rate),
                            "--redis-url", args.redis_url], check=True)
        return
    sockets = args.sockets[0]
    database = f"bantu_bench_ws_{sockets}"
    env = {**os.environ, "_DB": database, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
           "REDIS_URL": args.redis_url, "SECRET_KEY": "bench-" + "x" * 50, "DB_CONN_MAX_AGE": "60",
           "THROTTLE_USER_WRITE": "1000000/min", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "bantu.settings"}
    pairs, room, room_sender, tokens = prepare_database(env, sockets)
    port = free_port()
    server = start_server(env, port)
    try:
        latencies, expected_pairs = asyncio.run(run(port, pairs, room, room_sender, tokens, rounds=args.rounds,
                                                  messages=args.messages, rate=args.rate))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    print(f"\n{sockets} sockets on one uvicorn worker (Redis channel layer, PostgreSQL), pairs at {args.rate}/s:")
    print("  " + summary("pairs", latencies["pairs"], expected_pairs))
    print("  " + summary("room", latencies["room"], args.rounds * (sockets - 1)))


if __name__ == "__main__":
    main()
