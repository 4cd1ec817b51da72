"""The WebSocket edge every socket passes: which browser origins may open one, and the redaction of the credential
in its URL (`/ws/?ticket=…` or `/ws/?token=…`) from the server's access log. Who the socket's user is, is the
accounts app's (`accounts.websocket.JWTQueryAuthMiddleware`)."""

import logging
import re
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings


class SocketOriginValidator(OriginValidator):
    """Native clients (Android, iOS, servers) send no Origin and are accepted; a browser's Origin must be one of
    ALLOWED_HOSTS or CORS_ALLOWED_ORIGINS (Channels' own validator refuses a socket without Origin with HTTP 403).
    Authentication is separate: every socket still needs a valid token."""

    def __init__(self, application):
        hosts = list(settings.ALLOWED_HOSTS)
        hosts += [urlparse(origin).hostname for origin in settings.CORS_ALLOWED_ORIGINS if urlparse(origin).hostname]
        super().__init__(application, hosts)

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or super().valid_origin(parsed_origin)


_CREDENTIAL_IN_QUERY = re.compile(r"((?:^|[?&])(?:token|ticket)=)[^&\s]*")


class RedactCredentials(logging.Filter):
    """uvicorn prints each request's path with its query string: `/ws/?token=eyJ…` would put a working access
    token in every log line. This masks `token=` and `ticket=` values. HTTP requests go to `uvicorn.access`; the
    WebSocket handshake line (`"WebSocket /ws/?token=…" [accepted]`) goes to `uvicorn.error`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_CREDENTIAL_IN_QUERY.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                                for arg in record.args)
        return True


REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact_access_log() -> None:
    for name in REDACTED_LOGGERS:
        server_log = logging.getLogger(name)
        if not any(isinstance(existing, RedactCredentials) for existing in server_log.filters):
            server_log.addFilter(RedactCredentials())
