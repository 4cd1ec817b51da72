"""Two checkouts of the code timed on the same search mix, paired: each search runs in both, one after the other, in
an order that alternates, so that a machine whose speed drifts by 20-30% from minute to minute (as this project's
shared 2-core machines do: `python3 -c "sum(range(10**8))"` from 1.7 to 2.5 s within an hour) slows both alike.
Runs of bench/mix_timing.py one after the other differed by more than the change they measured.

    git worktree add /tmp/before <commit>; ln -s "$PWD/.venv" /tmp/before/.venv
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bantu_bench_search_1m \\
        .venv/bin/python bench/mix_ab.py /tmp/before . --repeat 4

Each checkout is served by a worker process of its own (Django's test client, the caches emptied before every
request, as bench/mix_timing.py), started in that checkout with its `.venv`. Prints, for each, the percentiles
over every run and over the searches' medians, then the searches that changed most. The database must be a bench
database (`make bench`); the mix is bench/run.py's for the same `--queries` and seed.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bantu.settings")

import django

django.setup()

from bench.run import load_mix  # noqa: E402
from bench.search_floor import percentile  # noqa: E402

# Runs in each checkout (its own code, not this file's): one search path per line in, "<ms> <status>" out.
WORKER = """
import logging, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bantu.settings")
import django
django.setup()
logging.disable(logging.WARNING)
from django.core.cache import cache, caches
from django.test import Client
client = Client()
print("ready", flush=True)
for line in sys.stdin:
    cache.clear()
    caches["throttle"].clear()
    started = time.perf_counter()
    response = client.get(line.strip(), HTTP_HOST="127.0.0.1")
    print(f"{(time.perf_counter() - started) * 1000:.3f} {response.status_code}", flush=True)
"""


class Worker:
    def __init__(self, checkout: Path):
        self.process = subprocess.Popen([str(checkout / ".venv" / "bin" / "python"), "-c", WORKER], cwd=checkout,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit(f"{checkout}: the worker did not start")

    def time(self, path: str) -> float:
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        ms, status = self.process.stdout.readline().split()
        if status not in ("200", "404"):
            raise SystemExit(f"{path}: {status}")
        return float(ms)

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="the first checkout (before)")
    parser.add_argument("b", type=Path, help="the second checkout (after)")
    parser.add_argument("--repeat", type=int, default=4, help="runs of each search in each checkout (default 4)")
    parser.add_argument("--queries", type=int, default=120, help="searches in the mix, as bench/run.py (120)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed", type=int, default=8, help="searches listed that changed most (default 8)")
    args = parser.parse_args()
    mix = load_mix(os.environ["DATABASE_URL"], random.Random(args.seed), args.queries)
    workers = {"A": Worker(args.a.resolve()), "B": Worker(args.b.resolve())}
    for path in mix:  # warm both: connections, caches of the database and of each process
        for worker in workers.values():
            worker.time(path)
    runs: dict[str, dict[str, list[float]]] = {"A": {}, "B": {}}
    for repeat in range(args.repeat):
        for index, path in enumerate(mix):
            for name in ("A", "B") if (index + repeat) % 2 == 0 else ("B", "A"):
                runs[name].setdefault(path, []).append(workers[name].time(path))
    for worker in workers.values():
        worker.stop()
    for name, checkout in (("A", args.a), ("B", args.b)):
        every = [ms for times in runs[name].values() for ms in times]
        medians = [statistics.median(times) for times in runs[name].values()]
        print(f"{name} {checkout}: {len(every)} runs p50 {percentile(every, 0.5):.1f} "
              f"p95 {percentile(every, 0.95):.1f} p99 {percentile(every, 0.99):.1f} ms, "
              f"mean {statistics.mean(every):.2f}; the searches' medians p50 "
              f"{percentile(medians, 0.5):.1f} p95 {percentile(medians, 0.95):.1f} ms")
    change = sorted((statistics.median(runs["B"][path]) - statistics.median(runs["A"][path]), path) for path in mix)
    print("B - A, medians, most faster then most slower:")
    for delta, path in change[:args.changed] + change[-args.changed:]:
        print(f"{delta:+8.1f}  {path}")


if __name__ == "__main__":
    main()
