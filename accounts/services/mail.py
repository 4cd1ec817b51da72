"""Email verification, email change and password reset: the services behind the mailed links.

The mails are sent by Celery tasks (accounts.tasks) scheduled on commit; the tasks make the link's token when
they send, from the state committed by then (accounts.links). They are enqueued by their registered names, so
that the imports point one way: tasks → services."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from bantu.core.exceptions import ApplicationError, Conflict
from bantu.core.tasks import registered_task

from .. import emails, errors, links
from ..models import User
from .passwords import new_password_check
from .sessions import revoke_all_tokens

# The names accounts.tasks registers the mail tasks under.
EMAIL_VERIFICATION_SEND_TASK = "accounts.email_verification_send"
PASSWORD_RESET_SEND_TASK = "accounts.password_reset_send"

def email_verification_max_age() -> int:
    return settings.BANTU["EMAIL_VERIFICATION_HOURS"] * 3600


def _send_verification_on_commit(*, user_id, language: str, email: str | None) -> None:
    transaction.on_commit(
        lambda: registered_task(EMAIL_VERIFICATION_SEND_TASK).delay(user_id=str(user_id), language=language,
                                                                    email=email)
    )


def email_verification_send(*, user: User, language: str = emails.DEFAULT_LANGUAGE) -> None:
    """Mail a verification link for the user's current email, once the caller's transaction commits (or at
    once outside one). The link expires after EMAIL_VERIFICATION_HOURS and works once."""
    _send_verification_on_commit(user_id=user.pk, language=language, email=None)


def email_verification_resend(*, user: User, language: str = emails.DEFAULT_LANGUAGE) -> None:
    """Mail a new verification link (earlier ones keep working until one is used or they expire).
    Raises Conflict(email_already_verified) when there is nothing to verify."""
    if user.email_verified_at is not None:
        raise Conflict("Your email address is already verified.", code=errors.EMAIL_ALREADY_VERIFIED)
    email_verification_send(user=user, language=language)


def _normalized_new_email(user: User, new_email: str) -> str:
    email = User.objects.normalize_email(new_email)
    if email == user.email:
        raise ApplicationError(
            "This is already your email address.",
            code=errors.EMAIL_UNCHANGED,
            errors={"email": ["This is already your email address."]},
        )
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ApplicationError(
            "An account with this email already exists.",
            code=errors.EMAIL_TAKEN,
            errors={"email": ["An account with this email already exists."]},
        )
    return email


def email_change_request(*, user: User, new_email: str, language: str = emails.DEFAULT_LANGUAGE) -> None:
    """Mail a confirmation link to `new_email`; the account's email changes (and counts as verified) only when
    that link is used. Raises ApplicationError (400) email_unchanged, email_taken."""
    email = _normalized_new_email(user, new_email)
    _send_verification_on_commit(user_id=user.pk, language=language, email=email)


def _link_error(exc: Exception, what: str) -> ApplicationError:
    if isinstance(exc, links.LinkExpired):
        return ApplicationError(
            f"This {what} link has expired: ask for a new one.",
            code=errors.LINK_EXPIRED,
            errors={"token": ["The link has expired."]},
        )
    return ApplicationError(
        f"This {what} link is not valid or has already been used.",
        code=errors.LINK_INVALID,
        errors={"token": ["The link is not valid or has already been used."]},
    )


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Use a verification link: the user's email (or the new one of a change) is verified from now on.

    Single use: the token names the state it was made for, which this changes. Locks the user row.
    Raises ApplicationError (400): link_invalid (tampered, used, or superseded by an email change),
    link_expired, email_taken (a change to an address that another account took since)."""
    try:
        claims = links.link_token_claims(
            purpose=links.VERIFY_EMAIL, token=token, max_age_seconds=email_verification_max_age()
        )
        user = User.objects.select_for_update().filter(pk=claims.user_id).first()
        if user is None:
            raise links.LinkInvalid
        links.link_token_check_state(purpose=links.VERIFY_EMAIL, user=user, claims=claims)
    except (links.LinkInvalid, links.LinkExpired, DjangoValidationError) as exc:
        raise _link_error(exc, "verification") from None
    fields = ["email_verified_at"]
    if claims.email != user.email:
        if User.objects.filter(email__iexact=claims.email).exclude(pk=user.pk).exists():
            raise ApplicationError(
                "An account with this email already exists.",
                code=errors.EMAIL_TAKEN,
                errors={"token": ["An account with this email already exists."]},
            )
        user.email = claims.email
        fields.append("email")
    user.email_verified_at = timezone.now()
    user.save(update_fields=fields)
    return user


def password_reset_request(*, email: str, language: str = emails.DEFAULT_LANGUAGE) -> None:
    """Ask for a reset link. The same work is done whether or not an account has this email: the task is
    queued for every request, and the worker looks the account up and mails only an existing, active one, so
    the answer (and its time, in service mode) reveals nothing."""
    registered_task(PASSWORD_RESET_SEND_TASK).delay(email=User.objects.normalize_email(email), language=language)


def password_reset_mail(*, email: str, language: str) -> bool:
    """The worker's half of `password_reset_request`: mail a link to the active account with this email, if
    there is one. Returns whether a mail was sent."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        return False
    token = links.link_token_make(purpose=links.RESET_PASSWORD, user=user)
    emails.mail_send(
        kind=emails.RESET_PASSWORD,
        to=user.email,
        language=language,
        context={
            "name": user.get_short_name(),
            "email": user.email,
            "link": emails.link_url(settings.BANTU["PASSWORD_RESET_URL"], token),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )
    return True


@transaction.atomic
def password_reset_confirm(*, token: str, new_password: str) -> User:
    """Set a new password with a reset link. Every earlier token of the user stops working: access and refresh
    tokens (every session ends, open sockets close with 4401) and every other reset link (they were made for the
    old password). The email counts as verified: the link proved the mailbox. Locks the user row.

    Raises ApplicationError (400): link_invalid (tampered, used, or the password or email changed since),
    link_expired, weak_password (the password validators' messages under `new_password`)."""
    try:
        claims = links.link_token_claims(
            purpose=links.RESET_PASSWORD, token=token, max_age_seconds=settings.PASSWORD_RESET_TIMEOUT
        )
        user = User.objects.select_for_update().filter(pk=claims.user_id, is_active=True).first()
        if user is None:
            raise links.LinkInvalid
        links.link_token_check_state(purpose=links.RESET_PASSWORD, user=user, claims=claims)
    except (links.LinkInvalid, links.LinkExpired, DjangoValidationError) as exc:
        raise _link_error(exc, "password reset") from None
    new_password_check(user=user, new_password=new_password)
    user.set_password(new_password)
    fields = ["password"]
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
    user.save(update_fields=fields)
    revoke_all_tokens(user)
    return user


def email_verification_mail(*, user_id: str, language: str, email: str | None) -> bool:
    """The worker's half of `email_verification_send` and `email_change_request`: mail the link, made now.
    Returns False (nothing sent) when there is nothing left to verify: the user is gone or suspended, the
    address is verified already, or the account's email changed since a change was asked for."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    target = email or user.email
    if target == user.email and user.email_verified_at is not None:
        return False
    token = links.link_token_make(purpose=links.VERIFY_EMAIL, user=user, email=target)
    kind = emails.VERIFY_EMAIL if target == user.email else emails.CHANGE_EMAIL
    emails.mail_send(
        kind=kind,
        to=target,
        language=language,
        context={
            "name": user.get_short_name(),
            "email": target,
            "link": emails.link_url(settings.BANTU["EMAIL_VERIFY_URL"], token),
            "hours": settings.BANTU["EMAIL_VERIFICATION_HOURS"],
        },
    )
    return True
