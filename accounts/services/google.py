"""Sign in with Google (OpenID Connect): the client app gets an ID token from Google and posts it here.

The token is verified by google-auth (`google.oauth2.id_token.verify_token`): RS256 signature against Google's
published certificates, expiry and issue time, and the audience (one of GOOGLE_OAUTH_CLIENT_IDS). This module
adds the OpenID Connect claims google-auth leaves to the caller: the issuer, and that Google verified the
email. The certificates are fetched through a CacheControl session, which keeps them for as long as Google's
`Cache-Control: max-age` allows (hours), so a sign-in costs no request to Google while they are fresh."""

import functools
import logging

import cachecontrol
import google.auth.exceptions
import google.auth.transport.requests
import requests
from django.conf import settings
from google.oauth2 import id_token as google_id_token
from rest_framework import exceptions

from bantu.core.exceptions import ApplicationError, Conflict, Forbidden

from .. import errors
from ..models import ExternalIdentity, User

logger = logging.getLogger(__name__)

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
CLOCK_SKEW_SECONDS = 10


class GoogleUnavailable(ApplicationError):
    status_code = 503
    default_code = errors.GOOGLE_UNAVAILABLE
    retry_after = 30


@functools.cache
def _certs_session() -> requests.Session:
    """One caching HTTP session per process (its cache is in memory, shared by the process's threads)."""
    return cachecontrol.CacheControl(requests.Session())


def forget_cached_certs() -> None:
    """Drop the cached certificates (tests; a key server that changed its keys before their max-age)."""
    _certs_session.cache_clear()


def _transport():
    request = google.auth.transport.requests.Request(session=_certs_session())
    timeout = settings.BANTU["GOOGLE_OAUTH_TIMEOUT_SECONDS"]
    return lambda url, method="GET", **kwargs: request(url, method=method, timeout=timeout, **kwargs)


def _refused(detail: str, code: str = errors.GOOGLE_TOKEN_INVALID):
    return exceptions.AuthenticationFailed(detail, code=code)


def google_id_token_verify(*, token: str) -> dict:
    """The claims of a Google ID token that passed every check.

    Raises AuthenticationFailed (401): google_token_invalid (signature, expiry, audience, issuer, malformed),
    google_email_unverified; GoogleUnavailable (503) when Google's certificates cannot be fetched;
    ApplicationError (503, google_sign_in_not_configured) without GOOGLE_OAUTH_CLIENT_IDS."""
    client_ids = [client_id for client_id in settings.BANTU["GOOGLE_OAUTH_CLIENT_IDS"] if client_id]
    if not client_ids:
        error = ApplicationError(
            "Sign in with Google is not configured on this server.", code=errors.GOOGLE_NOT_CONFIGURED
        )
        error.status_code = 503
        raise error
    try:
        claims = google_id_token.verify_token(
            token,
            _transport(),
            audience=client_ids,
            certs_url=settings.BANTU["GOOGLE_OAUTH_CERTS_URL"],
            clock_skew_in_seconds=CLOCK_SKEW_SECONDS,
        )
    except google.auth.exceptions.TransportError as exc:
        logger.warning("Google certificates unavailable: %s", exc)
        raise GoogleUnavailable("Google cannot be reached to check the token; retry later.") from None
    except (ValueError, TypeError, google.auth.exceptions.GoogleAuthError) as exc:
        logger.info("Google ID token refused: %s", exc)
        raise _refused("The Google ID token is not valid.") from None
    if claims.get("iss") not in GOOGLE_ISSUERS:
        raise _refused("The Google ID token is not valid.")
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or not isinstance(claims.get("email"), str):
        raise _refused("The Google ID token is not valid.")
    if claims.get("email_verified") is not True:
        raise _refused("Google has not verified this email address.", errors.GOOGLE_EMAIL_UNVERIFIED)
    return claims


def _active(user: User) -> User:
    if not user.is_active:
        raise Forbidden("This account is suspended.", code=errors.ACCOUNT_SUSPENDED)
    return user


def google_account_find(*, claims: dict) -> User | None:
    """The account a verified Google identity signs in to (`claims` from `google_id_token_verify`): the account
    linked to its Google account; else the account with its email (any letter case), linked now when that email
    is verified; else None (creating one takes a role: `onboarding.services.google_sign_in`).

    Raises Conflict (409) account_email_unverified for an account with the email whose email is not verified
    (linking it would hand it to whoever signs in with Google, and leave a password set by somebody else
    working); Forbidden (403) account_suspended. Linking can raise IntegrityError under a concurrent first
    sign-in of the same Google account: run it in a transaction and retry."""
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=ExternalIdentity.Provider.GOOGLE, subject=claims["sub"])
        .first()
    )
    if identity is not None:
        return _active(identity.user)
    email = User.objects.normalize_email(claims["email"])
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return None
    if user.email_verified_at is None:
        raise Conflict(
            "An account with this email exists but its email is not verified yet: sign in with "
            "its password and verify the email first, then Google sign-in links to it.",
            code=errors.ACCOUNT_EMAIL_UNVERIFIED,
        )
    google_identity_link(user=_active(user), claims=claims)
    return user


def google_identity_link(*, user: User, claims: dict) -> ExternalIdentity:
    """Link `user` to the Google account of `claims` (its `sub`), so that it signs in to `user` from now on.
    Raises IntegrityError when that Google account is linked already (the unique provider and subject)."""
    return ExternalIdentity.objects.create(
        user=user,
        provider=ExternalIdentity.Provider.GOOGLE,
        subject=claims["sub"],
        email=User.objects.normalize_email(claims["email"]),
    )
