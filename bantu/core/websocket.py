"""WebSocket authentication: `/ws/?ticket=<single-use ticket>` (from `auth/ws-ticket/`) or `/ws/?token=<access
JWT>`, and the redaction of both from the server's access log."""

import logging
import re
from urllib.parse import parse_qs, urlparse

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions

from accounts.authentication import SESSION_CLAIM, BantuJWTAuthentication


@database_sync_to_async
def _user_from_token(raw: str):
    authentication = BantuJWTAuthentication()
    try:
        # The same checks as REST: signature, expiry, a real user id, suspension, revocation.
        token = authentication.get_validated_token(raw)
        user = authentication.get_user(token)
    except exceptions.AuthenticationFailed:
        return AnonymousUser()
    user.auth_session_id = str(token[SESSION_CLAIM]) if token.get(SESSION_CLAIM) else None
    return user


@database_sync_to_async
def _user_from_ticket(raw: str):
    from accounts.services import ws_ticket_redeem  # accounts imports core: resolve at call time, not import

    return ws_ticket_redeem(ticket=raw) or AnonymousUser()


class JWTQueryAuthMiddleware:
    """Puts the token's user (or AnonymousUser) in `scope["user"]`. Refusal is the consumer's job: it must
    accept and then close with 4401, because closing before accepting turns into an HTTP 403."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        ticket, token = (query.get("ticket") or [""])[0], (query.get("token") or [""])[0]
        if ticket:
            user = await _user_from_ticket(ticket)
        else:
            user = await _user_from_token(token) if token else AnonymousUser()
        scope = dict(scope, user=user)
        return await self.app(scope, receive, send)


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
