"""`make bench` judges its own run against the targets of docs/architecture.md and the search work's finer
figures (bench/run.py, `verdicts`): one line per target the run measured."""

from bench.run import verdicts


def _phase(phase, concurrency, rps, p95, statuses=None, errors=None):
    return {"phase": phase, "concurrency": concurrency, "rps": rps, "p95_ms": p95,
            "statuses": statuses or {"200": 100}, "errors": errors or {}}


RESULTS = {
    "ceiling": [_phase("load", 32, 2000.0, 20.0), _phase("latency", 1, 1000.0, 1.0)],
    "healthz": [_phase("load", 32, 2500.0, 15.0), _phase("latency", 1, 1200.0, 0.8)],
    "search_cached": [_phase("load", 32, 1800.0, 30.0), _phase("latency", 1, 700.0, 1.6)],
    "search_uncached": [_phase("load", 32, 40.0, 900.0, statuses={"200": 90, "429": 2}, errors={"TimeoutError": 1}),
                        _phase("latency", 1, 25.0, 48.5)],
}


def test_each_measured_target_gets_a_verdict():
    assert verdicts(RESULTS, {"search": {"p95_ms": 31.0}}) == [
        "target: uncached search p95 48.5 ms at one client meets <= 50 ms",
        "target: cached search at 32 clients 0.90x the bare endpoint's throughput meets >= 0.85x",
        "target: 3 failed requests under load ({'ceiling': 0, 'healthz': 0, 'search_cached': 0, "
        "'search_uncached': 3}) MISSES none",
        "the mix's SQL alone: p95 31.0 ms MISSES <= 30 ms",
        "cached search at one client: p95 2.00x /healthz's MISSES <= 1.5x",
    ]


def test_targets_of_scenarios_not_run_are_left_out():
    assert verdicts({"ceiling": RESULTS["ceiling"]}, None) == [
        "target: 0 failed requests under load ({'ceiling': 0}) meets none"]


def test_the_throttled_endpoint_is_judged_as_the_floor_of_a_cached_search():
    results = {**RESULTS, "throttled": [_phase("load", 32, 1600.0, 25.0), _phase("latency", 1, 900.0, 1.1)]}
    assert verdicts(results, None)[-2:] == [
        "the floor of a cached search (bench/throttled/): 0.80x the bare endpoint's throughput at 32 clients "
        "MISSES >= 0.85x",
        "the floor of a cached search at one client: p95 1.38x /healthz's meets <= 1.5x",
    ]
