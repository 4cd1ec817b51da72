"""The floor of the uncached search mix with the indexes we have: each search of the mix timed in-process (as
bench/mix_timing.py: Django's test client, caches emptied) under each way the search's slow part can be planned,
then the p95 over the mix of each search's fastest way, as if the best plan were known in advance every time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bantu_bench_search_1m .venv/bin/python bench/search_floor.py

The ways (jobs/search.py) apply where a search has a choice, past the count cap with text:
- `as built`: the code as it is (relevance's candidates looked for among recent jobs, walked or sorted as the
  count's plan says, else as PostgreSQL plans them; text in a budget order sorted when its words match few jobs,
  else, like text in a date order, walked for at most SEARCH_WALK_TIMEOUT_MS, then sorted);
- `planned`: both as PostgreSQL plans them, without a time limit;
- `walked`: both walked, without bitmap scans (the order's index, checking the text on each row);
- `sorted`: both from the text index, every match sorted.
Other searches (no text, under the cap) have one plan and are timed the same way in each pass. docs/benchmarks.md,
"Seventh round" and "Eighth round", reads its output.
"""

import argparse
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

from django.conf import settings  # noqa: E402
from django.core.cache import cache, caches  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.run import load_mix  # noqa: E402
from jobs import search  # noqa: E402

AS_BUILT = (search._walk_or_sort, search.JobSearch._ranked_candidates, search.JobSearch.page)
CHOICES = {name: settings.BANTU[name] for name in ("SEARCH_SORT_BOUND", "SEARCH_WALKED_PER_SORTED",
                                                    "SEARCH_CANDIDATES_MARGIN")}


def _without_bitmaps(run):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        return run()


def _sorted_candidates(found, bound, *, sort=False, since=None):
    return AS_BUILT[1](found, bound, sort=True)


def _sorted_page(walk, sort):
    return search.rows_in_order(list(sort))


def _walked_page(found, offset, limit):
    if found.ranked and found.count_capped:
        return _without_bitmaps(lambda: AS_BUILT[2](found, offset, limit))
    return AS_BUILT[2](found, offset, limit)


def use(way: str) -> None:
    """Patch jobs.search for `way`. Only the code as built chooses from the count's plan (SEARCH_SORT_BOUND,
    SEARCH_WALKED_PER_SORTED, SEARCH_CANDIDATES_MARGIN)."""
    search._walk_or_sort, search.JobSearch._ranked_candidates, search.JobSearch.page = AS_BUILT
    built = way == "as built"
    settings.BANTU = {**settings.BANTU, **{name: value if built else 0 for name, value in CHOICES.items()}}
    if way == "planned":
        search._walk_or_sort = lambda walk, sort: list(walk)
    elif way == "walked":
        search._walk_or_sort = lambda walk, sort: _without_bitmaps(lambda: list(walk))
        search.JobSearch.page = _walked_page
    elif way == "sorted":
        search._walk_or_sort = _sorted_page
        search.JobSearch._ranked_candidates = _sorted_candidates


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each search in each way (default 3)")
    parser.add_argument("--queries", type=int, default=120, help="searches in the mix, as bench/run.py (120)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    mix = load_mix(os.environ["DATABASE_URL"], random.Random(args.seed), args.queries)
    client = Client()
    ways = ("as built", "planned", "walked", "sorted")
    medians: dict[str, dict[str, float]] = {}
    for way in ways:
        use(way)
        runs: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for path in mix:
                cache.clear()
                caches["throttle"].clear()
                started = time.perf_counter()
                response = client.get(path, HTTP_HOST="127.0.0.1")
                runs.setdefault(path, []).append((time.perf_counter() - started) * 1000)
                assert response.status_code in (200, 404), (path, response.status_code)
        medians[way] = {path: statistics.median(times) for path, times in runs.items()}
    use("as built")
    best = {path: min(medians[way][path] for way in ways) for path in mix}
    for way in ways:
        values = list(medians[way].values())
        print(f"{way:>9}: p50 {percentile(values, 0.5):6.1f}  p95 {percentile(values, 0.95):6.1f}  "
              f"p99 {percentile(values, 0.99):6.1f} ms (medians of {args.repeat} runs of {len(mix)} searches)")
    values = list(best.values())
    print(f"{'best':>9}: p50 {percentile(values, 0.5):6.1f}  p95 {percentile(values, 0.95):6.1f}  "
          f"p99 {percentile(values, 0.99):6.1f} ms (each search's fastest way)")
    print("Above 50 ms at their best:")
    for path, ms in sorted(best.items(), key=lambda item: -item[1]):
        if ms <= 50:
            break
        ways_ms = "  ".join(f"{way} {medians[way][path]:.1f}" for way in ways)
        print(f"{ms:8.1f}  {path}  ({ways_ms})")


if __name__ == "__main__":
    main()
