"""Time each search of the bench mix in one process, without HTTP: Django's test client, the cache emptied before
every request, `--repeat` passes over the mix; prints the percentiles over all runs and the slowest searches by
their median. Quick to rerun after a change to jobs/search.py or the database's settings (docs/benchmarks.md,
"Search, third round").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bantu_bench_search_1m .venv/bin/python bench/mix_timing.py

The database must be a bench database (`make bench`, or `manage.py seed_jobs`); the mix is bench/run.py's for the
same `--queries` and seed. Without REDIS_URL the cache is local memory; the cache and the throttles' counts are
emptied before every request.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bantu.settings")

import django

django.setup()

from django.core.cache import cache, caches  # noqa: E402
from django.test import Client  # noqa: E402

from bench.run import load_mix  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the mix (default 3)")
    parser.add_argument("--queries", type=int, default=120, help="searches in the mix, as bench/run.py (120)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slowest", type=int, default=25, help="searches listed (default 25)")
    parser.add_argument("--out", default="", help="write {path: median ms} as JSON here")
    args = parser.parse_args()
    mix = load_mix(os.environ["DATABASE_URL"], random.Random(args.seed), args.queries)
    client = Client()
    runs: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for path in mix:
            cache.clear()
            caches["throttle"].clear()  # a throttled request (429) would count as a fast search
            started = time.perf_counter()
            client.get(path, HTTP_HOST="127.0.0.1")
            runs.setdefault(path, []).append((time.perf_counter() - started) * 1000)
    every = sorted(ms for times in runs.values() for ms in times)
    print(f"{len(every)} runs: p50 {every[len(every) // 2]:.1f} ms, p95 {every[int(len(every) * 0.95)]:.1f} ms, "
          f"p99 {every[int(len(every) * 0.99)]:.1f} ms")
    medians = {path: statistics.median(times) for path, times in runs.items()}
    for path, ms in sorted(medians.items(), key=lambda item: -item[1])[:args.slowest]:
        print(f"{ms:8.1f}  {path}")
    if args.out:
        Path(args.out).write_text(json.dumps(medians, indent=1))


if __name__ == "__main__":
    main()
