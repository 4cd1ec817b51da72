"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the account mail tests, and reading links out of mails."""

import email
import email.policy
import re
import socket
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+?token=[^\s\"<]+")


class Inbox:
    """aiosmtpd handler: keeps every message it receives, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """Django sends through SMTP (as in service mode) to a live aiosmtpd server on 127.0.0.1."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def bodies(message) -> tuple[str, str]:
    """(plain text, HTML) of a multipart/alternative mail."""
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def link_of(message) -> str:
    text, html = bodies(message)
    links = LINK.findall(text)
    assert len(links) == 1, text
    assert links[0] in html
    return links[0]


def token_of(message) -> str:
    return parse_qs(urlparse(link_of(message)).query)["token"][0]
