"""bantu.core.loop_thread.call_async: sync code reaches async code on the server's loop or on one process loop."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async

from bantu.core.loop_thread import call_async


async def running_loop_and_thread(value):
    await asyncio.sleep(0)
    return value, asyncio.get_running_loop(), threading.current_thread().name


async def fail():
    raise LookupError("from the coroutine")


def test_outside_a_server_every_call_runs_on_one_process_loop():
    first = call_async(running_loop_and_thread, 1)
    second = call_async(running_loop_and_thread, 2)
    from_other_thread = []
    worker = threading.Thread(target=lambda: from_other_thread.append(call_async(running_loop_and_thread, 3)))
    worker.start()
    worker.join(5)
    assert (first[0], second[0], from_other_thread[0][0]) == (1, 2, 3)
    assert first[1] is second[1] is from_other_thread[0][1]
    assert first[2] == "bantu-loop"
    assert first[1].is_running()


def test_the_coroutines_error_reaches_the_caller():
    with pytest.raises(LookupError, match="from the coroutine"):
        call_async(fail)


def test_a_timeout_cancels_the_coroutine():
    cancelled = threading.Event()

    async def slow():
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(TimeoutError):
        call_async(slow, timeout=0.05)
    assert cancelled.wait(5)


def test_in_a_thread_the_server_loop_drives_the_call_runs_on_that_loop():
    """As under uvicorn: a sync view runs in a thread on behalf of the server's loop (the in-memory channel layer
    needs its sends there)."""

    async def server():
        loop = asyncio.get_running_loop()
        _, used, _ = await sync_to_async(call_async)(running_loop_and_thread, "x")
        return loop, used

    server_loop, used_loop = asyncio.run(server())
    assert used_loop is server_loop


def test_refused_from_a_running_loop():
    async def inside():
        call_async(running_loop_and_thread, 1)

    with pytest.raises(RuntimeError, match="await the coroutine"):
        asyncio.run(inside())
