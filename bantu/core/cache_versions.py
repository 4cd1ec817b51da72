"""Versioned cache keys: the one way Bantu invalidates cached reads.

Nothing is deleted. A cached read puts the current version of what it depends on into its key; a write bumps
that version, so the old entries are never read again and expire on their own (their TTL is the backstop). A
write bumps **after its transaction commits** (`bump_on_commit`): bumped inside it, a concurrent read could still
see the old rows, rebuild the old answer and cache it under the new version, where it would stay until its TTL.
With the cache down, reads miss and bumps do nothing: responses are simply uncached.
"""

from django.core.cache import cache
from django.db import transaction


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
