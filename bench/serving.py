#!/usr/bin/env python
"""What serving HTTP costs: the same Django endpoints under uvicorn (ASGI) and gunicorn (WSGI, threaded workers,
deploy/gunicorn.conf.py), beside a bare app on each server (bench/bare.py), measured with wrk.

    .venv/bin/python bench/serving.py                       # 1 worker, 1 and 32 connections, 8 s each
    .venv/bin/python bench/serving.py --connections 1 --duration 5

For each server and path: requests/s, wrk's latency p50/p99, and the server processes' CPU per request (from
/proc: user + system time over the measured run, which depends much less on what else the machine does than
latency). Paths: /healthz (Django's middleware and a plain view), /bench/ceiling/ (DRF with nothing to do).
Needs wrk (Debian package `wrk`) and PostgreSQL + Redis on 127.0.0.1 (a `bantu_bench_serving` database is
migrated if needed). Bounded: one warm-up and one measured wrk run per row, each --duration seconds.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import HOST, cpu_snapshot, free_port  # noqa: E402

SERVERS = {
    "uvicorn": lambda app, port: [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
                                  "--workers", "1", "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
    "gunicorn": lambda app, port: [sys.executable, "-m", "gunicorn", app, "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                                   "--bind", f"{HOST}:{port}", "--workers", "1", "--log-level", "warning"],
}
APPS = {"uvicorn": ("bench.bare:asgi", "bantu.asgi:application"),
        "gunicorn": ("bench.bare:wsgi", "bantu.wsgi:application")}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", default="1,32", help="comma-separated wrk connection counts (default 1,32)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measured run (default 8)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bantu_bench_serving")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    return parser.parse_args()


def wrk(url: str, connections: int, duration: int) -> dict:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, timeout=duration + 30, check=True).stdout

    def ms(label):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": ms("50%"), "p99_ms": ms("99%"), "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": errors.group(1) if errors else ""}


def measure(server: str, app: str, path: str, *, connections: int, duration: int, env: dict) -> dict:
    port = free_port()
    process = subprocess.Popen(SERVERS[server](app, port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://{HOST}:{port}{path}"
        deadline = time.monotonic() + 30
        while subprocess.run(["curl", "-sf", "-o", "/dev/null", url], check=False).returncode != 0:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"{server} {app} did not answer {path}")
            time.sleep(0.2)
        wrk(url, connections, max(2, duration // 3))  # warm-up
        before = cpu_snapshot(process.pid)["server"]
        result = wrk(url, connections, duration)
        result["cpu_ms_per_request"] = (cpu_snapshot(process.pid)["server"] - before) * 1000 / result["requests"]
        return result
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    env = dict(os.environ, DATABASE_URL=args.database_url, REDIS_URL=args.redis_url,
               DJANGO_SETTINGS_MODULE="bench.settings", DEBUG="false", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    database = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-qc", f"CREATE DATABASE {database}"],
                   capture_output=True, check=False)  # already there: fine
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    rows = []
    print(f"{'server':9} {'app':24} {'path':16} {'conns':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'cpu ms/req':>10} errors", flush=True)
    for connections in (int(c) for c in args.connections.split(",")):
        for server in SERVERS:
            bare, django = APPS[server]
            for app, path in ((bare, "/healthz"), (django, "/healthz"), (django, "/bench/ceiling/")):
                result = measure(server, app, path, connections=connections, duration=args.duration, env=env)
                rows.append({"server": server, "app": app, "path": path, "connections": connections, **result})
                print(f"{server:9} {app:24} {path:16} {connections:>5} {result['rps']:>8.0f} {result['p50_ms']:>7.2f} "
                      f"{result['p99_ms']:>7.2f} {result['cpu_ms_per_request']:>10.3f} "
                      f"{result['non_2xx'] or ''} {result['socket_errors']}", flush=True)
    return rows


if __name__ == "__main__":
    main()
