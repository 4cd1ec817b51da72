"""WebSocket authentication: `/ws/?ticket=<single-use ticket>` (from `auth/ws-ticket/`) or `/ws/?token=<access
JWT>`. The origin check and the redaction of both values from the access log are `bantu.core.websocket`'s."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions

from .authentication import SESSION_CLAIM, BantuJWTAuthentication
from .services import ws_ticket_redeem


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
