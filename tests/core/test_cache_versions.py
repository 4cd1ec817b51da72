"""bantu.core.cache_versions.get_or_compute: the versioned cache-aside of job search, job detail and taxonomy."""

import pytest
from django.core.cache import cache

from bantu.core import cache_versions


def computed(value, calls: list):
    def compute():
        calls.append(value)
        return value
    return compute


def test_a_hit_is_one_read_of_many_keys_and_computes_nothing(monkeypatch):
    # One get_many: on Redis one MGET of the entry and its versions.
    calls = []
    cache_versions.get_or_compute("k", ("a", "b"), computed("first", calls), ttl=60)
    reads = []
    monkeypatch.setattr(cache, "get_many", lambda keys, _get_many=cache.get_many: reads.append(keys) or _get_many(keys))
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: pytest.fail("a hit stored something"))

    assert cache_versions.get_or_compute("k", ("a", "b"), computed("second", calls), ttl=60) == ("first", True)
    assert (calls, len(reads)) == (["first"], 1)


def test_a_bump_of_any_version_is_a_miss_that_computes_again():
    calls = []
    cache_versions.get_or_compute("k", ("a", "b"), computed(1, calls), ttl=60)

    cache_versions.bump("b")

    assert cache_versions.get_or_compute("k", ("a", "b"), computed(2, calls), ttl=60) == (2, False)
    assert cache_versions.get_or_compute("k", ("a", "b"), computed(3, calls), ttl=60) == (2, True)
    assert calls == [1, 2]


def test_an_answer_computed_while_a_write_commits_is_never_served_after_the_bump():
    # The versions are read before the computation: a bump landing during it leaves the entry under the old ones.
    def compute_while_a_write_commits():
        cache_versions.bump("a")
        return "maybe stale"

    assert cache_versions.get_or_compute("k", ("a",), compute_while_a_write_commits, ttl=60) == ("maybe stale", False)
    assert cache_versions.get_or_compute("k", ("a",), lambda: "fresh", ttl=60) == ("fresh", False)
    assert cache_versions.get_or_compute("k", ("a",), lambda: "unused", ttl=60) == ("fresh", True)


def test_a_failing_computation_stores_nothing():
    def fail():
        raise LookupError("404")

    with pytest.raises(LookupError):
        cache_versions.get_or_compute("k", ("a",), fail, ttl=60)

    assert cache.get("k") is None


def test_falsy_answers_are_cached_too():
    assert cache_versions.get_or_compute("k", ("a",), lambda: [], ttl=60) == ([], False)
    assert cache_versions.get_or_compute("k", ("a",), lambda: ["unused"], ttl=60) == ([], True)


@pytest.mark.redis
def test_an_entry_that_cannot_be_read_back_is_a_miss_and_is_overwritten(caplog):
    from django_redis import get_redis_connection

    calls = []
    cache_versions.get_or_compute("k", ("a",), computed("first", calls), ttl=60)
    cache_versions.bump("a")
    get_redis_connection("default").set(cache.make_key("k"), b"\x80not a pickle")

    answers = [cache_versions.get_or_compute("k", ("a",), computed(f"again {n}", calls), ttl=60) for n in range(3)]

    assert answers == [("again 0", False), ("again 1", False), ("again 1", True)]
    assert "could not be read back" in caplog.text
