"""bench/search_floor.py: each way of planning a search's slow part answers the same pages, and the code as built
comes back afterwards (the floor compares times, so the answers must not differ)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from bench import search_floor
from jobs import search
from tests.factories import JobFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]  # the ways set PostgreSQL's planner settings

SEARCHES = [{"q": "desain"}, {"q": "desain", "page": 2}, {"q": "desain", "ordering": "-budget", "page": 2},
            {"q": "desain", "ordering": "budget"}, {"q": "desain", "ordering": "newest", "page": 3}]


@pytest.fixture
def desain_jobs(company, settings):
    settings.BANTU = {**settings.BANTU, "SEARCH_COUNT_CAP": 5, "SEARCH_RANKED_CANDIDATES": 4}
    now = timezone.now()
    for i in range(9):
        JobFactory(company=company, title=f"Desain {'logo ' * (i % 3)}{i}", budget_min=(i * 7 % 9 + 1) * 100_000,
                   budget_max=(i * 7 % 9 + 1) * 1_000_000, published_at=now - datetime.timedelta(days=i))
    JobFactory(company=company, title="Backend Django", description="API untuk toko online.")


def _titles(api) -> list[list[str]]:
    pages = []
    for params in SEARCHES:
        cache.clear()
        response = api.get("/api/v1/jobs/", {**params, "page_size": 2})
        assert response.status_code == 200, (params, response.content)
        pages.append([job["title"] for job in response.json()["results"]])
    return pages


def test_every_way_answers_the_same_pages_and_the_code_comes_back(api, desain_jobs):
    built = _titles(api)
    try:
        for way in ("planned", "walked", "sorted"):
            search_floor.use(way)
            assert _titles(api) == built, way
    finally:
        search_floor.use("as built")

    assert (search._walk_or_sort, search.JobSearch._ranked_candidates, search.JobSearch.page) == \
        search_floor.AS_BUILT
    assert all(built) and built[0] != built[1]
