#!/usr/bin/env python
"""Escrow benchmark: money operations per second on ONE contended wallet, on PostgreSQL (PRODUCT.md §5: at least
100 escrow operations a second on one contended wallet, zero errors).

    .venv/bin/python bench/escrow.py                       # every phase, 16 clients, 10 s each
    .venv/bin/python bench/escrow.py --only approve_http,approve_service --concurrency 32

Steps:
1. drop and re-create the bench database (its name must contain "bench"; default bantu_bench_escrow), migrate;
2. seed it with the services, not SQL: one company with its owner, ONE freelancer, and contracts whose milestones
   are funded through the sandbox gateway (`milestone_fund`, then the signed sandbox callback applied by
   `webhooks.webhook_receive`, as the sandbox checkout page does) and submitted by the freelancer;
3. start the real server (gunicorn, `bantu.wsgi` with deploy/gunicorn.conf.py, 2 workers, as production serves
   HTTP; `--server uvicorn` for `bantu.asgi`; DJANGO_SETTINGS_MODULE=bench.settings, as bench/run.py does) with
   the sandbox gateways and THROTTLE_USER_WRITE lifted, so that the benchmark measures money, not the rate
   limiter;
4. run the phases, each for --duration seconds after a --warmup (and at most --max-ops operations, or until its
   milestones run out), every one of them paying into or out of the freelancer's one wallet:

   approve_http     POST /api/v1/milestones/{id}/approve/ (the owner's JWT): escrow -> wallet, each a different
                    milestone; contracts are interleaved so that concurrent approvals lock different contracts
                    and contend on the wallet only. Every answer must be 200. The keep-alive connections are
                    spread evenly over the workers (see `connect_balanced`).
   approve_service  `escrow.milestone_approve` called from --concurrency threads of this process, each with its
                    own database connection (no HTTP, no DRF).
   payout_http      POST /api/v1/payouts/ (the freelancer's JWT, sandbox payout gateway: completes at once).
                    The amount is small and the number of payouts is capped by the wallet's balance at the start,
                    so the wallet never runs dry: every answer must be 201 and `completed` (no 409).
   payout_service   `payouts.payout_request` from threads.
   mixed_http       approvals and payouts alternately, at once, on the same wallet.
   mixed_service    the same from threads.

   While a phase runs, pg_stat_activity is sampled (--sample-interval) to see where the database connections
   spend their time: running SQL, waiting for a row lock (and what the lock holder is doing meanwhile), flushing
   the WAL at commit, or idle in a transaction while the application thinks;
5. verify the ledger: every transaction sums to zero with at least two entries, every stored balance equals the
   sum of its entries, no balance is negative, the wallet's running `balance_after` chain is consistent, and the
   totals are what the successful operations imply (approvals x net, payouts x amount, fees, nothing in transit);
   PASS or FAIL;
6. print a table and write JSON to bench/results/escrow-<timestamp>.json (the server log beside it).

Only 127.0.0.1 is contacted; every loop is bounded in time and in count; the script stops by itself.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import secrets
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.httpload import HOST, Answer, Connection, HttpError, percentile  # noqa: E402
from bench.run import (  # noqa: E402
    CLOCK_TICKS,
    add_server_argument,
    clean_cache,
    cpu_snapshot,
    cpu_usage,
    free_port,
    machine_info,
    start_server,
    stop_server,
    wait_idle,
)

RESULTS_DIR = ROOT / "bench" / "results"
API = "/api/v1"
PHASES = ("approve_http", "approve_service", "payout_http", "payout_service", "mixed_http", "mixed_service")
TARGET_OPS = 100.0  # PRODUCT.md §5
HARD_MAX_OPS = 100_000  # per phase, whatever --max-ops says
REQUEST_TIMEOUT = 30.0
PAYOUT_BANK, PAYOUT_ACCOUNT, PAYOUT_HOLDER = "BCA", "8800123457", "Freelancer Bench"  # not ending in 000: succeeds
BENCH_CATEGORY = "logo-brand-identity"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bantu_bench_escrow",
                        help="the bench database (dropped and re-created; its name must contain 'bench')")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--concurrency", type=int, default=16, help="parallel clients or threads (default 16)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per phase (default 10)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds of unmeasured operations before each phase (default 1; they still count in "
                             "the ledger verification)")
    parser.add_argument("--max-ops", type=int, default=5_000,
                        help=f"operations per phase at most, warm-up included (default 5000, never more than "
                             f"{HARD_MAX_OPS})")
    parser.add_argument("--milestones", type=int, default=1_000,
                        help="milestones seeded for each phase that approves (default 1000); a phase ends early "
                             "when they run out")
    parser.add_argument("--milestones-per-contract", type=int, default=3, help="default 3")
    parser.add_argument("--amount", type=int, default=1_000_000, help="IDR per milestone (default 1000000)")
    parser.add_argument("--payout-amount", type=int, default=50_000,
                        help="IDR per payout (default 50000, PAYOUT_MINIMUM)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    add_server_argument(parser)
    parser.add_argument("--db-connections", choices=("app", "per-request", "pool"), default="app",
                        help="how the server connects to PostgreSQL (bench/settings.py): as bantu/settings.py "
                             "configures it (app, the default), CONN_MAX_AGE=0 (per-request) or a psycopg pool")
    parser.add_argument("--db-pool-size", type=int, default=4, help="connections per worker with --db-connections "
                                                                    "pool (default 4)")
    parser.add_argument("--throttle-user-write", default="1000000/s",
                        help="THROTTLE_USER_WRITE of the server (default 1000000/s: lifted. The throttle still "
                             "reads and writes its history in Redis; a one-second window keeps that list about as "
                             "short as the production 120/min one, where a /min window would hold every request of "
                             "the last minute)")
    parser.add_argument("--idempotency-keys", action="store_true",
                        help="send a fresh Idempotency-Key with every HTTP request, as a careful client does")
    parser.add_argument("--seed-threads", type=int, default=2, help="threads that seed contracts (default 2)")
    parser.add_argument("--sample-interval", type=float, default=0.02,
                        help="seconds between pg_stat_activity samples during a phase (default 0.02; 0: off)")
    parser.add_argument("--wait-idle", type=float, default=0.0,
                        help="wait up to this many seconds for the machine to be idle (other CPU < 0.3 cores for "
                             "5 s) before each phase (bench/run.py's wait_idle); the machine may be shared")
    parser.add_argument("--only", default=",".join(PHASES), help=f"comma-separated subset of {PHASES}")
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    for url in (args.database_url, args.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            parser.error(f"the benchmark only talks to this machine: {url}")
    if min(args.concurrency, args.workers, args.milestones, args.milestones_per_contract, args.max_ops,
           args.amount, args.payout_amount, args.seed_threads) < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("counts, amounts and --duration must be positive")
    args.max_ops = min(args.max_ops, HARD_MAX_OPS)
    return args


# --- Environment, database ----------------------------------------------------------------------------------------

def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def bench_env(args: argparse.Namespace, run_id: str) -> dict:
    """The environment of this process's Django and of the server: same database, secret key (the JWTs issued
    here are accepted there), sandbox gateways, and the write throttle lifted."""
    prefix = f"benchescrow{run_id.replace('-', '')}{secrets.token_hex(2)}"
    secret = secrets.token_urlsafe(48)[:50]
    return {
        "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "CELERY_BROKER_URL": args.redis_url,
        "CACHE_KEY_PREFIX": prefix, "CHANNELS_PREFIX": f"{prefix}-ws",
        "SECRET_KEY": secret, "JWT_SIGNING_KEY": secret, "JWT_ACCESS_MINUTES": "240",
        "PAYMENT_GATEWAY": "sandbox", "PAYOUT_GATEWAY": "sandbox", "XENDIT_SECRET_KEY": "",
        "MIDTRANS_SERVER_KEY": "", "PUBLIC_BASE_URL": f"http://{HOST}:8000",
        "THROTTLE_USER_WRITE": args.throttle_user_write,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "DEBUG": "false", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
    }


def create_database(args: argparse.Namespace) -> None:
    name = _database_name(args.database_url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or "bench" not in name:
        raise SystemExit(f"refusing to use {name!r}: the bench database's name must contain 'bench' (it is dropped)")
    parts = urlsplit(args.database_url)
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Dropping and re-creating {name}", flush=True)
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict) -> None:
    """Django in this process (seeding, the service phases): the bench settings with one connection per thread."""
    os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_DB_CONNECTIONS": "app"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


# --- Seeding (services only) ----------------------------------------------------------------------------------------

def _close_thread_connections() -> None:
    from django.db import connections

    connections.close_all()  # this thread's connections only


def _seed_contract(index: int, *, owner_id, freelancer_id, company_id, per_contract: int, amount: int) -> list:
    """One job, proposal and contract of `per_contract` milestones, each funded through the sandbox gateway (fund,
    then its signed callback through webhook_receive) and submitted. Returns the milestone ids by position."""
    from accounts.models import User
    from companies.models import Company
    from jobs.services import job_create
    from payments.gateways import sandbox
    from payments.services.escrow import milestone_fund, milestone_submit
    from payments.services.webhooks import webhook_receive
    from proposals.services import proposal_accept, proposal_submit
    from taxonomy.models import Category

    try:
        owner, freelancer = User.objects.get(pk=owner_id), User.objects.get(pk=freelancer_id)
        job = job_create(company=Company.objects.get(pk=company_id), posted_by=owner,
                         title=f"Desain Logo Bench {index}", description="Logo untuk benchmark escrow.",
                         category=Category.objects.get(slug=BENCH_CATEGORY), budget_min=amount,
                         budget_max=amount * per_contract)
        proposal = proposal_submit(job=job, freelancer=freelancer, amount=amount * per_contract, duration_days=14,
                                   cover_letter="Saya siap mengerjakan logo ini untuk benchmark.")
        contract = proposal_accept(proposal=proposal, actor=owner, milestones=[
            {"title": f"Tahap {position}", "amount": amount} for position in range(1, per_contract + 1)])
        ids = list(contract.milestones.order_by("position").values_list("pk", flat=True))
        for milestone_id in ids:
            payment = milestone_fund(milestone_id=milestone_id, actor=owner, gateway="sandbox")
            headers, body = sandbox.callback(kind="payment", reference=payment.external_id, status="paid",
                                             amount=payment.amount, event_id=f"sandbox:{payment.pk}:paid")
            result = webhook_receive(gateway="sandbox", headers=headers, body=body)
            if result.status != 200 or result.outcome != "applied":
                raise RuntimeError(f"sandbox callback for milestone {milestone_id}: {result}")
            milestone_submit(milestone_id=milestone_id, actor=freelancer, note="Selesai.")
        return ids
    finally:
        _close_thread_connections()


def seed(args: argparse.Namespace, pools: dict[str, int]) -> dict:
    """The company, its owner, the freelancer and the milestone pools (submitted milestones, one pool per phase
    that approves, interleaved across contracts). Returns ids, tokens and timings."""
    from accounts import links, roles
    from accounts.services import tokens_issue
    from accounts.services.mail import email_verify
    from companies.models import Membership
    from onboarding.services import user_register

    started = time.perf_counter()
    password = secrets.token_urlsafe(16)
    owner = user_register(email="owner@escrow-bench.bantu.id", password=password, full_name="Pemilik Bench",
                          role=roles.COMPANY, company_name="PT Bench Escrow")
    freelancer = user_register(email="freelancer@escrow-bench.bantu.id", password=password,
                               full_name=PAYOUT_HOLDER, role=roles.FREELANCER)
    for user in (owner, freelancer):  # both follow their verification link, as the gate requires to fund and withdraw
        email_verify(token=links.link_token_make(purpose=links.VERIFY_EMAIL, user=user))
    company_id = Membership.objects.get(user=owner).company_id
    per = args.milestones_per_contract
    contracts_per_pool = {name: math.ceil(size / per) for name, size in pools.items()}
    total = sum(contracts_per_pool.values())
    print(f"Seeding {total} contracts x {per} milestones of {args.amount:,} IDR ({args.seed_threads} threads)",
          flush=True)
    done = Counter()
    lock = threading.Lock()

    def task(index):
        ids = _seed_contract(index, owner_id=owner.pk, freelancer_id=freelancer.pk, company_id=company_id,
                             per_contract=per, amount=args.amount)
        with lock:
            done["contracts"] += 1
            if done["contracts"] % 100 == 0:
                print(f"  {done['contracts']}/{total} contracts, {time.perf_counter() - started:.0f} s", flush=True)
        return ids

    with ThreadPoolExecutor(args.seed_threads) as executor:
        contracts = list(executor.map(task, range(total)))
    result_pools, offset = {}, 0
    group = max(32, 2 * args.concurrency)
    for name, count in contracts_per_pool.items():
        mine = contracts[offset:offset + count]
        offset += count
        # Interleaved within groups of contracts (the first milestone of each contract of the group, then the
        # second, ...): neighbours in the queue, which run at the same time, belong to different contracts and
        # contend on the wallet only; and every group's last round completes its contracts, so any stretch of the
        # queue has about one contract completion per `per` approvals, as the whole pool does.
        result_pools[name] = [str(ids[position]) for start in range(0, len(mine), group)
                              for position in range(per) for ids in mine[start:start + group] if position < len(ids)]
    seconds = time.perf_counter() - started
    milestones = sum(len(ids) for ids in contracts)
    tokens = {"owner_token": tokens_issue(user=owner)["access"],
              "freelancer_token": tokens_issue(user=freelancer)["access"]}
    _close_thread_connections()  # the phases' connections are the only ones open on the bench database
    print(f"Seeded {milestones} submitted milestones in {seconds:.1f} s", flush=True)
    return {
        "owner_id": owner.pk, "freelancer_id": freelancer.pk, "company_id": company_id,
        **tokens,
        "pools": result_pools,
        "summary": {"contracts": total, "milestones": milestones, "milestones_per_contract": per,
                    "amount": args.amount, "seconds": round(seconds, 1),
                    "milestones_per_s": round(milestones / seconds, 1) if seconds else None},
    }


def fee_and_net(amount: int) -> tuple[int, int]:
    from bantu.core.money import fee_for, platform_fee_bps

    fee = fee_for(amount, platform_fee_bps())
    return fee, amount - fee


def wallet_balance(freelancer_id) -> int:
    from payments import ledger

    balance = ledger.balance_of(ledger.wallet_account(freelancer_id))
    _close_thread_connections()
    return balance


# --- Work: what each phase does -------------------------------------------------------------------------------------

class Work:
    """The operations of one phase, handed out one at a time (thread-safe): approvals of the pool's milestones,
    payouts within a budget, or both alternately. None when the phase has nothing left to do."""

    def __init__(self, *, milestones: list[str], payouts: int, max_ops: int):
        self.milestones = deque(milestones)
        self.payouts_left = payouts
        self.ops_left = max_ops
        self.turn = 0
        self.lock = threading.Lock()

    def next(self) -> tuple[str, str | None] | None:
        with self.lock:
            if self.ops_left <= 0:
                return None
            self.turn += 1
            order = ("approve", "payout") if self.turn % 2 else ("payout", "approve")
            for kind in order:
                if kind == "approve" and self.milestones:
                    self.ops_left -= 1
                    return "approve", self.milestones.popleft()
                if kind == "payout" and self.payouts_left > 0:
                    self.ops_left -= 1
                    self.payouts_left -= 1
                    return "payout", None
            return None


@dataclass
class Op:
    kind: str
    started: float
    ms: float
    outcome: str  # the HTTP status, "ok", or what went wrong
    ok: bool
    measured: bool
    server_ms: float | None = None


# --- HTTP phases ----------------------------------------------------------------------------------------------------



def http_request(kind: str, milestone_id: str | None, seeded: dict, args: argparse.Namespace):
    """(path, body, headers, expected status) of one operation."""
    if kind == "approve":
        path, body, token, expected = f"{API}/milestones/{milestone_id}/approve/", b"", seeded["owner_token"], 200
    else:
        path, token, expected = f"{API}/payouts/", seeded["freelancer_token"], 201
        body = json.dumps({"amount": args.payout_amount, "bank_code": PAYOUT_BANK, "account_number": PAYOUT_ACCOUNT,
                           "account_holder_name": PAYOUT_HOLDER}).encode()
    headers = {"Authorization": f"Bearer {token}"}
    if args.idempotency_keys:
        headers["Idempotency-Key"] = secrets.token_hex(16)
    return path, body, headers, expected


def _http_outcome(kind: str, answer: Answer, expected: int) -> tuple[str, bool]:
    if answer.status != expected:
        code = ""
        with contextlib.suppress(ValueError, AttributeError):
            code = json.loads(answer.body).get("code", "")
        return f"{answer.status} {code}".strip(), False
    if kind == "payout":
        status = json.loads(answer.body).get("status")
        if status != "completed":
            return f"{answer.status} payout {status}", False
    return str(answer.status), True


def _worker_of(port: int, client_port: int, workers: list[int]) -> int | None:
    """The uvicorn worker holding the server's end of our connection from `client_port` (from /proc), if any yet."""
    needle = f"0100007F:{port:04X} 0100007F:{client_port:04X} 01 "  # local, remote, ESTABLISHED
    inode = None
    with contextlib.suppress(OSError):
        text = Path("/proc/net/tcp").read_text()
        at = text.find(needle)
        if at >= 0:
            inode = text[at:text.find("\n", at)].split()[8]  # local, remote, st, queues, tr, retr, uid, timeout, inode
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in workers:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return pid
    return None


async def connect_balanced(port: int, workers: list[int], per_worker: Counter, share: int) -> Connection:
    """A keep-alive connection to a uvicorn worker that has fewer than `share` of ours (seen in /proc).

    The workers share one listening socket and whichever accepts first keeps the connection for its lifetime: 16
    connections opened at once all went to one worker in our first runs (py-spy: the other one did nothing), so
    the benchmark measured one worker. Clients therefore start one after another (the busy worker then tends to
    lose the race to accept), and a connection that lands on a worker with its share already is closed and opened
    again (at most 30 times; then it is kept wherever it lands)."""
    for attempt in range(30):
        connection = Connection(port)
        await connection._open()
        local_port = connection.writer.get_extra_info("sockname")[1]
        owner = None
        for _ in range(25):  # until a worker has accepted it (at most about 0.5 s; a look costs ~25 ms of CPU
            await asyncio.sleep(0.02)  # with the thousands of sockets /proc/net/tcp lists here)
            owner = _worker_of(port, local_port, workers)
            if owner is not None:
                break
        if owner is None or per_worker[owner] < share or attempt == 29:
            per_worker[owner] += 1
            return connection
        await connection.close()
        await asyncio.sleep(0.02)
    raise AssertionError("unreachable")


def _children_of(pid: int) -> list[int]:
    children = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                children.extend(int(child) for child in (task / "children").read_text().split())
    return children


async def http_phase(port: int, work: Work, seeded: dict, args: argparse.Namespace, *, server_pid: int,
                     on_start) -> tuple[list[Op], dict]:
    """--concurrency keep-alive clients (balanced over the workers), each sending its next operation as soon as the
    previous one answered."""
    ops: list[Op] = []
    workers = _children_of(server_pid)
    share = math.ceil(args.concurrency / max(1, len(workers)))
    per_worker: Counter = Counter()
    stagger = min(0.05, args.warmup / max(1, args.concurrency))  # every client is running when measuring starts
    on_start()
    started = time.perf_counter()
    record_from = started + args.warmup
    stop_at = record_from + args.duration

    async def client(index: int) -> None:
        await asyncio.sleep(index * stagger)
        connection = await connect_balanced(port, workers, per_worker, share)
        try:
            while (begin := time.perf_counter()) < stop_at:
                item = work.next()
                if item is None:
                    break
                kind, milestone_id = item
                path, body, headers, expected = http_request(kind, milestone_id, seeded, args)
                server_ms = None
                try:
                    answer = await asyncio.wait_for(connection.request("POST", path, body, headers), REQUEST_TIMEOUT)
                    outcome, ok = _http_outcome(kind, answer, expected)
                    server_ms = answer.server_ms
                except (TimeoutError, HttpError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await connection.close()
                    outcome, ok = type(exc).__name__, False
                end = time.perf_counter()
                ops.append(Op(kind, begin, (end - begin) * 1000, outcome, ok, begin >= record_from, server_ms))
        finally:
            await connection.close()

    await asyncio.gather(*(client(index) for index in range(args.concurrency)))
    return ops, {"connections_per_worker": {str(pid): n for pid, n in per_worker.items()}}


async def http_check(port: int, seeded: dict) -> None:
    """The JWTs issued here work on the server (GET /api/v1/wallet/ as the freelancer)."""
    connection = Connection(port)
    try:
        answer = await connection.request("GET", f"{API}/wallet/",
                                          headers={"Authorization": f"Bearer {seeded['freelancer_token']}"})
    finally:
        await connection.close()
    if answer.status != 200:
        raise SystemExit(f"GET {API}/wallet/ answered {answer.status}: {answer.body[:300]!r}")


# --- Service phases (in-process, one thread and one database connection per client) --------------------------------

def service_phase(work: Work, seeded: dict, args: argparse.Namespace, *, on_start) -> list[Op]:
    from accounts.models import User
    from bantu.core.exceptions import ApplicationError
    from payments.services import escrow, payouts

    ops: list[Op] = []
    lock = threading.Lock()
    ready = threading.Barrier(args.concurrency + 1, timeout=60)
    window = {}

    def call(kind, milestone_id, owner, freelancer) -> str:
        if kind == "approve":
            escrow.milestone_approve(milestone_id=milestone_id, actor=owner)
            return "ok"
        payout = payouts.payout_request(user=freelancer, amount=args.payout_amount, bank_code=PAYOUT_BANK,
                                        account_number=PAYOUT_ACCOUNT, account_holder_name=PAYOUT_HOLDER)
        return "ok" if payout.status == "completed" else f"payout {payout.status}"

    def worker() -> None:
        try:
            owner = User.objects.get(pk=seeded["owner_id"])  # each thread its own connection (Django's are
            freelancer = User.objects.get(pk=seeded["freelancer_id"])  # per thread) and its own user objects
            ready.wait()
            mine = []
            while (begin := time.perf_counter()) < window["stop_at"]:
                item = work.next()
                if item is None:
                    break
                kind, milestone_id = item
                try:
                    outcome = call(kind, milestone_id, owner, freelancer)
                except ApplicationError as exc:
                    outcome = f"{type(exc).__name__} {exc.status_code} {getattr(exc, 'code', '')}"
                except Exception as exc:  # counted as an error and reported; the phase goes on
                    outcome = f"{type(exc).__name__}: {str(exc)[:120]}"
                end = time.perf_counter()
                mine.append(Op(kind, begin, (end - begin) * 1000, outcome, outcome == "ok",
                               begin >= window["record_from"]))
            with lock:
                ops.extend(mine)
        finally:
            _close_thread_connections()

    threads = [threading.Thread(target=worker, name=f"escrow-bench-{index}", daemon=True)
               for index in range(args.concurrency)]
    for thread in threads:
        thread.start()
    on_start()
    started = time.perf_counter()
    window["record_from"] = started + args.warmup
    window["stop_at"] = window["record_from"] + args.duration
    ready.wait()
    for thread in threads:
        thread.join(timeout=args.warmup + args.duration + REQUEST_TIMEOUT + 60)
    return ops


# --- pg_stat_activity sampling --------------------------------------------------------------------------------------

SAMPLE_SQL = """
SELECT pid, state, wait_event_type, wait_event, query, pg_blocking_pids(pid)
FROM pg_stat_activity
WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""


def statement_label(query: str) -> str:
    """`SELECT payments_account FOR UPDATE`, `UPDATE payments_account`, `COMMIT`... from a statement's text."""
    text = " ".join((query or "").split())
    verb = re.match(r"(WITH|SELECT|UPDATE|INSERT INTO|DELETE FROM|COMMIT|ROLLBACK|BEGIN|SAVEPOINT|RELEASE SAVEPOINT"
                    r"|ROLLBACK TO SAVEPOINT|SET|SHOW)\b", text, re.IGNORECASE)
    if not verb:
        return text[:40] or "-"
    label = verb.group(1).upper()
    if label in ("WITH", "SELECT", "UPDATE", "INSERT INTO", "DELETE FROM"):
        table = re.search(r'(?:\bFROM|^UPDATE|^INSERT INTO)\s+"?([A-Za-z0-9_]+)"?', text, re.IGNORECASE)
        if table:
            label += f" {table.group(1)}"
        if re.search(r"\bEXISTS\b|LIMIT 1\b", text) and label.startswith("SELECT"):
            label += " (exists/first)"
        lock = re.search(r"\bFOR (NO KEY UPDATE|UPDATE|KEY SHARE|SHARE)\b", text, re.IGNORECASE)
        if lock:
            label += f" FOR {lock.group(1).upper()}"
    return label


def _category(state: str, wait_type: str | None, wait_event: str | None) -> str:
    if state == "idle":
        return "idle (no transaction)"
    if state in ("idle in transaction", "idle in transaction (aborted)"):
        return "idle in transaction (the app's turn)"
    if wait_type == "Lock":
        return f"waiting for a lock ({wait_event})"
    if wait_type is None:
        return "running SQL (CPU)"
    if wait_type == "Client":
        return f"client I/O ({wait_event})"
    return f"{wait_type}:{wait_event}"


class PgSampler(threading.Thread):
    """Samples pg_stat_activity for the bench database until stopped (and at most `limit` seconds): how the
    connections spend their time, which statements wait for locks, and what the lock holders are doing."""

    def __init__(self, url: str, database: str, interval: float, limit: float):
        super().__init__(name="pg-sampler", daemon=True)
        self.url, self.database, self.interval, self.limit = url, database, interval, limit
        self.stop_event = threading.Event()
        self.samples = 0
        self.states: Counter = Counter()
        self.waiting: Counter = Counter()
        self.holders: Counter = Counter()
        self.holder_statements: Counter = Counter()
        self.in_transaction_statements: Counter = Counter()
        self.error = None
        self.backend_cpu: dict[int, list[float]] = {}
        self.known: set[int] = set()  # backends that existed before sampling began (their earlier CPU is not ours)
        self.window = 0.0

    def run(self) -> None:
        deadline = time.monotonic() + self.limit
        started = time.perf_counter()
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                self.known = {row[0] for row in conn.execute(SAMPLE_SQL, [self.database]).fetchall()}
                while not self.stop_event.is_set() and time.monotonic() < deadline:
                    rows = conn.execute(SAMPLE_SQL, [self.database]).fetchall()
                    self._add(rows)
                    self.stop_event.wait(self.interval)
        except psycopg.Error as exc:  # sampling is information only
            self.error = str(exc)
        self.window = time.perf_counter() - started

    def _add(self, rows) -> None:
        self.samples += 1
        by_pid = {row[0]: row for row in rows}
        for pid, state, wait_type, wait_event, query, _blockers in rows:
            category = _category(state, wait_type, wait_event)
            self.states[category] += 1
            self._cpu(pid)
            if category.startswith("idle in transaction"):
                self.in_transaction_statements[f"after {statement_label(query)}"] += 1
            if wait_type == "Lock":
                self.waiting[statement_label(query)] += 1
                for root in self._roots(pid, by_pid):
                    holder = by_pid.get(root)
                    if holder is None:
                        self.holders["not in the sample"] += 1
                        continue
                    self.holders[_category(holder[1], holder[2], holder[3])] += 1
                    self.holder_statements[statement_label(holder[4])] += 1

    @staticmethod
    def _roots(pid: int, by_pid: dict) -> set:
        """The backends at the head of `pid`'s wait chain: they hold a lock and wait for no lock themselves
        (a tuple-lock waiter queues behind the first waiter, which waits for the holder's transaction)."""
        roots, seen, todo = set(), {pid}, list(by_pid[pid][5] or [])
        while todo and len(seen) < 1000:
            blocker = todo.pop()
            if blocker in seen:
                continue
            seen.add(blocker)
            row = by_pid.get(blocker)
            if row is not None and row[2] == "Lock" and row[5]:
                todo.extend(row[5])
            else:
                roots.add(blocker)
        return roots

    def _cpu(self, pid: int) -> None:
        """CPU seconds of the bench database's backends: the first and the last value seen per backend."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        first = self.backend_cpu.setdefault(pid, [seconds if pid in self.known else 0.0, seconds])
        first[1] = seconds

    def summary(self) -> dict:
        def average(counter: Counter, top: int = 12) -> dict:
            return {key: round(value / self.samples, 2) for key, value in counter.most_common(top)}

        def share(counter: Counter, top: int = 12) -> dict:
            total = sum(counter.values())
            return {key: round(value / total, 3) for key, value in counter.most_common(top)} if total else {}

        cpu = sum(last - first for first, last in self.backend_cpu.values())
        return {
            "samples": self.samples, "interval_s": self.interval, "error": self.error,
            "window_s": round(self.window, 2),
            # Lower bound: CPU a backend used after its last sample, or a backend never sampled, is missed.
            "bench_db_backends_cpu_cores": round(cpu / self.window, 2) if self.window else None,
            "backends_seen": len(self.backend_cpu),
            "connections_by_state": average(self.states),
            "lock_waits_by_statement": average(self.waiting),
            # Per waiting backend and sample: the state of the backend at the head of its wait chain.
            "lock_holder_state_share": share(self.holders),
            "lock_holder_last_statement_share": share(self.holder_statements),
            "idle_in_transaction_after_share": share(self.in_transaction_statements),
        }


# --- Running a phase ------------------------------------------------------------------------------------------------

def summarize_ops(ops: list[Op]) -> dict:
    measured = [op for op in ops if op.measured]
    summary = {"ops_total": len(ops), "ok_total": sum(op.ok for op in ops), "ops": len(measured)}
    if not measured:
        return summary
    first = min(op.started for op in measured)
    last = max(op.started + op.ms / 1000 for op in measured)
    seconds = max(last - first, 1e-9)
    latencies = [op.ms for op in measured]
    server = [op.server_ms for op in measured if op.server_ms is not None]
    summary.update({
        "seconds": round(seconds, 2), "ops_per_s": round(len(measured) / seconds, 1),
        "ok_per_s": round(sum(op.ok for op in measured) / seconds, 1),
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "max_ms": max(latencies),
        "server_p50_ms": percentile(server, 0.50), "server_p95_ms": percentile(server, 0.95),
        "errors": sum(not op.ok for op in ops),
        "outcomes": dict(Counter(op.outcome for op in ops).most_common()),
    })
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "server_p50_ms", "server_p95_ms"):
        if summary[key] is not None:
            summary[key] = round(summary[key], 2)
    return summary


def _redis_cpu() -> float:
    """CPU seconds of the redis-server processes (the cache, throttle and channel layer; shared by anyone else using
    this Redis)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if (entry / "comm").read_text().strip() == "redis-server":
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def run_phase(name: str, work: Work, args: argparse.Namespace, seeded: dict, *, port: int | None,
              server_pid: int | None) -> dict:
    database = _database_name(args.database_url)
    sampler = None
    if args.sample_interval > 0:
        sampler = PgSampler(args.database_url, database, args.sample_interval,
                            limit=args.warmup + args.duration + 120)
    busy_before = wait_idle(args.wait_idle)
    loadavg = os.getloadavg()
    mark = {}

    def on_start() -> None:
        """The phase clock starts (connections are open, threads are ready): CPU counters, and the sampler once the
        warm-up is over."""
        mark["before"], mark["wall"] = cpu_snapshot(server_pid or 0, database), time.perf_counter()
        mark["redis"] = _redis_cpu()
        if sampler:
            timer = threading.Timer(args.warmup, sampler.start)
            timer.daemon = True
            timer.start()

    try:
        balance = None
        if name.endswith("_http"):
            ops, balance = asyncio.run(http_phase(port, work, seeded, args, server_pid=server_pid, on_start=on_start))
        else:
            ops = service_phase(work, seeded, args, on_start=on_start)
    finally:
        if sampler:
            sampler.stop_event.set()
            with contextlib.suppress(RuntimeError):  # never started: the phase ended within its warm-up
                sampler.join(timeout=10)
    # server_pid 0 when there is no server: counts nothing
    cpu = cpu_usage(mark["before"], cpu_snapshot(server_pid or 0, database), time.perf_counter() - mark["wall"])
    cpu["redis"] = round((_redis_cpu() - mark["redis"]) / (time.perf_counter() - mark["wall"]), 2)  # whole server
    activity = sampler.summary() if sampler and sampler.samples else None
    if activity and activity.get("bench_db_backends_cpu_cores") is not None:
        # cpu_usage counts the backends alive at the end only; the server's connections (and this process's
        # threads') are gone by then. The sampler saw them while they lived (measured window only).
        cpu["postgres"] = activity["bench_db_backends_cpu_cores"]
    cpu["other"] = round(max(0.0, cpu["busy"] - cpu["loadgen"] - cpu["server"] - cpu["postgres"] - cpu["redis"]), 2)
    wall = time.perf_counter() - mark["wall"]
    # CPU per operation (warm-up included), by whom: what each operation costs the machine.
    cpu_ms_per_op = {key: round(cpu[key] * wall * 1000 / len(ops), 2)
                     for key in ("loadgen", "server", "postgres", "redis") if key in cpu} if ops else {}
    result = {"phase": name, "concurrency": args.concurrency, **summarize_ops(ops), "cpu_ms_per_op": cpu_ms_per_op,
              "by_kind": {kind: summarize_ops([op for op in ops if op.kind == kind])
                          for kind in sorted({op.kind for op in ops})},
              "cpu_cores": cpu, "busy_cores_before": busy_before, "loadavg_at_start": loadavg,
              "http_connections": balance,
              "pg_activity": activity}
    if not name.endswith("_http"):
        result["cpu_note"] = "in-process: 'loadgen' is this process, i.e. the application"
    return result


# --- Verification ---------------------------------------------------------------------------------------------------

def verify_ledger(url: str, seeded: dict, expected: dict) -> dict:
    """PASS only if the ledger is consistent and holds exactly what the successful operations imply."""
    checks = {}
    with psycopg.connect(url, autocommit=True) as conn:
        def one(sql, params=()):
            return conn.execute(sql, params).fetchone()[0]

        checks["transactions_sum_to_zero"] = one(
            "SELECT count(*) FROM (SELECT transaction_id FROM payments_entry GROUP BY transaction_id "
            "HAVING sum(amount) <> 0 OR count(*) < 2) t") == 0
        checks["no_transaction_without_entries"] = one(
            "SELECT count(*) FROM payments_transaction t WHERE NOT EXISTS "
            "(SELECT 1 FROM payments_entry e WHERE e.transaction_id = t.id)") == 0
        mismatched = conn.execute(
            "SELECT a.key, a.balance, coalesce(sum(e.amount), 0) FROM payments_account a "
            "LEFT JOIN payments_entry e ON e.account_id = a.id WHERE a.balance IS NOT NULL "
            "GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)").fetchall()
        checks["stored_balances_equal_entries"] = not mismatched
        checks["no_negative_balance"] = one("SELECT count(*) FROM payments_account WHERE balance < 0") == 0
        wallet_key = f"wallet:{seeded['freelancer_id']}"
        wallet_id, wallet = conn.execute("SELECT id, balance FROM payments_account WHERE key = %s",
                                         [wallet_key]).fetchone()
        running, chain_ok, entries = 0, True, 0
        for amount, balance_after in conn.execute(
                "SELECT amount, balance_after FROM payments_entry WHERE account_id = %s ORDER BY created_at, id",
                [wallet_id]):
            running += amount
            entries += 1
            chain_ok = chain_ok and balance_after == running
        checks["wallet_balance_after_chain"] = chain_ok

        def kind_sum(kind, account_filter):
            return int(one(
                "SELECT coalesce(sum(e.amount), 0) FROM payments_entry e JOIN payments_transaction t "
                "ON t.id = e.transaction_id JOIN payments_account a ON a.id = e.account_id "
                f"WHERE t.kind = %s AND {account_filter}", [kind]))

        released = one("SELECT count(*) FROM payments_transaction WHERE kind = 'escrow_released'")
        requested = one("SELECT count(*) FROM payments_transaction WHERE kind = 'payout_requested'")
        completed = one("SELECT count(*) FROM payments_payout WHERE status = 'completed'")
        actual = {
            "escrow_released_transactions": released,
            "milestones_released": one("SELECT count(*) FROM proposals_milestone WHERE status = 'released'"),
            "wallet_credits": kind_sum("escrow_released", "a.kind = 'wallet'"),
            "platform_fees": kind_sum("escrow_released", "a.kind = 'platform_fees'"),
            "payout_requested_transactions": requested, "payouts_completed": completed,
            "wallet_debits": -kind_sum("payout_requested", "a.kind = 'wallet'"),
            "payouts_in_transit": int(one(
                "SELECT coalesce(sum(e.amount), 0) FROM payments_entry e JOIN payments_account a "
                "ON a.id = e.account_id WHERE a.kind = 'payouts_in_transit'")),
            "wallet_balance": wallet, "wallet_entries": entries,
        }
    approvals, payouts_ok = expected["approvals_ok"], expected["payouts_ok"]
    want = {
        "escrow_released_transactions": approvals, "milestones_released": approvals,
        "wallet_credits": approvals * expected["net"], "platform_fees": approvals * expected["fee"],
        "payout_requested_transactions": payouts_ok, "payouts_completed": payouts_ok,
        "wallet_debits": payouts_ok * expected["payout_amount"], "payouts_in_transit": 0,
        "wallet_balance": approvals * expected["net"] - payouts_ok * expected["payout_amount"],
        "wallet_entries": approvals + payouts_ok,
    }
    for key, value in want.items():
        checks[f"expected_{key}"] = actual[key] == value
    return {"passed": all(checks.values()), "checks": checks, "actual": actual, "expected": want,
            "mismatched_balances": [list(row) for row in mismatched[:10]]}


def database_counters(url: str, database: str) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT xact_commit, xact_rollback, deadlocks FROM pg_stat_database WHERE datname = %s",
                           [database]).fetchone()
    return {"xact_commit": row[0], "xact_rollback": row[1], "deadlocks": row[2]}


def code_version() -> dict:
    """The commit measured, and whether the working tree differed from it (other work in progress)."""
    import subprocess

    def git(*arguments: str) -> str:
        try:
            return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=10,
                                  check=False).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "modified_files": changed[:50]}


def server_log_problems(path: Path) -> dict:
    if not path.exists():
        return {}
    text = path.read_text(errors="replace")
    return {"tracebacks": text.count("Traceback (most recent call last)"),
            "error_lines": sum(" ERROR " in line or line.startswith("ERROR") for line in text.splitlines())}


# --- Report ---------------------------------------------------------------------------------------------------------

def _num(value, width=8, digits=1) -> str:
    return f"{value:{width}.{digits}f}" if isinstance(value, int | float) else f"{'-':>{width}}"


def report(phases: list[dict], verification: dict, args: argparse.Namespace) -> list[str]:
    header = (f"{'phase':<16} {'kind':<8} {'conc':>4} {'ops':>6} {'ops/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'max ms':>8} {'srv p50':>8} {'errors':>6}  outcomes")
    lines = [header, "-" * len(header)]
    for phase in phases:
        rows = [("all", phase)] + ([(kind, stats) for kind, stats in phase["by_kind"].items()]
                                   if len(phase["by_kind"]) > 1 else [])
        for kind, stats in rows:
            lines.append(f"{phase['phase']:<16} {kind:<8} {phase['concurrency']:>4} {stats.get('ops', 0):>6} "
                         f"{_num(stats.get('ops_per_s'))} {_num(stats.get('p50_ms'))} {_num(stats.get('p95_ms'))} "
                         f"{_num(stats.get('p99_ms'))} {_num(stats.get('max_ms'))} "
                         f"{_num(stats.get('server_p50_ms'))} {stats.get('errors', 0):>6}  "
                         f"{stats.get('outcomes', {})}")
    lines.append("")
    for phase in phases:
        activity = phase.get("pg_activity") or {}
        if activity.get("samples"):
            lines.append(f"{phase['phase']}: PostgreSQL connections by state (average of {activity['samples']} "
                         f"samples): {activity['connections_by_state']}")
            if activity["lock_holder_state_share"]:
                lines.append(f"    lock holders were: {activity['lock_holder_state_share']}")
        lines.append(f"    cpu cores: {phase['cpu_cores']}; cpu ms per operation: {phase['cpu_ms_per_op']}")
    lines.append("")
    lines.append(f"Ledger verification: {'PASS' if verification['passed'] else 'FAIL'}")
    for key, value in verification["checks"].items():
        if not value:
            lines.append(f"  FAILED {key}: actual {verification['actual'].get(key.removeprefix('expected_'))}, "
                         f"expected {verification['expected'].get(key.removeprefix('expected_'))}")
    errors = sum(phase.get("errors", 0) for phase in phases)
    lines.append(f"Errors (non-2xx, exceptions, payouts not completed): {errors}")
    for phase in phases:
        rate = phase.get("ok_per_s") or 0
        verdict = "meets" if rate >= TARGET_OPS and phase.get("errors", 0) == 0 else "MISSES"
        lines.append(f"PRODUCT.md §5: {phase['phase']} {rate:.1f} successful ops/s at concurrency "
                     f"{args.concurrency} {verdict} the {TARGET_OPS:g} ops/s, zero-error target")
    return lines


# --- Main -----------------------------------------------------------------------------------------------------------

def _pools_needed(args: argparse.Namespace) -> dict[str, int]:
    return {name: args.milestones for name in args.only if not name.startswith("payout")}


def _payout_budget(args: argparse.Namespace, seeded: dict) -> int:
    """Payouts a phase may make: what the wallet holds now, with a margin, so it never runs dry."""
    return max(0, min(args.max_ops, wallet_balance(seeded["freelancer_id"]) // args.payout_amount - 1))


def main() -> None:
    args = parse_args()
    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    RESULTS_DIR.mkdir(exist_ok=True)
    env = bench_env(args, run_id)
    database = _database_name(args.database_url)
    print(f"Bantu escrow bench {run_id}: phases {', '.join(args.only)}; concurrency {args.concurrency}, "
          f"{args.workers} {args.server} workers, {args.duration:g} s per phase (+{args.warmup:g} s warm-up)",
          flush=True)
    create_database(args)
    setup_django(env)
    seeded = seed(args, _pools_needed(args))
    fee, net = fee_and_net(args.amount)
    if not any(name.startswith("approve") for name in args.only):
        print("Note: no approve phase runs first, so the wallet is empty and there is nothing to pay out.")
    machine = machine_info(args)
    counters_before = database_counters(args.database_url, database)
    server = None
    port = None
    log_path = RESULTS_DIR / f"escrow-{run_id}-server.log"
    phases = []
    try:
        if any(name.endswith("_http") for name in args.only):
            port = free_port()
            server_env = {**env, "BENCH_DB_CONNECTIONS": args.db_connections,
                          "BENCH_DB_POOL_SIZE": str(args.db_pool_size)}
            server = start_server(args, server_env, port, log_path)
            asyncio.run(http_check(port, seeded))
            print(f"{args.server} up on {HOST}:{port} (pid {server.pid}, {args.workers} workers, "
                  f"db connections: {args.db_connections})", flush=True)
        for name in PHASES:
            if name not in args.only:
                continue
            milestones = seeded["pools"].get(name, [])
            budget = _payout_budget(args, seeded) if not name.startswith("approve") else 0
            work = Work(milestones=milestones, payouts=budget, max_ops=args.max_ops)
            print(f"{name}: {len(milestones)} milestones to approve, up to {budget} payouts", flush=True)
            result = run_phase(name, work, args, seeded, port=port, server_pid=server.pid if server else None)
            phases.append(result)
            print(f"  {name:<16} {result.get('ops_per_s', 0):>7.1f} ops/s  p50 {_num(result.get('p50_ms'))}  "
                  f"p95 {_num(result.get('p95_ms'))}  p99 {_num(result.get('p99_ms'))}  errors "
                  f"{result.get('errors', 0)}  {result.get('outcomes', {})}  cpu {result['cpu_cores']}", flush=True)
    finally:
        if server is not None:
            stop_server(server)
    prefix = env["CACHE_KEY_PREFIX"]
    removed = clean_cache(args.redis_url, prefix) + clean_cache(args.redis_url, f"{prefix}-ws")  # this run's keys
    time.sleep(1.2)  # PostgreSQL flushes its statistics about once a second
    counters_after = database_counters(args.database_url, database)
    expected = {"approvals_ok": sum(p["by_kind"].get("approve", {}).get("ok_total", 0) for p in phases),
                "payouts_ok": sum(p["by_kind"].get("payout", {}).get("ok_total", 0) for p in phases),
                "net": net, "fee": fee, "payout_amount": args.payout_amount}
    verification = verify_ledger(args.database_url, seeded, expected)
    lines = report(phases, verification, args)
    print("\n" + "\n".join(lines))
    output = {
        "run_id": run_id, "args": vars(args), "code": code_version(), "machine": machine, "seed": seeded["summary"],
        "fee": fee, "net": net, "phases": phases, "verification": verification,
        "database_counters": {key: counters_after[key] - counters_before[key] for key in counters_before},
        "server_log": server_log_problems(log_path), "cache_keys_removed": removed, "report": lines,
        "notes": "Load generator, uvicorn, PostgreSQL and Redis share the machine; see cpu_cores. "
                 f"THROTTLE_USER_WRITE={args.throttle_user_write} on the server.",
    }
    path = RESULTS_DIR / f"escrow-{run_id}.json"
    path.write_text(json.dumps(output, indent=2, default=str))
    print(f"\nDeadlocks: {output['database_counters']['deadlocks']}, server log: {output['server_log']}")
    print(f"Results: {path.relative_to(ROOT)}")
    if not verification["passed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
