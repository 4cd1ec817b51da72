"""Cached job search and job detail, under versions (bantu.core.cache_versions; bumped after commit).

`jobs:gen` covers everything a job response shows that lives elsewhere (its company, the taxonomy); each job
also has its own version. Search results depend on every job, so any job write bumps the search version.
Entries carry a TTL as a backstop.
"""

import hashlib
import json

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
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:40]
    return f"jobs:search-json:{digest}"


def search_read_keys(params) -> list[str]:
    """The cache keys `search_get_or_compute(params, …)` reads (for `found`)."""
    return cache_versions.read_keys(search_key(params), (GENERATION, SEARCH))


def search_get_or_compute(params, compute, *, found=None) -> tuple[object, bool]:
    """Cache-aside for a public search: `(answer, hit)` (the view keeps the rendered JSON bytes). `params`
    identifies the request (see `search_key`); `compute()` builds the answer on a miss (its exceptions, 400s and
    404s, propagate and nothing is cached); `found`, what was already read of `search_read_keys(params)` (see
    `cache_versions.get_or_compute`). Valid while neither the jobs' generation nor the search version moves."""
    return cache_versions.get_or_compute(search_key(params), (GENERATION, SEARCH), compute, ttl=SEARCH_TTL,
                                         found=found)


def detail_get_or_compute(job_id, compute) -> tuple[object, bool]:
    """Cache-aside for a public job detail: `(answer, hit)`, valid while neither the jobs' generation nor this
    job's version moves. `compute()`'s exceptions (404) propagate and nothing is cached."""
    return cache_versions.get_or_compute(f"jobs:detail-json:{job_id}", (GENERATION, _job(job_id)), compute,
                                         ttl=DETAIL_TTL)
