"""Celery entry points of the accounts app: the account mails. They take ids and JSON, call one service, and own
the retry policy: an SMTP server that is down or refuses for a while is retried with backoff. A mail sent twice
(a redelivery after the worker died mid-send) carries two valid links, which is harmless."""

import smtplib

from celery import shared_task

from .services import mail

RETRY = {
    "acks_late": True,
    "max_retries": 6,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
}


@shared_task(name="accounts.email_verification_send", **RETRY)
def email_verification_send_task(*, user_id: str, language: str, email: str | None = None) -> bool:
    return mail.email_verification_mail(user_id=user_id, language=language, email=email)


@shared_task(name="accounts.password_reset_send", **RETRY)
def password_reset_send_task(*, email: str, language: str) -> bool:
    return mail.password_reset_mail(email=email, language=language)
