"""The cyclic garbage collector of a server process, set once its application is loaded (`bantu.asgi`,
`bantu.wsgi`).

CPython's collector walks every tracked object on a full (generation 2) collection. A WebSocket worker holding
1,000 sockets has about a million of them, and with the default thresholds (700, 10, 10) it ran a full collection
every 5 seconds or so, each pausing the process for 45 to 100 ms: every message in flight waited (bench/ws_fanout.py:
pairs at 300 messages/s had a p99 of 113 to 153 ms, of which the pauses were most; docs/benchmarks.md).

- `gc.freeze()` moves everything alive after start-up (Django, the apps, the URLconf: about 126,000 objects) to a
  permanent generation that collections no longer walk. Nothing in it is garbage: it is what the process runs on.
- The third threshold, 100 instead of 10, asks for a full collection after 100 collections of generation 1 rather
  than 10 (CPython also waits until a quarter of the long-lived objects are new since the last one). Cycles among
  short-lived objects are still collected by the young generations as before; cyclic garbage that reaches the old
  generation waits longer for its collection.

Measured with bench/ws_fanout.py at 1,000 sockets, pairs at 300 messages/s, one worker (five runs before, four
after): p95 48 to 116 ms before, 9.3 to 10.4 ms after; p99 113 to 153 ms before, 13.7 to 17.5 ms after. The server's
CPU per message did not change (2.5 to 2.7 ms).
"""

import gc

THRESHOLDS = (700, 10, 100)  # CPython's defaults but the third (10)


def settle_after_startup() -> None:
    """Freeze what start-up allocated and set THRESHOLDS. Call once the application is loaded, in each process."""
    gc.collect()  # what start-up left as garbage goes now, not into the permanent generation
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
