"""Throttles on the `throttle` cache (Redis in service mode), with a per-process fallback while Redis is down.

DRF's `SimpleRateThrottle` binds its rates when the class is defined; ours read them when a request arrives,
so rates can be changed by settings (and by tests) without reloading modules.
"""

import hashlib
import logging
import secrets
import unicodedata

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from . import read_along

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


# DRF's sliding log (a list of request times per key, read and written back whole: two round trips, and a list
# as long as the limit pickled both ways) as one Redis call: a sorted set of request times, trimmed, counted and
# added to atomically. Returns {allowed (1/0), requests in the window, the oldest request time ("" if none), the
# values of KEYS[2..] (the view's cache reads, see `_SettingsRateThrottle`; nil where missing)}.
_SLIDING_LOG = """
local reads = {}
if #KEYS > 1 then reads = redis.call('MGET', unpack(KEYS, 2)) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
  if oldest == '' then oldest = ARGV[1] end
  return {1, count + 1, oldest, reads}
end
return {0, count, oldest, reads}
"""


def _redis_sliding_log():
    """The registered script on the `throttle` cache's Redis client, or None when that cache is not Redis."""
    backend = caches["throttle"]
    if not read_along.is_redis(backend):
        return None
    client = backend.client.get_client(write=True)
    script = getattr(client, "_bantu_sliding_log", None)
    if script is None:  # once per client (process): registering hashes the script
        script = client._bantu_sliding_log = client.register_script(_SLIDING_LOG)
    return backend, script


class _SettingsRateThrottle(SimpleRateThrottle):
    """DRF's SimpleRateThrottle (the same sliding-log rule: at most `num_requests` in any `duration` seconds, a
    refused request not counted, the same Retry-After), with the rate read from the live settings and, on Redis,
    the whole check in one atomic round trip (`_SLIDING_LOG`). Without Redis (embedded) or while it is down, DRF's
    own list-in-a-cache path runs on the local cache (`_DegradingCache`).

    **Reads along.** A view may name default-cache keys it is about to read, `view.throttle_read_keys(request)
    -> list[str]`: when the default cache is the same Redis, they are read in the throttle's own call (an MGET in
    the script) and left on the request as `request.throttle_reads` (`{key: value}`, missing keys left out, as
    `cache.get_many` answers). A cached search then costs one Redis round trip instead of two. Without Redis, or
    when the call fails, nothing is left and the view reads the keys itself."""

    cache = _DegradingCache()
    # The sorted sets live under their own keys: a list written by the old path is never read as a set.
    zset_format = "throttle-log:%s"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def __init__(self):
        # The parent reads the rate in __init__; keep that, but from the live settings.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self._logged = None  # (requests in the window, oldest request time) after a Redis check

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            redis = _redis_sliding_log()
        except Exception:  # no `throttle` cache configured: DRF's path, through _DegradingCache's fallback
            redis = None
        if redis is None:
            return super().allow_request(request, view)
        backend, script = redis
        reads = self._read_keys(request, view, backend)
        self.now = self.timer()
        try:
            allowed, count, oldest, values = script(
                keys=[backend.make_key(self.zset_format % self.key), *(caches["default"].make_key(key)
                                                                         for key in reads)],
                args=[repr(self.now), self.duration, self.num_requests, f"{self.now!r}:{secrets.token_hex(4)}"])
        except Exception:
            logger.warning("Throttle cache unavailable: limits are per process until it is back")
            self.cache = _DegradingCache.fallback  # straight to this process's cache: Redis was just tried
            return super().allow_request(request, view)
        if reads:
            request.throttle_reads = read_along.decoded(reads, values)
        self._logged = (int(count), float(oldest) if oldest else None)
        return bool(allowed) or self.throttle_failure()

    @staticmethod
    def _read_keys(request, view, backend) -> list[str]:
        """The view's keys to read along (see the class), once per request and only from the same Redis."""
        named = getattr(view, "throttle_read_keys", None)
        if (named is None or hasattr(request, "throttle_reads")
                or not read_along.default_cache_at(getattr(backend, "_server", None))):
            return []
        return list(named(request))

    def wait(self):
        """Seconds until a request would be allowed again, as DRF computes it from the log."""
        if self._logged is None:
            return super().wait()
        count, oldest = self._logged
        remaining = self.duration - (self.now - oldest) if oldest is not None else self.duration
        available = self.num_requests - count + 1
        return remaining / float(available) if available > 0 else None


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
