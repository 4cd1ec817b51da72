"""Ordered text matches from the RUM indexes (jobs/rum.py, jobs/search.py) on PostgreSQL: where migration 0006
made them, a text search past the count cap is served from them, in exactly the order and pages the B-tree plans
give (BANTU["SEARCH_RUM"] off). .ci/run installs the rum extension, so these run there; a server without it skips
them, and the rest of the suite covers its B-tree plans."""

import contextlib
import datetime

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

from jobs import rum
from jobs.models import Job
from tests.conftest import client_for

from ..conftest import days_ago
from ..helpers import JOBS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not django_settings.USING_POSTGRES, reason="RUM indexes are a PostgreSQL extension"),
]
ORDERINGS = ["newest", "budget", "-budget", "relevance"]


@pytest.fixture
def rum_indexes(db):
    if not rum.rum_orderings():
        pytest.skip("the rum extension is not installed on this PostgreSQL server")


@pytest.fixture
def kopi_jobs(make_job, owner):
    """Nine matches of "kopi" with budgets that tie (the id breaks ties; with pages of two, ties straddle the
    pages' boundaries), published on different days, plus a job that does not match."""
    budgets = [(1_000_000, 2_000_000), (500_000, 2_000_000), (1_000_000, 5_000_000), (500_000, 900_000),
               (1_000_000, 2_000_000), (3_000_000, 3_000_000), (500_000, 2_000_000), (750_000, 800_000),
               (1_000_000, 5_000_000)]
    jobs = [make_job(owner, title=f"Barista kopi {i}" if i % 3 else f"Menu kedai {i}",
                     description="Kedai kopi butuh bantuan.", budget_min=low, budget_max=high,
                     published_at=days_ago(i % 5) - datetime.timedelta(hours=i))
            for i, (low, high) in enumerate(budgets)]
    make_job(owner, title="Aplikasi kasir", description="Toko kelontong.")
    return jobs


@contextlib.contextmanager
def statements():
    """The SQL the default connection runs inside the block (a list filled as it runs; Django's query log is
    emptied at the start of every request, so it cannot span several)."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def _pages(api, ordering, page_size=2) -> list[str]:
    ids = []
    for page in range(1, 5):
        cache.clear()
        response = api.get(JOBS, {"q": "kopi", "ordering": ordering, "page_size": page_size, "page": page})
        if response.status_code == 404:
            break
        assert response.status_code == 200, response.content
        ids += [job["id"] for job in response.json()["results"]]
    return ids


def _expected(jobs, ordering) -> list[str]:
    key = {"newest": lambda job: (-job.published_at.timestamp(), -job.pk.int),
           "budget": lambda job: (job.budget_min, -job.pk.int),
           "-budget": lambda job: (-job.budget_max, -job.pk.int)}[ordering]
    return [str(job.pk) for job in sorted(jobs, key=key)]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_capped_text_search_reads_the_rum_index_in_the_b_tree_plans_order(
        api, kopi_jobs, rum_indexes, settings, ordering):
    settings.BANTU = {**settings.BANTU, "SEARCH_COUNT_CAP": 7, "SEARCH_RANKED_CANDIDATES": 3}
    with statements() as captured:
        with_rum = _pages(api, ordering)
    settings.BANTU = {**settings.BANTU, "SEARCH_RUM": False}
    without = _pages(api, ordering)

    operators = ("<=|", "|=>")
    ordered = [sql for sql in captured if any(operator in sql for operator in operators)]
    counts = [sql for sql in captured if "COUNT(*)" in sql]
    assert ordered
    # The index-ordered boundary matches with `@@`, which the RUM indexes serve; counts only with `@@@`, which
    # only GIN serves.
    assert all(" @@ " in sql for sql in ordered)
    assert counts and all("@@@" in sql and " @@ " not in sql for sql in counts)
    assert len(with_rum) == 8  # pages of 2 reach the cap's page, the 4th: rows 7 and 8
    assert with_rum == without
    if ordering != "relevance":
        assert with_rum == _expected(kopi_jobs, ordering)[:8]


def test_below_the_cap_the_matches_are_sorted_without_the_index(api, kopi_jobs, rum_indexes, settings):
    with statements() as captured:
        ids = _pages(api, "newest", page_size=20)

    assert ids == _expected(kopi_jobs, "newest")
    assert not any("<=|" in sql for sql in captured)


def test_private_searches_never_use_the_partial_indexes(kopi_jobs, owner, rum_indexes, settings):
    settings.BANTU = {**settings.BANTU, "SEARCH_COUNT_CAP": 3}
    draft = kopi_jobs[0]
    Job.objects.filter(pk=draft.pk).update(status=Job.Status.DRAFT, published_at=None)
    company = owner.company_memberships.get().company

    with statements() as captured:
        response = client_for(owner).get(JOBS, {"q": "kopi", "company": str(company.pk), "ordering": "newest",
                                                "page_size": 20})

    assert response.status_code == 200, response.content
    assert not any("<=|" in sql for sql in captured)
    assert str(draft.pk) in [job["id"] for job in response.json()["results"]]


def test_creating_the_indexes_again_creates_nothing_and_dropping_them_falls_back(rum_indexes):
    assert rum.rum_indexes_create(connection) == []

    rum.rum_indexes_drop(connection)
    assert rum.rum_orderings() == frozenset()
    assert rum.rum_indexes_create(connection) == [index for index, _column in rum.INDEXES.values()]
    assert rum.rum_orderings() == frozenset(rum.INDEXES)
