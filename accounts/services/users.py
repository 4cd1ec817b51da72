"""Users: registration, login, password change, profile updates, suspension."""

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions

from audit.services import Action, audit_record
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden

from .. import emails, errors, events
from ..models import User
from .passwords import new_password_check
from .sessions import revoke_all_tokens, tokens_issue


def _auth_failed(detail: str, code: str):
    return exceptions.AuthenticationFailed(detail, code=code)


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str,
    email_verified: bool = False,
    language: str = emails.DEFAULT_LANGUAGE,
) -> User:
    """Create a user who holds no role yet (signing up with a role is `onboarding.services.user_register`).

    `password` None makes an account without a usable password (Sign in with Google). Unless `email_verified`
    (the email was proven another way), a verification mail in `language` is sent once the transaction commits.
    Raises ApplicationError(email_taken) when the email exists in any letter case (also under a race, via the
    case-insensitive unique constraint).
    """
    from .mail import email_verification_send

    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name.strip(),
                email_verified_at=timezone.now() if email_verified else None,
            )
    except IntegrityError:
        raise _email_taken() from None
    if not email_verified:
        email_verification_send(user=user, language=language)
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


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str, user_agent: str = "") -> dict:
    """Change the password, revoke every token issued before (every session ends), and return a new pair for
    this client in a new session."""
    if not user.check_password(old_password):
        raise ApplicationError(
            "The current password is incorrect.",
            code=errors.WRONG_PASSWORD,
            errors={"old_password": ["The current password is incorrect."]},
        )
    new_password_check(user=user, new_password=new_password)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoke_all_tokens(user)
    return tokens_issue(user=user, user_agent=user_agent)


def user_update(*, user: User, data: dict, language: str = emails.DEFAULT_LANGUAGE) -> User:
    """Update the profile (`full_name`, `phone`). A new `email` is not set here: a verification mail goes to the
    new address (`email_change_request`) and the email changes when its link is used.
    Raises ApplicationError(email_taken, email_unchanged) for the email."""
    from .mail import email_change_request

    if "email" in data:
        email_change_request(user=user, new_email=data["email"], language=language)
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
    User.objects.filter(pk=user.pk).update(is_active=False, suspended_at=timezone.now(), suspension_reason=reason[:500])
    revoke_all_tokens(user)
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
