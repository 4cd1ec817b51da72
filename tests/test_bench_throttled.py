"""bench/urls.py's `bench/throttled/`: the bare endpoint plus the search throttle, answering one cached entry."""

import pytest
from django.test import override_settings

from bantu.core.throttling import SearchThrottle

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_throttled_endpoint_answers_its_cached_entry_and_counts_each_request(api, monkeypatch):
    counted = []
    allow = SearchThrottle.allow_request
    monkeypatch.setattr(SearchThrottle, "allow_request",
                        lambda self, request, view: counted.append(request.path) or allow(self, request, view))
    first, second = api.get("/bench/throttled/"), api.get("/bench/throttled/")
    assert (first.status_code, first.json()) == (200, {"ok": True})
    assert (second.status_code, second.content) == (200, first.content)
    assert counted == ["/bench/throttled/", "/bench/throttled/"]
