"""Running a coroutine from synchronous code, on an event loop that lives as long as the process.

`asgiref.sync.async_to_sync` hands the coroutine to the ASGI server's event loop when the calling thread was
started by it (a sync view under uvicorn, `database_sync_to_async` in a consumer). Anywhere else (a WSGI worker
thread under gunicorn, a Celery task, a management command) it starts a new thread and a new event loop for every
call, and channels-redis keeps its Redis connections per event loop: every notification sent from a WSGI request
would then open and close a Redis connection (and a thread). `call_async` keeps the first path and replaces the
second with one loop thread per process, so connections are made once and reused.
"""

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from asgiref.sync import SyncToAsync, async_to_sync

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _server_loop_drives_this_thread() -> bool:
    """True in a thread that an ASGI server's loop handed work to (asgiref records that loop per thread)."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    pid = getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None)
    return loop is not None and pid == os.getpid() and loop.is_running()


def _process_loop() -> asyncio.AbstractEventLoop:
    """The process's loop thread, started on first use and again in a forked child (gunicorn, Celery prefork)."""
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="bantu-loop", daemon=True)
            thread.start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def call_async(function: Callable[..., Awaitable[T]], *args, timeout: float | None = None) -> T:
    """Run `function(*args)` to completion from synchronous code and return its result (or raise its error).

    On the ASGI server's loop when this thread runs on its behalf (required by the in-memory channel layer, whose
    queues belong to that loop); otherwise on this process's loop thread. `timeout` (seconds) bounds the wait on
    the loop thread (TimeoutError, the coroutine is cancelled); None waits as long as the coroutine runs.
    Must not be called from a thread that is running an event loop (RuntimeError, as async_to_sync).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("call_async() from a running event loop: await the coroutine instead")
    if _server_loop_drives_this_thread():
        return async_to_sync(function)(*args)
    future = asyncio.run_coroutine_threadsafe(function(*args), _process_loop())
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()
        raise
