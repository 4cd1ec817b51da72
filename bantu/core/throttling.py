"""Throttles on the `throttle` cache (Redis in service mode), with a per-process fallback while Redis is down.

DRF's `SimpleRateThrottle` binds its rates when the class is defined; ours read them when a request arrives,
so rates can be changed by settings (and by tests) without reloading modules.
"""

import hashlib
import logging
import unicodedata

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class _DegradingCache:
    """The `throttle` cache (shared by every process through Redis), or, while it cannot be reached, a cache of
    this process alone: brute-force protection degrades to per-process limits instead of switching off (the
    default cache ignores Redis errors, which made every throttle count from zero)."""

    fallback = LocMemCache("bantu-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})

    def get(self, key, default=None):
        try:
            return caches["throttle"].get(key, default)
        except Exception:
            logger.warning("Throttle cache unavailable: limits are per process until it is back")
            return self.fallback.get(key, default)

    def set(self, key, value, timeout=None):
        try:
            caches["throttle"].set(key, value, timeout)
        except Exception:
            self.fallback.set(key, value, timeout)


class _SettingsRateThrottle(SimpleRateThrottle):
    cache = _DegradingCache()

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def __init__(self):
        # The parent reads the rate in __init__; keep that, but from the live settings.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)


class _IPThrottle(_SettingsRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _EmailThrottle(_SettingsRateThrottle):
    """Keyed by the email in the body, so one account cannot be brute-forced from many addresses."""

    with_ip = False

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        # The canonical form (NFKC, lower case) of accounts.models.UserManager.normalize_email, written out here
        # because core does not import apps: one address is one counter however it is spelled.
        canonical = unicodedata.normalize("NFKC", email).strip().lower()
        if self.with_ip:
            canonical = f"{canonical} {self.get_ident(request)}"
        digest = hashlib.sha256(canonical.encode("utf-8", errors="replace")).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": digest}


class LoginIPThrottle(_IPThrottle):
    scope = "login_ip"


class LoginEmailIPThrottle(_EmailThrottle):
    """Attempts on one email from one client: the brute-force limit. Keyed by both, so that somebody hammering
    a victim's address from their own machine does not lock the victim out of theirs."""

    scope = "login_email"
    with_ip = True


class LoginEmailThrottle(_EmailThrottle):
    """The ceiling per email from all clients together, against guessing spread over many addresses."""

    scope = "login_email_ceiling"


class RegisterIPThrottle(_IPThrottle):
    scope = "register_ip"


class RegisterEmailThrottle(_EmailThrottle):
    scope = "register_email"


class _UserThrottle(_SettingsRateThrottle):
    """Keyed by the signed-in user; anonymous requests are not counted here."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class UserWriteThrottle(_UserThrottle):
    """Writes per signed-in user; reads and anonymous requests are left to the scoped throttles."""

    scope = "user_write"

    def get_cache_key(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().get_cache_key(request, view)


class SearchThrottle(_SettingsRateThrottle):
    """Searches per signed-in user, or per IP for anonymous clients."""

    scope = "search"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PasswordResetIPThrottle(_IPThrottle):
    scope = "password_reset_ip"


class PasswordResetEmailThrottle(_EmailThrottle):
    """Reset mails per address from all clients together: nobody can flood a mailbox with reset links."""

    scope = "password_reset_email"


class EmailVerifyIPThrottle(_IPThrottle):
    scope = "email_verify_ip"


class GoogleSignInIPThrottle(_IPThrottle):
    scope = "google_ip"


class EmailResendThrottle(_UserThrottle):
    """Verification mails asked for per signed-in user."""

    scope = "email_resend"
