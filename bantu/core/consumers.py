"""The base of every WebSocket consumer: how a socket ends when the server stops or a dependency fails.

PRODUCT.md §4: on server shutdown a socket closes with 1001 (going away); when a dependency is down, with 1011.
uvicorn, on SIGTERM or SIGINT, closes open sockets itself with 1012 (service restart) before the application
hears of it (its lifespan shutdown comes after the connections are gone). So the first socket a process accepts
puts a handler in front of the server's own: it closes every open socket of the process with 1001, then hands
the signal on, and the server's graceful shutdown finds nothing left to close.
"""

import asyncio
import contextlib
import json
import logging
import signal
import threading
import weakref

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder

from . import renderers
from .realtime import CLOSE_UNAVAILABLE

logger = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001  # the server is shutting down: the client reconnects (to another process)
UNAVAILABLE_ERRORS = (RedisError, OSError)  # ConnectionError and TimeoutError are OSErrors
SHUTDOWN_CLOSE_SECONDS = 2.0  # the bound on closing every socket before the server's own shutdown goes on
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

_open_sockets: "weakref.WeakSet[BantuSocketConsumer]" = weakref.WeakSet()
_previous_handlers: dict[int, object] = {}
_shutdown: dict = {"started": False, "task": None}


async def close_open_sockets(code: int = CLOSE_GOING_AWAY) -> int:
    """Close every socket this process holds with `code`; returns how many. Used on shutdown."""
    consumers = list(_open_sockets)
    if consumers:
        results = await asyncio.gather(*(consumer.close(code=code) for consumer in consumers),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):  # the client had already gone
                logger.info("Closing a socket on shutdown: %r", result)
    return len(consumers)


async def _close_then_hand_on(previous, signum, frame) -> None:
    try:
        closed = await asyncio.wait_for(close_open_sockets(), timeout=SHUTDOWN_CLOSE_SECONDS)
        logger.info("Shutting down: closed %d sockets with %d", closed, CLOSE_GOING_AWAY)
    except TimeoutError:
        logger.warning("Shutting down: sockets still closing after %s s", SHUTDOWN_CLOSE_SECONDS)
    finally:
        previous(signum, frame)


def _stop_signal_handler(loop: asyncio.AbstractEventLoop):
    def handle(signum, frame):
        previous = _previous_handlers[signum]
        if _shutdown["started"] or loop.is_closed():  # a second signal (e.g. a forced exit) goes straight on
            previous(signum, frame)
            return
        _shutdown["started"] = True
        loop.call_soon_threadsafe(
            lambda: _shutdown.update(task=loop.create_task(_close_then_hand_on(previous, signum, frame))))

    return handle


def _hook_stop_signals() -> None:
    """Put the 1001 handler in front of the server's graceful-shutdown handlers, once per process. Only where a
    server installed one (uvicorn does, before loading the application): under a test runner, SIGTERM keeps its
    default and SIGINT Python's KeyboardInterrupt, and neither is touched."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        if signum in _previous_handlers:
            continue
        previous = signal.getsignal(signum)
        if not callable(previous) or previous is signal.default_int_handler:
            continue
        _previous_handlers[signum] = previous
        signal.signal(signum, _stop_signal_handler(loop))


class BantuSocketConsumer(AsyncJsonWebsocketConsumer):
    """Closes with 1001 when the server stops, and at most once (a second close frame is a protocol error). Frames
    are encoded as the REST API renders JSON (compact, UTF-8 as is), so an entity's bytes are the same on both."""

    @classmethod
    async def encode_json(cls, content):
        try:
            return renderers.dumps(content).decode()
        except TypeError:  # e.g. a lone surrogate got this far (inputs refuse them): escaped, the frame is valid
            return json.dumps(content, separators=(",", ":"), cls=DRFJSONEncoder)

    closed = False

    async def dispatch(self, message):
        """Channels' dispatch without its database clean-up: Channels closes stale database connections before
        every handler through a hop to its one shared sync thread, so a message to a room of 999 sockets made
        999 hops queued on one thread, and every chat message three. Bantu's consumers never touch the database
        on the event loop: their database work runs through `database_sync_to_async`, which closes stale
        connections in the thread that used them, before and after. Raises ValueError for a message type
        without a handler, as Channels does."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol=subprotocol, headers=headers)
        _open_sockets.add(self)
        _hook_stop_signals()

    async def close(self, code=None, reason=None):
        if self.closed:
            return
        self.closed = True
        _open_sockets.discard(self)
        with contextlib.suppress(OSError):  # the client had gone already (see `send`)
            await super().close(code=code, reason=reason)

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Nothing follows a close frame: an event already on its way to a socket that is being closed (its
        user's tokens were just revoked, say) is dropped. The close frame itself goes out below this method.

        A client may leave at any moment: during a command (before its acknowledgement), while an event is on its
        way to it. The server then refuses the send with an OSError (ASGI asks for one; uvicorn's is
        ClientDisconnected): the frame is dropped, nothing is logged, and the socket is released by the disconnect
        that follows, as for any other close."""
        if self.closed:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:
            self.closed = True
            _open_sockets.discard(self)

    async def send_json(self, content, close=False):
        await self.send(text_data=await self.encode_json(content), close=close)  # through `send` above

    async def websocket_disconnect(self, message):
        self.closed = True
        _open_sockets.discard(self)
        await super().websocket_disconnect(message)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception as exc:
            # What reaches here failed outside any command (handlers answer their own errors with an `error`
            # event): the channel layer's receive loop, when Redis goes away. Left to the server, the connection
            # would drop without a close frame (1006) and a traceback; the client is owed 1011 and reconnects.
            if isinstance(exc, UNAVAILABLE_ERRORS):
                logger.warning("Socket closed with %d: a dependency is unavailable (%r)", CLOSE_UNAVAILABLE, exc)
            else:
                logger.exception("Socket closed with %d after an unexpected error", CLOSE_UNAVAILABLE)
            if not self.closed:
                with contextlib.suppress(Exception):  # the client may be gone as well
                    await self.close(code=CLOSE_UNAVAILABLE)
        finally:
            _open_sockets.discard(self)

