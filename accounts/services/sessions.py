"""Tokens and sessions: issuing and rotating JWT pairs, the sessions a user sees (`me/sessions/`), logging out
one session or everywhere, and socket tickets.

A session is one sign-in (password, registration or Google) and the chain of refresh tokens that rotating it
produces. Every token of the chain carries the session id (`sid`), so revoking the session refuses its refresh
token at once and its access tokens at their next use (accounts.authentication)."""

import secrets
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from bantu.core import realtime
from bantu.core.exceptions import ApplicationError, NotFound

from .. import errors, roles
from ..authentication import AUTH_VERSION_CLAIM, SESSION_CLAIM
from ..models import AuthSession, User

USER_AGENT_MAX = 300


def _auth_failed(detail: str, code: str):
    return exceptions.AuthenticationFailed(detail, code=code)


def tokens_issue(*, user: User, user_agent: str = "", session: AuthSession | None = None) -> dict:
    """A new refresh/access pair carrying the user's current roles, auth version and session id.

    Without `session` this is a new sign-in: a new AuthSession row records `user_agent` (cut to 300 characters).
    With one (a rotation), the session's latest token, expiry and `last_used_at` move on.
    Returns {"refresh": str, "access": str}."""
    roles.forget_roles(user)
    refresh = RefreshToken.for_user(user)  # records an OutstandingToken
    refresh["roles"] = roles.user_roles(user)
    refresh[AUTH_VERSION_CLAIM] = user.auth_version
    expires_at = datetime.fromtimestamp(refresh["exp"], tz=UTC)
    now = timezone.now()
    if session is None:
        session = AuthSession.objects.create(
            user=user,
            user_agent=(user_agent or "")[:USER_AGENT_MAX],
            refresh_jti=refresh["jti"],
            expires_at=expires_at,
            created_at=now,
            last_used_at=now,
        )
    else:
        AuthSession.objects.filter(pk=session.pk).update(
            refresh_jti=refresh["jti"], expires_at=expires_at, last_used_at=now
        )
    refresh[SESSION_CLAIM] = str(session.pk)
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def _refresh_token_parse(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # signature, expiry, type and blacklist
    except TokenError as exc:
        raise _auth_failed(str(exc), errors.TOKEN_INVALID) from None


def _blacklist_once(token: RefreshToken) -> bool:
    """Blacklist `token`; False if it already was (a concurrent or replayed use)."""
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token["jti"],
        defaults={
            "token": str(token),
            "expires_at": datetime_from_epoch(token["exp"]),
            "user_id": token.get("user_id"),
        },
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        return False
    return True


def _session_of(token: RefreshToken, user: User) -> AuthSession | None:
    session_id = token.get(SESSION_CLAIM)
    if not session_id:
        return None  # a token issued before sessions existed: its rotation starts one
    return AuthSession.objects.filter(pk=session_id, user=user).first()


def tokens_refresh(*, refresh: str, user_agent: str = "") -> dict:
    """Rotate: the presented refresh token is used up (blacklisted) and a new pair issued with fresh roles, in
    the same session.

    Idempotent only in the refusing sense: two concurrent refreshes with one token yield one new pair; the
    other is refused, because the unique blacklist row can be created once.
    Raises AuthenticationFailed (401): token_invalid, token_revoked (logout everywhere, password change,
    suspension, or this session revoked)."""
    token = _refresh_token_parse(refresh)
    user = User.objects.filter(pk=token.get("user_id")).first()
    if user is None or not user.is_active:
        raise _auth_failed("The user of this token is unknown or suspended.", errors.TOKEN_INVALID)
    if token.get(AUTH_VERSION_CLAIM) != user.auth_version:
        raise _auth_failed("Token has been revoked.", errors.TOKEN_REVOKED)
    session = _session_of(token, user)
    if token.get(SESSION_CLAIM) and (session is None or session.revoked_at is not None):
        raise _auth_failed("Token has been revoked.", errors.TOKEN_REVOKED)
    if not _blacklist_once(token):
        raise _auth_failed("Token is blacklisted.", errors.TOKEN_INVALID)
    return tokens_issue(user=user, session=session, user_agent=user_agent)


def user_logout(*, user: User, refresh: str) -> None:
    """Blacklist the caller's refresh token and end its session. Logging out twice with one token is harmless.
    Raises ApplicationError(token_not_yours) for another user's token; 401 token_invalid for garbage."""
    token = _refresh_token_parse(refresh)
    if str(token.get("user_id")) != str(user.pk):
        raise ApplicationError(
            "This refresh token belongs to another user.",
            code=errors.TOKEN_NOT_YOURS,
            errors={"refresh": ["This refresh token belongs to another user."]},
        )
    _blacklist_once(token)
    if token.get(SESSION_CLAIM):
        AuthSession.objects.filter(pk=token[SESSION_CLAIM], user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def revoke_all_tokens(user: User) -> None:
    """Bump the auth version (kills access tokens), blacklist every outstanding refresh token, end every
    session, and once committed close the user's open sockets with 4401 (they were opened with a token that no
    longer counts). Call inside the caller's transaction."""
    User.objects.filter(pk=user.pk).update(auth_version=F("auth_version") + 1)
    user_id = user.pk
    transaction.on_commit(lambda: realtime.close_user_sockets(user_id, realtime.CLOSE_UNAUTHENTICATED))
    user.refresh_from_db(fields=["auth_version"])
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    AuthSession.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def user_logout_all(*, user: User) -> None:
    """Log out everywhere: every access and refresh token of the user stops working at once and every open
    socket closes with 4401 (after commit). Idempotent."""
    revoke_all_tokens(user)


@transaction.atomic
def session_revoke(*, user: User, session_id) -> None:
    """End one of the user's sessions: its refresh token is blacklisted, its access tokens are refused at their
    next use, and the sockets opened with them close with 4401 once committed. Revoking an ended session again
    is harmless. Raises NotFound (404) for a session that is not the user's. Locks the session row."""
    session = AuthSession.objects.select_for_update().filter(pk=session_id, user=user).first()
    if session is None:
        raise NotFound("No such session.", code="session_not_found")
    if session.revoked_at is not None:
        return
    session.revoked_at = timezone.now()
    session.save(update_fields=["revoked_at"])
    outstanding = OutstandingToken.objects.filter(jti=session.refresh_jti, user=user).first()
    if outstanding is not None:
        BlacklistedToken.objects.get_or_create(token=outstanding)
    user_id, ended = user.pk, session.pk
    transaction.on_commit(lambda: realtime.close_user_sockets(user_id, realtime.CLOSE_UNAUTHENTICATED, ended))


def sessions_delete_ended(*, older_than) -> int:
    """Delete sessions that ended (revoked, or their last refresh token expired) before `older_than` (an aware
    datetime). Returns how many rows went. Idempotent; the beat runs it daily."""
    from django.db.models import Q

    deleted, _ = AuthSession.objects.filter(Q(revoked_at__lt=older_than) | Q(expires_at__lt=older_than)).delete()
    return deleted


WS_TICKET_SECONDS = 30


def ws_ticket_issue(*, user: User, session_id=None) -> dict:
    """A single-use ticket for opening a socket (`/ws/?ticket=`), valid WS_TICKET_SECONDS, so that a long-lived
    access token never travels in a URL (URLs end up in logs). Stored in the cache (Redis in service mode). The
    socket belongs to sign-in session `session_id` (that of the access token that asked), and closes with it.
    Returns {"ticket": str, "expires_in": seconds}."""
    ticket = secrets.token_urlsafe(32)
    session = str(session_id) if session_id else None
    cache.set(f"ws-ticket:{ticket}", (str(user.pk), user.auth_version, session), timeout=WS_TICKET_SECONDS)
    return {"ticket": ticket, "expires_in": WS_TICKET_SECONDS}


def ws_ticket_redeem(*, ticket: str) -> User | None:
    """The active user a ticket was issued to, once: a second use, an expired ticket, a suspended user or
    revoked tokens since give None. Two sockets racing for one ticket: only the one whose delete removed it
    gets the user."""
    if not ticket or len(ticket) > 100:
        return None
    key = f"ws-ticket:{ticket}"
    issued = cache.get(key)
    if issued is None or not cache.delete(key):
        return None
    user_id, auth_version, *rest = issued  # a ticket issued before sessions existed has no session
    session_id = rest[0] if rest else None
    user = User.objects.filter(pk=user_id, is_active=True, auth_version=auth_version).first()
    if user is not None:
        user.auth_session_id = session_id
    return user
