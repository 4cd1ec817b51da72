"""Cached job search and job detail, keyed by versions (bantu.core.cache_versions; bumped after commit).

`jobs:gen` covers everything a job response shows that lives elsewhere (its company, the taxonomy); each job
also has its own version. Search results depend on every job, so any job write bumps the search version.
Entries carry a TTL as a backstop.
"""

import hashlib
import json

from django.core.cache import cache

from bantu.core import cache_versions

SEARCH_TTL = 300
DETAIL_TTL = 600

GENERATION = "jobs:gen"
SEARCH = "jobs:search"


def _job(job_id) -> str:
    return f"jobs:{job_id}"


def job_changed(job_id) -> None:
    """A job was written (its transaction committed): its detail and every search."""
    cache_versions.bump(_job(job_id), SEARCH)


def everything_changed() -> None:
    """A company or the taxonomy changed (committed): every cached job response may show it."""
    cache_versions.bump(GENERATION)


def search_key(params) -> str:
    """`params`: anything JSON-serialisable that identifies the request (host, query parameters)."""
    versions = cache_versions.versions(GENERATION, SEARCH)
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:40]
    return f"jobs:search:{versions[GENERATION]}:{versions[SEARCH]}:{digest}"


def detail_key(job_id) -> str:
    versions = cache_versions.versions(GENERATION, _job(job_id))
    return f"jobs:detail:{job_id}:{versions[GENERATION]}:{versions[_job(job_id)]}"


def search_get_or_compute(params, compute) -> tuple[object, bool]:
    """Cache-aside for a public search: `(answer, hit)`. `params` identifies the request (see `search_key`);
    `compute()` builds the answer on a miss (its exceptions, 400s and 404s, propagate and nothing is cached)."""
    key = search_key(params)
    cached = get(key)
    if cached is not None:
        return cached, True
    answer = compute()
    put(key, answer, SEARCH_TTL)
    return answer, False


def get(key: str):
    return cache.get(key)


def put(key: str, value, ttl: int) -> None:
    cache.set(key, value, timeout=ttl)
