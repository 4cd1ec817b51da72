"""Fixtures of the accounts tests."""

from .mail import smtp_inbox  # noqa: F401 (a fixture: a real SMTP server on 127.0.0.1)
