"""Running calls at the same moment in real threads, each with its own database connection."""

import threading

from django.db import connection


def run_at_once(count: int, call) -> list:
    """Run `call(index)` in `count` threads released together; return the results (or the exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index):
        try:
            barrier.wait(timeout=30)
            results[index] = call(index)
        except Exception as exc:  # surfaced by the caller's assertions on the results
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
