"""Writes of the accounts app: registration, tokens, password, suspension."""

import secrets

from django.contrib.auth import authenticate, password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from audit.services import Action, audit_record
from bantu.core import realtime
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden

from . import errors, events, roles
from .authentication import AUTH_VERSION_CLAIM
from .models import User


def tokens_issue(*, user: User) -> dict:
    """A new refresh/access pair carrying the user's current roles and auth version."""
    roles.forget_roles(user)
    refresh = RefreshToken.for_user(user)  # records an OutstandingToken
    refresh["roles"] = roles.user_roles(user)
    refresh[AUTH_VERSION_CLAIM] = user.auth_version
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def _auth_failed(detail: str, code: str):
    return exceptions.AuthenticationFailed(detail, code=code)


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str, role: str, company_name: str = "") -> User:
    """Create a user with their first role: a freelancer profile, or a company they own.

    Raises ApplicationError(email_taken) when the email exists in any letter case (also under a race, via the
    case-insensitive unique constraint).
    """
    from companies.services import company_create
    from freelancers.services import freelancer_profile_create

    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    except IntegrityError:
        raise _email_taken() from None
    if role == roles.FREELANCER:
        freelancer_profile_create(user=user)
    elif role == roles.COMPANY:
        company_create(owner=user, name=company_name)
    else:  # the API validates choices; this guards the other callers
        raise ApplicationError(f"Unknown role {role!r}.", code="unknown_role", errors={"role": ["Unknown role."]})
    return user


def _email_taken():
    return ApplicationError(
        "An account with this email already exists.",
        code=errors.EMAIL_TAKEN,
        errors={"email": ["An account with this email already exists."]},
    )


def user_login(*, request, email: str, password: str) -> User:
    """Check credentials. Suspended users are told so (only once the password is proven)."""
    user = authenticate(request, email=User.objects.normalize_email(email), password=password)
    if user is not None:
        return user
    suspended = User.objects.filter(email__iexact=User.objects.normalize_email(email), is_active=False).first()
    if suspended is not None and suspended.check_password(password):
        raise Forbidden("This account is suspended.", code=errors.ACCOUNT_SUSPENDED)
    raise _auth_failed("Email or password is incorrect.", errors.INVALID_CREDENTIALS)


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


def tokens_refresh(*, refresh: str) -> dict:
    """Rotate: the presented refresh token is used up (blacklisted) and a new pair issued with fresh roles.

    Idempotent only in the refusing sense: two concurrent refreshes with one token yield one new pair; the
    other is refused, because the unique blacklist row can be created once.
    """
    token = _refresh_token_parse(refresh)
    user = User.objects.filter(pk=token.get("user_id")).first()
    if user is None or not user.is_active:
        raise _auth_failed("The user of this token is unknown or suspended.", errors.TOKEN_INVALID)
    if token.get(AUTH_VERSION_CLAIM) != user.auth_version:
        raise _auth_failed("Token has been revoked.", errors.TOKEN_REVOKED)
    if not _blacklist_once(token):
        raise _auth_failed("Token is blacklisted.", errors.TOKEN_INVALID)
    return tokens_issue(user=user)


def user_logout(*, user: User, refresh: str) -> None:
    """Blacklist the caller's refresh token. Logging out twice with one token is harmless."""
    token = _refresh_token_parse(refresh)
    if str(token.get("user_id")) != str(user.pk):
        raise ApplicationError(
            "This refresh token belongs to another user.",
            code=errors.TOKEN_NOT_YOURS,
            errors={"refresh": ["This refresh token belongs to another user."]},
        )
    _blacklist_once(token)


def _revoke_all_tokens(user: User) -> None:
    """Bump the auth version (kills access tokens), blacklist every outstanding refresh token, and once
    committed close the user's open sockets with 4401 (they were opened with a token that no longer counts)."""
    User.objects.filter(pk=user.pk).update(auth_version=F("auth_version") + 1)
    user_id = user.pk
    transaction.on_commit(lambda: realtime.close_user_sockets(user_id, realtime.CLOSE_UNAUTHENTICATED))
    user.refresh_from_db(fields=["auth_version"])
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> dict:
    """Change the password, revoke every token issued before, and return a new pair for this client."""
    if not user.check_password(old_password):
        raise ApplicationError(
            "The current password is incorrect.",
            code=errors.WRONG_PASSWORD,
            errors={"old_password": ["The current password is incorrect."]},
        )
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            "The new password is too weak.", code="weak_password", errors={"new_password": exc.messages}
        ) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _revoke_all_tokens(user)
    return tokens_issue(user=user)


def user_update(*, user: User, data: dict) -> User:
    fields = [name for name in ("full_name", "phone") if name in data]
    for name in fields:
        setattr(user, name, data[name])
    if fields:
        user.save(update_fields=fields)
    return user


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def user_suspend(*, user: User, operator: User | None = None, reason: str = "") -> None:
    """Suspend `user`: no login, and every existing token and open socket stops working at once. `operator` is
    the staff user acting (None: the system); `reason` is kept on the user, in the audit log and in the
    notification the user gets.

    Locks the user row. Raises Conflict (already_suspended) when the user is suspended already, and Forbidden
    (cannot_suspend_yourself) when `operator` is `user`. Writes one audit row."""
    if operator is not None and operator.pk == user.pk:
        raise Forbidden("An operator cannot suspend themselves.", code=errors.CANNOT_SUSPEND_YOURSELF)
    locked = _lock_user(user)
    if not locked.is_active:
        raise Conflict("This user is already suspended.", code=errors.ALREADY_SUSPENDED)
    User.objects.filter(pk=user.pk).update(
        is_active=False, suspended_at=timezone.now(), suspension_reason=reason[:500]
    )
    _revoke_all_tokens(user)
    user.refresh_from_db()
    audit_record(actor=operator, action=Action.USER_SUSPEND, target=user, reason=reason)
    events.user_suspended(user.pk, reason)


@transaction.atomic
def user_reactivate(*, user: User, operator: User | None = None, reason: str = "") -> None:
    """Lift a suspension. Locks the user row. Raises Conflict (not_suspended) when the user is active. Writes
    one audit row and notifies the user."""
    if _lock_user(user).is_active:
        raise Conflict("This user is not suspended.", code=errors.NOT_SUSPENDED)
    User.objects.filter(pk=user.pk).update(is_active=True, suspended_at=None, suspension_reason="")
    user.refresh_from_db()
    audit_record(actor=operator, action=Action.USER_REACTIVATE, target=user, reason=reason)
    events.user_reactivated(user.pk, reason)


WS_TICKET_SECONDS = 30


def ws_ticket_issue(*, user: User) -> dict:
    """A single-use ticket for opening a socket (`/ws/?ticket=`), valid WS_TICKET_SECONDS, so that a long-lived
    access token never travels in a URL (URLs end up in logs). Stored in the cache (Redis in service mode).
    Returns {"ticket": str, "expires_in": seconds}."""
    ticket = secrets.token_urlsafe(32)
    cache.set(f"ws-ticket:{ticket}", (str(user.pk), user.auth_version), timeout=WS_TICKET_SECONDS)
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
    user_id, auth_version = issued
    return User.objects.filter(pk=user_id, is_active=True, auth_version=auth_version).first()
