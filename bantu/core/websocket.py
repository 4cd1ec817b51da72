"""WebSocket authentication: `/ws/?token=<access JWT>`."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import BantuJWTAuthentication


@database_sync_to_async
def _user_from_token(raw: str):
    try:
        token = AccessToken(raw)
        return BantuJWTAuthentication().get_user(token)  # refuses suspended users and revoked tokens
    except (TokenError, exceptions.AuthenticationFailed):
        return AnonymousUser()


class JWTQueryAuthMiddleware:
    """Puts the token's user (or AnonymousUser) in `scope["user"]`. Refusal is the consumer's job: it must
    accept and then close with 4401, because closing before accepting turns into an HTTP 403."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("token") or [""])[0]
        scope = dict(scope, user=await _user_from_token(raw) if raw else AnonymousUser())
        return await self.app(scope, receive, send)
