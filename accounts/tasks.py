"""Celery entry points of the accounts app: the account mails. They take ids and JSON, call one service, and own
the retry policy: an SMTP server that is down or refuses for a while is retried with backoff. A mail sent twice
(a redelivery after the worker died mid-send) carries two valid links, which is harmless."""

import datetime
import smtplib

from celery import shared_task
from django.utils import timezone

from .services import mail, sessions

RETRY = {
    "acks_late": True,
    "max_retries": 6,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
}


@shared_task(name=mail.EMAIL_VERIFICATION_SEND_TASK, **RETRY)
def email_verification_send_task(*, user_id: str, language: str, email: str | None = None) -> bool:
    return mail.email_verification_mail(user_id=user_id, language=language, email=email)


@shared_task(name=mail.PASSWORD_RESET_SEND_TASK, **RETRY)
def password_reset_send_task(*, email: str, language: str) -> bool:
    return mail.password_reset_mail(email=email, language=language)


@shared_task(name="accounts.sessions_cleanup", acks_late=True)
def sessions_cleanup_task() -> int:
    """Daily: forget sessions that ended more than a day ago (they no longer appear in `me/sessions/`)."""
    return sessions.sessions_delete_ended(older_than=timezone.now() - datetime.timedelta(days=1))
