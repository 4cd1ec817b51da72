"""Versioned cache entries: the one way Bantu invalidates cached reads.

Nothing is deleted. A cached read stores, with its value, the versions of what it depends on (`get_or_compute`);
a write bumps those versions, so the old entries no longer match and are computed again (their TTL is the
backstop). A hit costs one cache round trip: the versions and the entry are read together. A write bumps
**after its transaction commits** (`bump_on_commit`): bumped inside it, a concurrent read could still
see the old rows, rebuild the old answer and cache it under the new version, where it would stay until its TTL.
With the cache down, reads miss and bumps do nothing: responses are simply uncached.
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")


def get_or_compute(key: str, names: Sequence[str], compute: Callable[[], T], *, ttl: int,
                   found: Mapping[str, object] | None = None) -> tuple[T, bool]:
    """Cache-aside under versions: `(value, hit)`. The value cached at `key` if it was computed under the current
    versions of `names`; otherwise `compute()`, stored at `key` with those versions for `ttl` seconds.

    One round trip on a hit (the entry and the versions in one get_many), two on a miss. `found`, when given, is
    what the caller has already read of `read_keys(key, names)` (`{key: value}`, keys not in the cache left out,
    as get_many answers), so that a hit costs no round trip of its own: the search reads it in its throttle's
    round trip (`bantu.core.throttling`). The versions are read before `compute()` runs, so an answer computed
    while a write commits is stored under the older versions and never served after the bump. `compute`'s
    exceptions propagate and nothing is stored. With the cache down, every read is a miss; so is an entry that
    cannot be read back (unpickling fails), which is then overwritten."""
    keys = read_keys(key, names)
    if found is None:
        try:
            found = cache.get_many(keys)
        except Exception:  # not the cache being down (ignored by the backend): an entry that cannot be read back
            logger.warning("Cache entry %s or its versions could not be read back; computing it again", key,
                           exc_info=True)
            found = {}  # stored again under versions 0: the next read finds them moved on and computes once more
    current = tuple(found.get(version_key, 0) for version_key in keys[1:])
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return entry[1], True
    value = compute()
    cache.set(key, (current, value), timeout=ttl)
    return value, False


def read_keys(key: str, names: Sequence[str]) -> list[str]:
    """The cache keys `get_or_compute(key, names, ...)` reads in its one round trip: the entry, then the versions."""
    return [key, *(_key(name) for name in names)]


def versions(*names: str) -> dict[str, int]:
    """{name: current version} (0 for a name never bumped), one cache round trip."""
    found = cache.get_many([_key(name) for name in names])
    return {name: found.get(_key(name), 0) for name in names}


def bump(*names: str) -> None:
    """Move each version on now. Call it after the write has committed; inside a transaction use
    `bump_on_commit`."""
    for name in names:
        key = _key(name)
        try:
            cache.incr(key)
        except ValueError:  # not set yet: add() so that a concurrent first bump is not overwritten
            if not cache.add(key, 1, timeout=None):
                cache.incr(key)


def bump_on_commit(*names: str) -> None:
    """Bump once the current transaction commits (at once outside one); nothing for a rolled-back write."""
    transaction.on_commit(lambda: bump(*names))


def _key(name: str) -> str:
    return f"ver:{name}"
