"""Reading the default cache's entries inside another Redis call's round trip ("reads along"): the search
throttle's script reads a cached search's entry and versions (`bantu.core.throttling`), and a chat broadcast's
script reads the recipients' presence counters (`bantu.core.realtime`). Both need the default cache to be
django-redis on the same server and database as that call, and the raw values decoded as the cache decodes them.
"""

import logging

from django.core.cache import caches

logger = logging.getLogger(__name__)


def is_redis(backend) -> bool:
    """Whether `backend` (a cache) is django-redis, whose client hands out redis-py clients."""
    return hasattr(backend, "client") and hasattr(backend.client, "get_client")


def default_cache_at(location) -> bool:
    """Whether the default cache is django-redis at `location` (a LOCATION: the Redis URL, server and database),
    so that its keys can be read in a call made there. False for a `location` of None."""
    default = caches["default"]
    return location is not None and is_redis(default) and getattr(default, "_server", None) == location


def decoded(keys: list[str], values: list) -> dict[str, object]:
    """The default cache's raw `values` of `keys` (None where missing), as `cache.get_many` answers: decoded by its
    client, missing or undecodable ones left out (logged)."""
    client = caches["default"].client
    found = {}
    for key, value in zip(keys, values, strict=True):
        if value is None:
            continue
        try:
            found[key] = client.decode(value)
        except Exception:
            logger.warning("Cache entry %s read along could not be decoded", key, exc_info=True)
    return found
