"""bench/ws_fanout.py judges its own run against the WebSocket targets of docs/architecture.md (`verdicts`)."""

from bench.ws_fanout import verdicts


def _close(client_errors=0, channels=0, present=0, log=None):
    return {"client_errors": client_errors, "left": {"channels_in_groups": channels, "present_users": present},
            "server_log": log or {}}


def _report(close=None, storm_log=None, connect_errors=0):
    return {"pairs": {"achieved_rate": 298.7}, "close": close or _close(),
            "storm": {"connect_errors": connect_errors, "closed_by_server": 0, "close": _close(),
                      "server_log": storm_log or {}}}


LATENCIES = {"pairs": [0.005] * 90 + [0.250] * 10, "room": [0.300] * 999}


def test_the_delivery_targets_at_a_thousand_sockets():
    lines = verdicts(1000, 300.0, LATENCIES, {"pairs": 100, "room": 999}, _report())

    assert lines == [
        "target: pairs p95 250.0 ms, 100/100 delivered, at 300 messages/s (achieved 299) MISSES <= 100 ms, every one "
        "delivered, at >= 300/s",
        "target: room p95 300.0 ms, 999/999 delivered meets <= 500 ms, every one delivered",
        "target: 0 failed or left behind when sockets close at once ({'close': 0, 'storm': 0}) meets none",
    ]


def test_a_slower_rate_or_a_lost_delivery_misses():
    fast = {"pairs": [0.005] * 100, "room": [0.300] * 998}

    slow_rate, lost = verdicts(1000, 100.0, fast, {"pairs": 100, "room": 999}, _report())[:2]

    assert slow_rate.startswith("target: pairs p95 5.0 ms, 100/100 delivered, at 100 messages/s")
    assert " MISSES " in slow_rate
    assert lost == "target: room p95 300.0 ms, 998/999 delivered MISSES <= 500 ms, every one delivered"


def test_anything_left_behind_or_logged_fails_the_close():
    [line] = verdicts(100, 10.0, LATENCIES, {"pairs": 100, "room": 99},
                      _report(close=_close(channels=2), storm_log={"MaxConnectionsError": 3}, connect_errors=1))

    assert line == "target: 6 failed or left behind when sockets close at once ({'close': 2, 'storm': 4}) MISSES none"
