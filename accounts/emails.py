"""The account mails (verification, email change, password reset): language, rendering, sending.

Each mail is plain text plus an HTML alternative, in Indonesian or English, rendered from
`accounts/templates/accounts/email/<language>/<kind>.{subject.txt,txt,html}` and sent through Django's email
framework (SMTP in service mode, the console in the embedded default: see the README, "Accounts").
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation.trans_real import parse_accept_lang_header

INDONESIAN = "id"
ENGLISH = "en"
LANGUAGES = (INDONESIAN, ENGLISH)
DEFAULT_LANGUAGE = INDONESIAN

VERIFY_EMAIL = "verify_email"
CHANGE_EMAIL = "change_email"
RESET_PASSWORD = "reset_password"
KINDS = (VERIFY_EMAIL, CHANGE_EMAIL, RESET_PASSWORD)

# "in" is the withdrawn ISO 639 code for Indonesian, still sent by some old Android versions.
_ALIASES = {"id": INDONESIAN, "in": INDONESIAN, "en": ENGLISH}


def language_from_header(accept_language: str | None) -> str:
    """The mail language for an `Accept-Language` header: the first of Indonesian or English in the client's
    order of preference (quality values honoured), else Indonesian."""
    for tag, _quality in parse_accept_lang_header((accept_language or "")[:500]):
        language = _ALIASES.get(tag.split("-")[0].lower())
        if language:
            return language
    return DEFAULT_LANGUAGE


def link_url(template: str, token: str) -> str:
    return template.replace("{token}", token)


def mail_send(*, kind: str, to: str, language: str, context: dict) -> None:
    """Render mail `kind` in `language` (falls back to Indonesian) with `context` and send it to `to`.

    Raises what the email backend raises (smtplib.SMTPException, OSError): the calling task retries."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    base = f"accounts/email/{language}/{kind}"
    context = {"site": "Bantu", **context}
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Content-Language": language},
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    message.send()
