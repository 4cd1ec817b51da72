"""What one escrow operation costs the server, counted rather than timed: Python function calls and SQL statements
per approval and per payout, through Django's ASGI handler (or its WSGI handler, `--handler wsgi`), on PostgreSQL.

Counts do not depend on what else the machine is doing, so two commits can be compared on a busy machine where
the throughput benchmark (`bench/escrow.py`) cannot: `git stash`, run, `git stash pop`, run. A Python call is
not a fixed amount of CPU, but on this request path (Django's ORM, DRF, asgiref, psycopg) the two have moved
together (docs/benchmarks.md, escrow, "CPU per request").

    .venv/bin/python bench/escrow_cost.py                  # 30 approvals and 30 payouts, after 5 of each
    .venv/bin/python bench/escrow_cost.py --by-frame 25     # and where the calls of each kind come from

Seeds like `bench/escrow.py` (same services, the sandbox gateway), in its own database (dropped and re-created;
the name must contain "bench"). The requests go through `django.test.AsyncClient`: the ASGI handler, every
middleware, authentication, throttling and the view, with the notifications sent after commit through the Redis
channel layer, one at a time. Not counted: uvicorn, the network, PostgreSQL's own work.
"""

import argparse
import asyncio
import collections
import os
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import escrow as bench_escrow  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bantu_bench_escrow_cost")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--operations", type=int, default=30, help="measured approvals, and payouts (default 30)")
    parser.add_argument("--handler", choices=("asgi", "wsgi"), default="asgi",
                        help="Django's ASGI handler (django.test.AsyncClient, as uvicorn serves it; default) or its "
                             "WSGI handler (django.test.Client, as gunicorn serves it)")
    parser.add_argument("--by-frame", type=int, default=0, metavar="N",
                        help="also list the N project functions whose own calls into libraries cost the most")
    return parser.parse_args()


class Counter:
    """Counts Python calls (sys.setprofile in every thread) and SQL statements (Django's cursor wrapper)."""

    def __init__(self, by_frame: bool):
        self.calls = 0
        self.statements = 0
        self.by_frame = collections.Counter() if by_frame else None
        self.on = False

    def profile(self, frame, event, arg):
        if event not in ("call", "c_call") or not self.on:
            return
        self.calls += 1
        if self.by_frame is not None:
            self.by_frame[self._owner(frame)] += 1

    @staticmethod
    def _owner(frame) -> str:
        """The innermost frame of the project's own code: what a call is spent on behalf of."""
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(str(ROOT)) and "/.venv/" not in filename and "/bench/" not in filename:
                return f"{os.path.relpath(filename, ROOT)}:{frame.f_code.co_name}"
            frame = frame.f_back
        return "(framework: asgiref, Django's handler, middleware outside the project)"

    def install(self) -> None:
        from django.db.backends import utils

        counter = self
        for name in ("execute", "executemany"):
            original = getattr(utils.CursorWrapper, name)

            def counted(self, *args, _original=original, **kwargs):
                if counter.on:
                    counter.statements += 1
                return _original(self, *args, **kwargs)

            setattr(utils.CursorWrapper, name, counted)
        sys.setprofile(self.profile)
        threading.setprofile(self.profile)


def measure(counter: Counter, requests, operations: int, run_one) -> dict:
    """Counts per operation over `operations` calls of `requests`, after 5 unmeasured; `run_one(call)` runs one."""
    for call in requests[:5]:  # warm-up: imports, connections, first-use account rows
        run_one(call)
    before = collections.Counter(counter.by_frame or {})
    counter.on, calls, statements = True, counter.calls, counter.statements
    for call in requests[5:5 + operations]:
        run_one(call)
    counter.on = False
    by_frame = (counter.by_frame - before) if counter.by_frame is not None else None
    return {"calls": (counter.calls - calls) / operations, "statements": (counter.statements - statements) / operations,
            "by_frame": by_frame}


def main() -> None:
    args = parse_args()
    seed_args = SimpleNamespace(database_url=args.database_url, redis_url=args.redis_url, concurrency=1,
                                throttle_user_write="1000000/s", milestones_per_contract=3, amount=1_000_000,
                                seed_threads=2)
    bench_escrow.create_database(seed_args)
    bench_escrow.setup_django(bench_escrow.bench_env(seed_args, "cost"))
    seeded = bench_escrow.seed(seed_args, {"approve": args.operations + 5})

    from django.test import AsyncClient, Client

    client = AsyncClient() if args.handler == "asgi" else Client()
    owner = {"Authorization": f"Bearer {seeded['owner_token']}"}
    freelancer = {"Authorization": f"Bearer {seeded['freelancer_token']}"}
    payout = {"amount": 50_000, "bank_code": bench_escrow.PAYOUT_BANK, "account_number": bench_escrow.PAYOUT_ACCOUNT,
              "account_holder_name": bench_escrow.PAYOUT_HOLDER}

    def checked(answer, status, what):
        if answer.status_code != status or (what == "payout" and answer.json()["status"] != "completed"):
            raise SystemExit(f"{what} answered {answer.status_code}: {answer.content[:300]!r}")

    if args.handler == "asgi":
        async def approve(milestone_id):
            checked(await client.post(f"/api/v1/milestones/{milestone_id}/approve/", content_type="application/json",
                                      headers=owner), 200, "approve")

        async def withdraw():
            checked(await client.post("/api/v1/payouts/", payout, content_type="application/json",
                                      headers=freelancer), 201, "payout")
    else:
        def approve(milestone_id):
            checked(client.post(f"/api/v1/milestones/{milestone_id}/approve/", content_type="application/json",
                                headers=owner), 200, "approve")

        def withdraw():
            checked(client.post("/api/v1/payouts/", payout, content_type="application/json", headers=freelancer),
                    201, "payout")

    counter = Counter(by_frame=args.by_frame > 0)
    counter.install()

    approvals = [lambda m=m: approve(m) for m in seeded["pools"]["approve"]]
    payouts = [withdraw] * (args.operations + 5)
    if args.handler == "asgi":
        loop = asyncio.new_event_loop()  # one loop for every request, as a server process has

        def run_one(call):
            loop.run_until_complete(call())
    else:
        def run_one(call):
            call()

    results = {"approve": measure(counter, approvals, args.operations, run_one),
               "payout": measure(counter, payouts, args.operations, run_one)}
    sys.setprofile(None)
    threading.setprofile(None)
    print(f"\nPer operation, mean of {args.operations} (after 5 unmeasured):")
    for kind, result in results.items():
        print(f"  {kind:8} {result['calls']:9,.0f} Python calls  {result['statements']:5.1f} SQL statements")
    for kind, result in results.items():
        if result["by_frame"] is None:
            continue
        print(f"\nPython calls per {kind} by the project function they serve, top {args.by_frame}:")
        for owner_name, calls in result["by_frame"].most_common(args.by_frame):
            print(f"  {calls / args.operations:9,.0f}  {owner_name}")


if __name__ == "__main__":
    main()
