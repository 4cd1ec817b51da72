"""Versioned cache keys for job search and job detail.

Nothing is deleted: every write bumps a version that is part of the keys, so the old entries are never read
again and expire on their own. `jobs:gen` covers everything a job response shows that lives elsewhere (its
company, the taxonomy); each job also has its own version. Search results depend on every job, so any job
write bumps the search version. With the cache down, reads miss and writes bump nothing: responses are simply
uncached. Entries carry a TTL as a backstop.
"""

import hashlib
import json

from django.core.cache import cache

SEARCH_TTL = 300
DETAIL_TTL = 600

GENERATION_KEY = "jobs:gen"
SEARCH_VERSION_KEY = "jobs:search:ver"


def _job_version_key(job_id) -> str:
    return f"jobs:ver:{job_id}"


def _bump(key: str) -> None:
    # With the cache down, incr returns None and nothing is bumped: nothing is served from it either.
    try:
        cache.incr(key)
    except ValueError:  # not set yet; add() so that a concurrent first bump is not overwritten
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)


def job_changed(job_id) -> None:
    _bump(_job_version_key(job_id))
    _bump(SEARCH_VERSION_KEY)


def everything_changed() -> None:
    """A company or the taxonomy changed: every cached job response may show it."""
    _bump(GENERATION_KEY)


def search_key(params) -> str:
    """`params`: anything JSON-serialisable that identifies the request (host, query parameters)."""
    versions = cache.get_many([GENERATION_KEY, SEARCH_VERSION_KEY])
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:40]
    return f"jobs:search:{versions.get(GENERATION_KEY, 0)}:{versions.get(SEARCH_VERSION_KEY, 0)}:{digest}"


def detail_key(job_id) -> str:
    version_key = _job_version_key(job_id)
    versions = cache.get_many([GENERATION_KEY, version_key])
    return f"jobs:detail:{job_id}:{versions.get(GENERATION_KEY, 0)}:{versions.get(version_key, 0)}"


def get(key: str):
    return cache.get(key)


def put(key: str, value, ttl: int) -> None:
    cache.set(key, value, timeout=ttl)
