"""The signed tokens that mailed links carry: email verification (and email change) and password reset.

A token is `django.core.signing` output (HMAC with SECRET_KEY, a timestamp for the expiry) over the user's id,
the address being verified, and a fingerprint of the state the link may change. Using the link changes that
state, so a token works once: verifying sets `email_verified_at` (and, for a change, the email); a reset changes
the password hash. Nothing is stored per token.
"""

from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"


class LinkInvalid(Exception):
    """Tampered, garbage, for another purpose, or already used."""


class LinkExpired(Exception):
    pass


@dataclass(frozen=True)
class LinkClaims:
    user_id: str
    email: str
    state: str


def _state(purpose: str, user, email: str) -> str:
    if purpose == VERIFY_EMAIL:
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        value = f"{user.pk}|{user.email}|{verified}|{email}"
    else:
        value = f"{user.pk}|{user.email}|{user.password}"
    return salted_hmac(f"accounts.links.{purpose}.state", value, algorithm="sha256").hexdigest()[:32]


def link_token_make(*, purpose: str, user, email: str | None = None) -> str:
    """A URL-safe token for `purpose` (VERIFY_EMAIL: `email` is the address to verify, the user's own or the new
    one of a change; RESET_PASSWORD: the user's email). Valid until used or until `max_age` of `link_token_read`."""
    email = email or user.email
    payload = {"u": str(user.pk), "e": email, "s": _state(purpose, user, email)}
    return signing.dumps(payload, salt=f"accounts.links.{purpose}", compress=True)


def link_token_claims(*, purpose: str, token: str, max_age_seconds: int) -> LinkClaims:
    """The user id and email a token names, once its signature and age are checked (not yet its state: the
    caller locks the user, then calls `link_token_check_state`). Raises LinkExpired, LinkInvalid."""
    try:
        payload = signing.loads(token, salt=f"accounts.links.{purpose}", max_age=max_age_seconds)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise LinkInvalid from None
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), str) for key in ("u", "e", "s")):
        raise LinkInvalid
    return LinkClaims(user_id=payload["u"], email=payload["e"], state=payload["s"])


def link_token_check_state(*, purpose: str, user, claims: LinkClaims) -> None:
    """Raises LinkInvalid when the state the token was made for has changed since (the link was used, the email
    or password changed)."""
    if not constant_time_compare(claims.state, _state(purpose, user, claims.email)):
        raise LinkInvalid
