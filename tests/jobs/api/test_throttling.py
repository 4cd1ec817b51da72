"""Search is rate limited per user, or per IP for anonymous clients (PRODUCT.md §3)."""

import pytest

from tests.problems import assert_problem

from ..helpers import JOBS, detail_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def search_rate(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "search": "2/min"}}


def test_third_search_in_a_minute_is_429_with_retry_after(api, open_job, search_rate):
    statuses = [api.get(JOBS, {"q": "kopi"}).status_code for _ in range(2)]
    throttled = api.get(JOBS, {"q": "kopi"})  # would be a cache HIT: the throttle still applies

    assert statuses == [200, 200]
    body = assert_problem(throttled, 429, "throttled")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert body["title"] == "Too many requests"


def test_search_is_throttled_per_user_not_shared_with_anonymous_clients(api, as_user, freelancer, owner, open_job,
                                                                        search_rate):
    client = as_user(freelancer)
    assert [client.get(JOBS).status_code for _ in range(3)] == [200, 200, 429]

    assert api.get(JOBS).status_code == 200
    assert as_user(owner).get(JOBS).status_code == 200


def test_search_throttle_is_per_ip_for_anonymous_clients(api, open_job, search_rate):
    assert [api.get(JOBS, REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)] == [200, 200, 429]

    assert api.get(JOBS, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_search_throttle_does_not_limit_job_detail_or_posting(api, as_user, owner, open_job, search_rate):
    client = as_user(owner)
    for _ in range(2):
        client.get(JOBS)
    assert_problem(client.get(JOBS), 429)

    assert [api.get(detail_url(open_job)).status_code for _ in range(3)] == [200, 200, 200]
    assert client.patch(detail_url(open_job), {"title": "Judul yang Masih Boleh"}, format="json").status_code == 200
