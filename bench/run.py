#!/usr/bin/env python
"""Job search and detail benchmark against the real ASGI server, PostgreSQL and Redis (`make bench`).

    make bench                                   # 100,000 jobs in bantu_bench
    make bench BENCH_ARGS="--jobs 1000000 --database-url postgres://postgres@127.0.0.1:5432/bantu_bench_1m"

Steps: create the bench database (drop and re-create it unless --reuse finds enough jobs), migrate, seed with
`manage.py seed_jobs`, VACUUM ANALYZE; start the server (gunicorn, bantu.wsgi, as production serves HTTP; or
uvicorn, bantu.asgi, with --server uvicorn) with DJANGO_SETTINGS_MODULE=
bench.settings (the app plus a bare DRF "ceiling" endpoint and a Server-Timing header); then for each scenario
run a closed loop of keep-alive clients, first at --concurrency (throughput under load) and then at
--latency-concurrency (latency without queueing):

  ceiling          GET /bench/ceiling/: DRF with nothing to do, the best any endpoint can do here
  healthz          GET /healthz: every middleware and a plain Django view (no DRF)
  throttled        GET /bench/throttled/: the ceiling plus what a cached search cannot skip (authentication, the
                   search throttle's Redis call reading one cached entry along, that entry sent as it is): the
                   floor of any cached search served through DRF
  search_cached    the search mix, warmed first: every answer must be X-Cache: HIT
  search_uncached  the same mix with a harmless unknown `_bench=<n>` parameter (part of the cache key), so every
                   request is a MISS that runs the SQL and fills the cache
  detail_cached    GET /api/v1/jobs/{id}/ over warmed ids (HIT)
  detail_uncached  a fresh id every request (MISS)

and finally the floor: the SQL each search and detail request issues (captured in-process with
CaptureQueriesContext), replayed with psycopg on one connection, and a plain cache read of a cached search.
Results are printed, with a verdict on each target the run measured (`verdicts`), and written as JSON to
bench/results/. Only 127.0.0.1 is contacted; every loop is bounded
in time and in requests.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.httpload import HOST, PhaseResult, fetch, percentile, run_phase  # noqa: E402
from bench.mix import build_mix  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
SCENARIOS = ("ceiling", "healthz", "throttled", "search_cached", "search_uncached", "detail_cached", "detail_uncached")
EXPECTED_CACHE = {"search_cached": "HIT", "search_uncached": "MISS", "detail_cached": "HIT",
                  "detail_uncached": "MISS"}
# The targets of docs/architecture.md (1,000,000 jobs, 2 cores, beside the bare endpoint of the same run), and two
# finer figures asked of the search work: the mix's SQL alone, and a cached search against /healthz at one client.
UNCACHED_SEARCH_P95_MS = 50.0
CACHED_SEARCH_THROUGHPUT = 0.85  # x the ceiling's req/s at --concurrency clients
SQL_FLOOR_P95_MS = 30.0
CACHED_SEARCH_P95_PER_HEALTHZ = 1.5  # at one client
DETAIL_CACHED_IDS = 500
MAX_REQUESTS_PER_PHASE = 2_000_000
STARTUP_TIMEOUT = 90.0
FLOOR_SECONDS = 180.0  # replays of the captured SQL stop after this (the first pass always completes)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs in the bench database (default 100000)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per phase (default 10)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each phase")
    parser.add_argument("--concurrency", type=int, default=32, help="clients in the throughput phase (default 32)")
    parser.add_argument("--latency-concurrency", type=int, default=1,
                        help="clients in the latency phase (default 1; 0 skips the phase)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    add_server_argument(parser)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bantu_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the bench database if it already has at least --jobs jobs")
    parser.add_argument("--seed", type=int, default=1, help="seed of seed_jobs and of the search mix")
    parser.add_argument("--queries", type=int, default=200, help="distinct searches in the mix (default 200)")
    parser.add_argument("--floor-repeat", type=int, default=5,
                        help=f"replays of the captured SQL (default 5, within {FLOOR_SECONDS:.0f} s)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}")
    parser.add_argument("--no-floor", action="store_true", help="skip the SQL floor")
    parser.add_argument("--db-connections", choices=("app", "per-request", "pool"), default="app",
                        help="how the server connects to PostgreSQL: as bantu/settings.py does (app, the default), "
                             "CONN_MAX_AGE=0 (per-request) or Django's psycopg pool (pool); see bench/settings.py")
    parser.add_argument("--wait-idle", type=float, default=0.0,
                        help="wait up to this many seconds for the machine to be idle (other CPU < 0.3 cores for "
                             "5 s) before each scenario; the benchmark shares the machine with whatever else runs")
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    for url in (args.database_url, args.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            parser.error(f"the benchmark only talks to this machine: {url}")
    if args.jobs < 1 or args.duration <= 0 or args.concurrency < 1 or args.workers < 1:
        parser.error("--jobs, --duration, --concurrency and --workers must be positive")
    return args


# --- Database -----------------------------------------------------------------------------------------------------

def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def _job_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('public.jobs_job') IS NOT NULL").fetchone()[0]
        return conn.execute("SELECT count(*) FROM jobs_job").fetchone()[0] if exists else 0


def _manage(env: dict, *arguments: str, capture: bool = False) -> str:
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    if not capture:
        subprocess.run(command, env=env, cwd=ROOT, check=True)
        return ""
    lines = []
    with subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    if process.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed ({process.returncode})")
    return "".join(lines)


def prepare_database(args: argparse.Namespace, env: dict) -> dict:
    name = _database_name(args.database_url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or "bench" not in name:
        raise SystemExit(f"refusing to use {name!r}: the bench database's name must contain 'bench' (it is dropped)")
    with psycopg.connect(_admin_url(args.database_url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        existing = _job_count(args.database_url) if exists else 0
        if args.reuse and existing >= args.jobs:
            print(f"Reusing {name}: {existing:,} jobs (>= {args.jobs:,})")
            _manage(env, "migrate", "--noinput", "-v", "0")
            return {"database": name, "seeded": False, "jobs": existing}
        if exists:
            print(f"Dropping and re-creating {name}")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    _manage(env, "migrate", "--noinput", "-v", "0")
    started = time.perf_counter()
    output = _manage(env, "seed_jobs", "--count", str(args.jobs), "--seed", str(args.seed), capture=True)
    seed_wall = time.perf_counter() - started
    _manage(env, "search_words_refresh")  # the typo vocabulary: bulk-loaded jobs add no words on their own
    match = re.search(r"Seeded ([\d,]+) jobs .* in ([\d.]+) s: ([\d,]+) jobs/s", output)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        vacuum_started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")  # the visibility map and statistics autovacuum would get to, later
        vacuum_seconds = time.perf_counter() - vacuum_started
    return {
        "database": name, "seeded": True, "jobs": _job_count(args.database_url),
        "seed_seconds": float(match.group(2)) if match else seed_wall,
        "seed_rate_jobs_per_s": int(match.group(3).replace(",", "")) if match else None,
        "seed_command_wall_seconds": round(seed_wall, 1), "vacuum_analyze_seconds": round(vacuum_seconds, 1),
    }


def load_mix(database_url: str, rng: random.Random, queries: int) -> list[str]:
    """The search mix (`queries` paths) for the bench database's slugs and provinces: the same for the same rng
    state (bench/mix.py)."""
    with psycopg.connect(database_url) as conn:
        parents = [row[0] for row in conn.execute(
            "SELECT slug FROM taxonomy_category WHERE parent_id IS NULL ORDER BY slug")]
        children = [row[0] for row in conn.execute(
            "SELECT slug FROM taxonomy_category WHERE parent_id IS NOT NULL ORDER BY slug")]
        skills = [row[0] for row in conn.execute("SELECT slug FROM taxonomy_skill ORDER BY slug")]
        provinces = [tuple(row) for row in conn.execute(
            "SELECT province, count(*) FROM jobs_job WHERE status = 'open' AND removed_at IS NULL "
            "AND province <> '' GROUP BY province ORDER BY province")]
    return build_mix(rng=rng, size=queries, parent_categories=parents, child_categories=children,
                     skills=skills, provinces=provinces)


def load_inputs(args: argparse.Namespace, rng: random.Random) -> dict:
    """The search mix and job ids from the bench database, for the search and the detail scenarios."""
    with psycopg.connect(args.database_url) as conn:
        wanted = DETAIL_CACHED_IDS + min(50_000, max(2_000, args.jobs // 5))
        conn.execute("SELECT setseed(%s)", [(args.seed % 1000) / 1000])
        ids = [str(row[0]) for row in conn.execute(
            "SELECT id FROM jobs_job WHERE status = 'open' AND removed_at IS NULL ORDER BY random() LIMIT %s",
            [wanted])]
    mix = load_mix(args.database_url, rng, args.queries)
    return {"mix": mix, "detail_cached": ids[:DETAIL_CACHED_IDS], "detail_fresh": ids[DETAIL_CACHED_IDS:]}


# --- Server -------------------------------------------------------------------------------------------------------

def django_env(args: argparse.Namespace, cache_prefix: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": cache_prefix,  # a fresh prefix per run: every run starts with a cold cache
        "CHANNELS_PREFIX": f"{cache_prefix}-ws",
        "THROTTLE_SEARCH": "100000000/min",
        "SECRET_KEY": secrets.token_urlsafe(48)[:50],
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "BENCH_DB_CONNECTIONS": args.db_connections,
        "PYTHONUNBUFFERED": "1",  # seed_jobs' progress as it happens
    })
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


SERVERS = ("uvicorn", "gunicorn")


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", choices=SERVERS, default="gunicorn",
                        help="HTTP over WSGI as production serves it (gunicorn with threads, bantu.wsgi and "
                             "deploy/gunicorn.conf.py; default) or over ASGI (uvicorn, bantu.asgi, as `make run`)")


def server_command(args: argparse.Namespace, port: int) -> list[str]:
    """The command line of the server under test: --workers processes of uvicorn or of gunicorn."""
    if getattr(args, "server", "gunicorn") == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "bantu.wsgi:application", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                "--bind", f"{HOST}:{port}", "--workers", str(args.workers), "--log-level", "warning"]
    return [sys.executable, "-m", "uvicorn", "bantu.asgi:application", "--host", HOST, "--port", str(port),
            "--workers", str(args.workers), "--lifespan", "off", "--no-access-log", "--log-level", "warning"]


def start_server(args: argparse.Namespace, env: dict, port: int, log_path: Path) -> subprocess.Popen:
    command = server_command(args, port)
    log = log_path.open("w")
    process = subprocess.Popen(command, env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode}); see {log_path}")
        try:
            answers = asyncio.run(fetch(port, ["/healthz", "/bench/ceiling/"], timeout=5))
            if all(answer.status == 200 for answer in answers):
                return process
        except (OSError, TimeoutError):
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"the server did not answer /healthz within {STARTUP_TIMEOUT:.0f} s; see {log_path}")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the uvicorn started above: its own process group (start_new_session), by id."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- CPU accounting -----------------------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _postgres_backends(database: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL processes working for `database` (their title names it) and of parallel
    workers, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f" {database} " in title or "parallel worker" in title:
            found[int(entry.name)] = _proc_cpu(int(entry.name))
    return found


def cpu_snapshot(server_pid: int, database: str = "") -> dict:
    """CPU seconds used so far: the whole machine, this load generator, the uvicorn tree, the bench database's
    PostgreSQL backends."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    server = [server_pid]
    index = 0
    while index < len(server) and index < 1000:
        server.extend(_children(server[index]))
        index += 1
    times = os.times()
    return {"busy": (sum(values) - idle) / CLOCK_TICKS, "total": sum(values) / CLOCK_TICKS,
            "loadgen": times.user + times.system, "server": sum(_proc_cpu(pid) for pid in server),
            "postgres": _postgres_backends(database) if database else {}}


def cpu_usage(before: dict, after: dict, wall: float) -> dict:
    """Average cores busy during a phase, by whom. `postgres` counts the backends alive at the end (a backend
    that exits during the phase takes its CPU with it); `other` is everything else on the machine: other users'
    processes, and those exited backends."""
    if wall <= 0:
        return {}
    cores = {key: (after[key] - before[key]) / wall for key in ("busy", "loadgen", "server")}
    cores["postgres"] = sum(cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items()) / wall
    cores["other"] = max(0.0, cores["busy"] - cores["loadgen"] - cores["server"] - cores["postgres"])
    return {key: round(value, 2) for key, value in cores.items()}


# --- Scenarios ----------------------------------------------------------------------------------------------------

def _paths(name: str, inputs: dict, run_id: str):
    counter = iter(range(MAX_REQUESTS_PER_PHASE * 4))
    fixed = {"ceiling": "/bench/ceiling/", "healthz": "/healthz", "throttled": "/bench/throttled/"}
    if name in fixed:
        return lambda: fixed[name]
    if name == "search_cached":
        mix = inputs["mix"]
        return lambda: mix[next(counter) % len(mix)]
    if name == "search_uncached":
        mix = inputs["mix"]

        def uncached():
            number = next(counter)
            return f"{mix[number % len(mix)]}&_bench={run_id}-{number}"
        return uncached
    if name == "detail_cached":
        ids = inputs["detail_cached"]
        return lambda: f"/api/v1/jobs/{ids[next(counter) % len(ids)]}/"
    fresh = inputs["detail_fresh"]

    def detail_uncached():
        return f"/api/v1/jobs/{fresh.pop()}/" if fresh else None
    return detail_uncached


def summarize(result: PhaseResult, expected_cache: str | None) -> dict:
    summary = {
        "phase": result.name.split("/")[-1], "concurrency": result.concurrency, "requests": result.requests,
        "seconds": round(result.seconds, 2), "rps": round(result.rps, 1),
        "p50_ms": percentile(result.latencies_ms, 0.50), "p95_ms": percentile(result.latencies_ms, 0.95),
        "p99_ms": percentile(result.latencies_ms, 0.99), "max_ms": max(result.latencies_ms, default=None),
        "server_p50_ms": percentile(result.server_ms, 0.50), "server_p95_ms": percentile(result.server_ms, 0.95),
        "server_p99_ms": percentile(result.server_ms, 0.99),
        "statuses": {str(key): value for key, value in sorted(result.statuses.items())},
        "x_cache": dict(result.x_cache), "errors": dict(result.errors), "cpu_cores": result.cpu,
    }
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "server_p50_ms", "server_p95_ms", "server_p99_ms"):
        if summary[key] is not None:
            summary[key] = round(summary[key], 3)
    if expected_cache is not None:
        wrong = result.requests - result.x_cache.get(expected_cache, 0)
        summary["cache_check"] = "ok" if wrong == 0 and result.requests else f"{wrong} not {expected_cache}"
    return summary


def wait_idle(limit: float) -> float | None:
    """Wait until the machine has been idle (< 0.3 busy cores) for 5 s in a row, at most `limit` seconds.
    Returns the busy cores seen last (None when not asked to wait)."""
    if limit <= 0:
        return None
    deadline = time.monotonic() + limit
    quiet = 0
    busy = None
    while time.monotonic() < deadline:
        before = cpu_snapshot(os.getpid())
        time.sleep(1.0)
        after = cpu_snapshot(os.getpid())
        busy = (after["busy"] - before["busy"]) / max(after["total"] - before["total"], 1e-9) * (os.cpu_count() or 1)
        quiet = quiet + 1 if busy < 0.3 else 0
        if quiet >= 5:
            break
    return round(busy, 2) if busy is not None else None


def run_scenarios(args: argparse.Namespace, port: int, server_pid: int, inputs: dict, run_id: str) -> dict:
    results = {}
    phases = [("load", args.concurrency)]
    if args.latency_concurrency > 0:
        phases.append(("latency", args.latency_concurrency))
    for name in SCENARIOS:
        if name not in args.only:
            continue
        results[name] = []
        for phase, concurrency in phases:
            next_path = _paths(name, inputs, f"{run_id}{phase}")
            busy_before = wait_idle(args.wait_idle)
            database = _database_name(args.database_url)
            before = cpu_snapshot(server_pid, database)
            wall_started = time.perf_counter()
            result = asyncio.run(run_phase(name=f"{name}/{phase}", port=port, next_path=next_path,
                                           concurrency=concurrency, duration=args.duration, warmup=args.warmup,
                                           max_requests=MAX_REQUESTS_PER_PHASE))
            result.cpu = cpu_usage(before, cpu_snapshot(server_pid, database), time.perf_counter() - wall_started)
            summary = summarize(result, EXPECTED_CACHE.get(name))
            summary["busy_cores_before"] = busy_before
            results[name].append(summary)
            print(f"  {name:<16} {phase:<7} c={concurrency:<3} {summary['rps']:>8.1f} req/s  "
                  f"p50 {_ms(summary['p50_ms'])}  p95 {_ms(summary['p95_ms'])}  p99 {_ms(summary['p99_ms'])}  "
                  f"server p50 {_ms(summary['server_p50_ms'])}  statuses {summary['statuses']}  "
                  f"X-Cache {summary['x_cache']}  cpu {summary['cpu_cores']}", flush=True)
    return results


def warm(port: int, inputs: dict) -> dict:
    """Run every search of the mix once (drops the ones that do not answer 200), check a second run is all
    HITs, and warm the cached detail ids."""
    started = time.perf_counter()
    first = asyncio.run(fetch(port, inputs["mix"]))
    kept = [path for path, answer in zip(inputs["mix"], first, strict=True) if answer.status == 200]
    dropped = {path: answer.status for path, answer in zip(inputs["mix"], first, strict=True) if answer.status != 200}
    inputs["mix"] = kept
    second = asyncio.run(fetch(port, kept))
    details = asyncio.run(fetch(port, [f"/api/v1/jobs/{job_id}/" for job_id in inputs["detail_cached"]]))
    counts = [json.loads(answer.body).get("count", 0) for answer in first if answer.status == 200]
    return {
        "seconds": round(time.perf_counter() - started, 1), "searches": len(kept), "dropped": dropped,
        "first_pass_misses": sum(answer.headers.get("x-cache") == "MISS" for answer in first),
        "second_pass_hits": sum(answer.headers.get("x-cache") == "HIT" for answer in second),
        "detail_warmed": sum(answer.status == 200 for answer in details),
        "result_count_p50": percentile(counts, 0.5), "result_count_max": max(counts, default=0),
        "empty_results": sum(count == 0 for count in counts),
    }


# --- Floor --------------------------------------------------------------------------------------------------------

def _sql_time(cursor, statement: str) -> float:
    """Milliseconds to run `statement` and fetch its rows. A statement cancelled by the statement_timeout its
    request set (a search's walk, jobs.search._walk_or_sort) counts the time until it was cancelled, as in the
    request, and its transaction is rolled back here: the replay may cancel a walk that finished when it was
    captured, and then goes on with what the request did next (a captured COMMIT or ROLLBACK after that only
    warns). Such a search's sort, not captured, is not replayed."""
    started = time.perf_counter()
    try:
        cursor.execute(statement)
        if cursor.description is not None:
            cursor.fetchall()
    except psycopg.errors.QueryCanceled:
        elapsed = (time.perf_counter() - started) * 1000
        cursor.execute("ROLLBACK")
        return elapsed
    return (time.perf_counter() - started) * 1000


_NOT_EXPLAINED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
_EXPLAINED = re.compile(r"^EXPLAIN \([A-Z, ]+\) ")


def explained(statement: str) -> str:
    """What to EXPLAIN of a captured statement: the query of a count the search itself ran under EXPLAIN ANALYZE
    (jobs.search.Counted), else the statement."""
    return _EXPLAINED.sub("", statement, count=1)


def _capture(client, connection, inputs: dict, run_id: str) -> list[tuple[str, str, list[str]]]:
    """(kind, path, SQL statements) of one uncached request per search of the mix and of 50 fresh details."""
    from django.test.utils import CaptureQueriesContext

    captured = []
    requests = [("search", path, f"{path}&_bench={run_id}floor{index}") for index, path in enumerate(inputs["mix"])]
    requests += [("detail", f"/api/v1/jobs/{job_id}/", f"/api/v1/jobs/{job_id}/")
                 for job_id in inputs["detail_fresh"][:50]]
    for kind, path, url in requests:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code == 200:
            captured.append((kind, path, [query["sql"] for query in queries.captured_queries]))
    connection.close()
    return captured


def _replay(args: argparse.Namespace, options: str, captured: list) -> dict:
    """Run each request's SQL in turn on one psycopg connection, --floor-repeat times; EXPLAIN the slowest."""
    samples: dict[str, list[float]] = {"search": [], "detail": []}
    per_path: dict[str, list[float]] = {}
    per_statement: dict[tuple[str, int], list[float]] = {}
    deadline = time.monotonic() + FLOOR_SECONDS
    plans = []
    with psycopg.connect(args.database_url, options=options, autocommit=True) as conn, conn.cursor() as cursor:
        for repeat in range(max(1, args.floor_repeat)):
            if repeat and time.monotonic() > deadline:
                break
            for kind, path, statements in captured:
                total = 0.0
                for position, statement in enumerate(statements):
                    elapsed = _sql_time(cursor, statement)
                    per_statement.setdefault((path, position), []).append(elapsed)
                    total += elapsed
                samples[kind].append(total)
                per_path.setdefault(path, []).append(total)
        slowest = sorted(per_path, key=lambda path: -percentile(per_path[path], 0.5))[:5]
        statements_by_path = {path: statements for _, path, statements in captured}
        for path in slowest:
            statements = statements_by_path[path]
            ranked = sorted((i for i in range(len(statements)) if not statements[i].startswith(_NOT_EXPLAINED)),
                            key=lambda i: -percentile(per_statement[(path, i)], 0.5))
            for position in ranked[:2]:
                rows = cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {explained(statements[position])}").fetchall()
                plans.append({"path": path, "statement": statements[position],
                              "median_ms": round(percentile(per_statement[(path, position)], 0.5), 3),
                              "plan": "\n".join(row[0] for row in rows)})
    return {
        "search": _stats(samples["search"]), "detail": _stats(samples["detail"]),
        "statements_per_search": percentile([len(s) for kind, _, s in captured if kind == "search"], 0.5),
        "statements_per_detail": percentile([len(s) for kind, _, s in captured if kind == "detail"], 0.5),
        "slowest_searches": [{"path": path, "median_ms": round(percentile(per_path[path], 0.5), 3)}
                             for path in slowest],
        "plans": plans,
    }


def floor(args: argparse.Namespace, env: dict, inputs: dict, run_id: str, port: int) -> dict:
    """Capture the SQL of every search (and of some details) in-process, replay it with psycopg on one
    connection, EXPLAIN the slowest; time a plain cache read of cached searches."""
    os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from bantu.core import cache_versions

    client = Client(HTTP_HOST=f"{HOST}:{port}")  # the server's host: the same cache keys as its requests
    # The keys the view itself reads (spied in this process only), so the floor does not re-implement them.
    reads = []
    original = cache_versions.get_or_compute

    def spy(key, names, compute, *, ttl, found=None):
        reads.append(tuple(cache_versions.read_keys(key, names)))
        return original(key, names, compute, ttl=ttl, found=found)

    cache_versions.get_or_compute = spy
    try:
        for path in inputs["mix"]:
            client.get(path)  # mostly HITs on what the server cached; a MISS puts back an expired entry
    finally:
        cache_versions.get_or_compute = original
    connection.close()
    reads = [keys for keys in dict.fromkeys(reads) if keys[0].startswith("jobs:search-json:")]
    cache_reads = []  # a hit's read of the entry and its versions (the server makes it in the throttle's call)
    for _ in range(max(1, args.floor_repeat)):
        for keys in reads:
            started = time.perf_counter()
            if keys[0] in cache.get_many(list(keys)):
                cache_reads.append((time.perf_counter() - started) * 1000)

    captured = _capture(client, connection, inputs, run_id)
    result = _replay(args, settings.DATABASES["default"].get("OPTIONS", {}).get("options", ""), captured)
    result["cache_get_search"] = _stats(cache_reads)
    return result


def _stats(values: list[float]) -> dict:
    if not values:
        return {"samples": 0}
    return {"samples": len(values), "p50_ms": round(percentile(values, 0.5), 3),
            "p95_ms": round(percentile(values, 0.95), 3), "p99_ms": round(percentile(values, 0.99), 3),
            "mean_ms": round(sum(values) / len(values), 3)}


# --- Report -------------------------------------------------------------------------------------------------------

def _ms(value) -> str:
    return f"{value:8.2f}" if value is not None else "       -"


def _ratio(value, base) -> str:
    return f"{value / base:6.2f}x" if value and base else "      -"


def report(results: dict, floor_result: dict | None) -> list[str]:
    lines = []
    ceiling = {phase["phase"]: phase for phase in results.get("ceiling", [])}
    header = (f"{'scenario':<16} {'phase':<7} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'srv p50':>8} {'srv p95':>8} {'rps/ceil':>8} {'p50/ceil':>8} {'p95/ceil':>8}  cache")
    lines += [header, "-" * len(header)]
    for name, phases in results.items():
        for phase in phases:
            base = ceiling.get(phase["phase"], {})
            lines.append(
                f"{name:<16} {phase['phase']:<7} {phase['concurrency']:>4} {phase['rps']:>9.1f} "
                f"{_ms(phase['p50_ms'])} {_ms(phase['p95_ms'])} {_ms(phase['p99_ms'])} "
                f"{_ms(phase['server_p50_ms'])} {_ms(phase['server_p95_ms'])} "
                f"{_ratio(phase['rps'], base.get('rps'))}  {_ratio(phase['p50_ms'], base.get('p50_ms'))}  "
                f"{_ratio(phase['p95_ms'], base.get('p95_ms'))}  {phase.get('cache_check', '')}")
    if floor_result:
        lines.append("")
        lines.append("Floor (no HTTP, no Django): the captured SQL replayed with psycopg, one connection; "
                     "a cache.get of a cached search")
        for key, label in (("search", "search SQL"), ("detail", "detail SQL"), ("cache_get_search", "cache get")):
            stats = floor_result[key]
            if stats.get("samples"):
                lines.append(f"  {label:<12} p50 {_ms(stats['p50_ms'])}  p95 {_ms(stats['p95_ms'])}  "
                             f"p99 {_ms(stats['p99_ms'])}  ({stats['samples']} samples)")
    lines.append("")
    return lines + verdicts(results, floor_result)


def _failed_requests(phase: dict) -> int:
    return sum(count for status, count in phase["statuses"].items() if not status.startswith("2")) + sum(
        phase["errors"].values())


def verdicts(results: dict, floor_result: dict | None) -> list[str]:
    """One line per target this run measured: the figure, the target, and whether it is met. Targets whose
    scenarios were not run (`--only`, `--no-floor`) are left out."""
    def phase(name: str, which: str) -> dict | None:
        return next((p for p in results.get(name, []) if p["phase"] == which), None)

    def line(source: str, figure: str, met: bool, target: str) -> str:
        return f"{source}: {figure} {'meets' if met else 'MISSES'} {target}"

    def throughput(name: str) -> tuple[dict, float] | None:
        """The scenario's load phase and its req/s over the ceiling's, when both ran."""
        load, ceiling = phase(name, "load"), phase("ceiling", "load")
        return (load, load["rps"] / ceiling["rps"]) if load and ceiling and ceiling["rps"] else None

    def p95_per_healthz(name: str) -> float | None:
        """The scenario's p95 at one client over /healthz's, when both ran."""
        latency, healthz = phase(name, "latency"), phase("healthz", "latency")
        if latency and healthz and latency["p95_ms"] and healthz["p95_ms"]:
            return latency["p95_ms"] / healthz["p95_ms"]
        return None

    lines = []
    uncached = phase("search_uncached", "latency")
    if uncached and uncached["p95_ms"] is not None:
        lines.append(line("target", f"uncached search p95 {uncached['p95_ms']:.1f} ms at one client",
                          uncached["p95_ms"] <= UNCACHED_SEARCH_P95_MS, f"<= {UNCACHED_SEARCH_P95_MS:g} ms"))
    if cached := throughput("search_cached"):
        load, ratio = cached
        lines.append(line("target", f"cached search at {load['concurrency']} clients "
                          f"{ratio:.2f}x the bare endpoint's throughput", ratio >= CACHED_SEARCH_THROUGHPUT,
                          f">= {CACHED_SEARCH_THROUGHPUT:g}x"))
    loaded = {name: p for name, phases in results.items() for p in phases if p["phase"] == "load"}
    if loaded:
        failed = {name: _failed_requests(p) for name, p in loaded.items()}
        lines.append(line("target", f"{sum(failed.values())} failed requests under load ({failed})",
                          not any(failed.values()), "none"))
    search_sql = (floor_result or {}).get("search") or {}
    if search_sql.get("p95_ms") is not None:
        lines.append(line("the mix's SQL alone", f"p95 {search_sql['p95_ms']:.1f} ms",
                          search_sql["p95_ms"] <= SQL_FLOOR_P95_MS, f"<= {SQL_FLOOR_P95_MS:g} ms"))
    if (ratio := p95_per_healthz("search_cached")) is not None:
        lines.append(line("cached search at one client", f"p95 {ratio:.2f}x /healthz's",
                          ratio <= CACHED_SEARCH_P95_PER_HEALTHZ, f"<= {CACHED_SEARCH_P95_PER_HEALTHZ:g}x"))
    # The same two figures for the throttled endpoint, which does only what a cached search cannot skip: where it
    # misses, no cached search through DRF and the throttle meets the target either.
    if throttled := throughput("throttled"):
        load, ratio = throttled
        lines.append(line("the floor of a cached search (bench/throttled/)", f"{ratio:.2f}x the bare endpoint's "
                          f"throughput at {load['concurrency']} clients", ratio >= CACHED_SEARCH_THROUGHPUT,
                          f">= {CACHED_SEARCH_THROUGHPUT:g}x"))
    if (ratio := p95_per_healthz("throttled")) is not None:
        lines.append(line("the floor of a cached search at one client", f"p95 {ratio:.2f}x /healthz's",
                          ratio <= CACHED_SEARCH_P95_PER_HEALTHZ, f"<= {CACHED_SEARCH_P95_PER_HEALTHZ:g}x"))
    return lines


def machine_info(args: argparse.Namespace) -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": os.getloadavg()}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["mem_total_gib"] = round(int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024**2, 1)
        info["cpu_model"] = re.search(r"model name\s+:\s+(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    with psycopg.connect(args.database_url) as conn:
        info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        for setting in ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather",
                        "jit", "random_page_cost"):
            info[f"pg_{setting}"] = conn.execute(f"SHOW {setting}").fetchone()[0]
    try:
        import redis

        info["redis"] = redis.Redis.from_url(args.redis_url).info("server").get("redis_version")
    except Exception as exc:  # a missing Redis shows up in the scenarios; this is only information
        info["redis"] = f"unknown ({exc})"
    return info


def clean_cache(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    removed = 0
    batch = []
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            removed += client.delete(*batch)
            batch = []
        if removed >= 5_000_000:
            break
    if batch:
        removed += client.delete(*batch)
    return removed


def main() -> None:
    args = parse_args()
    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    cache_prefix = f"bench{run_id.replace('-', '')}{secrets.token_hex(2)}"
    env = django_env(args, cache_prefix)
    RESULTS_DIR.mkdir(exist_ok=True)
    print(f"Bantu bench {run_id}: {args.jobs:,} jobs, {args.workers} {args.server} workers, concurrency "
          f"{args.concurrency} then {args.latency_concurrency}, {args.duration:g} s per phase", flush=True)
    database = prepare_database(args, env)
    inputs = load_inputs(args, random.Random(args.seed))
    machine = machine_info(args)
    print("PostgreSQL " + ", ".join(f"{key[3:]}={value}" for key, value in machine.items() if key.startswith("pg_"))
          + " (docs/benchmarks.md: the plans depend on them)", flush=True)
    port = free_port()
    log_path = RESULTS_DIR / f"{run_id}-server.log"
    server = start_server(args, env, port, log_path)
    try:
        print(f"{args.server} up on {HOST}:{port} (pid {server.pid}); warming the search mix", flush=True)
        warmed = warm(port, inputs)
        print(f"  warm-up: {warmed}", flush=True)
        results = run_scenarios(args, port, server.pid, inputs, run_id)
    finally:
        stop_server(server)
    floor_result = None
    if not args.no_floor:
        print("Measuring the SQL floor", flush=True)
        floor_result = floor(args, env, inputs, run_id, port)
    removed = clean_cache(args.redis_url, cache_prefix)
    lines = report(results, floor_result)
    print("\n" + "\n".join(lines))
    output = {
        "run_id": run_id, "args": vars(args), "machine": machine,
        "database": database, "warm_up": warmed, "scenarios": results, "floor": floor_result,
        "cache_keys_removed": removed, "report": lines,
        "notes": "The load generator runs on the same machine as uvicorn, PostgreSQL and Redis; see cpu_cores.",
    }
    path = RESULTS_DIR / f"{run_id}-{args.jobs}.json"
    path.write_text(json.dumps(output, indent=2, default=str))
    print(f"\nResults: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
