"""One threaded HTTP server on 127.0.0.1 for the fakes of outside services (gateways, Google's keys, Web Push
services, a demo server): started in a thread, closed at once.

`socketserver`'s default poll interval is half a second and `shutdown()` waits for the loop to notice, so a fake
started per test cost each test 0.5 s; here it is 10 ms."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLL_INTERVAL = 0.01


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out has closed its socket: the late answer fails to send, which a fake may intend.
        pass


class LocalHTTPServer:
    """Serves `handler_class` on a free port of 127.0.0.1 until `close()` (or the end of a `with` block).
    `origin` is "http://127.0.0.1:<port>"."""

    def __init__(self, handler_class: type[BaseHTTPRequestHandler], *, name: str = "local-http-server"):
        self._server = _Server(("127.0.0.1", 0), handler_class)
        self.port = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL},
                                        name=f"{name}-{self.port}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalHTTPServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
