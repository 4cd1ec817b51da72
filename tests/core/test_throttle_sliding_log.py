"""The throttles' sliding log on Redis: one atomic call per check, DRF's rule and Retry-After."""

import threading

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from bantu.core.throttling import LoginIPThrottle

pytestmark = pytest.mark.redis


@pytest.fixture
def login_ip_rate(settings):
    def set_rate(rate):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": rate}}
    return set_rate


def check(now: float, address="203.0.113.7"):
    throttle = LoginIPThrottle()
    throttle.timer = lambda: now
    request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR=address)
    return throttle.allow_request(request, None), throttle


def test_the_window_slides_and_refusals_are_not_counted(login_ip_rate):
    login_ip_rate("3/min")
    at = 1_000_000.0
    allowed = [check(at + offset)[0] for offset in (0, 10, 20, 30, 40)]
    assert allowed == [True, True, True, False, False]
    refused, throttle = check(at + 50)
    assert refused is False
    assert throttle.wait() == pytest.approx(10.0)  # the first request leaves the window at +60, as DRF says
    assert check(at + 60.5)[0] is True  # the first left the window; the refused ones never entered it
    assert check(at + 61)[0] is False


def test_the_log_is_one_sorted_set_in_redis_with_an_expiry(login_ip_rate):
    login_ip_rate("5/min")
    check(2_000_000.0)
    backend = caches["throttle"]
    client = backend.client.get_client(write=True)
    [key] = client.keys(backend.make_key("throttle-log:*"))
    assert client.type(key) == b"zset"
    assert 0 < client.ttl(key) <= 60


def test_concurrent_checks_never_let_more_than_the_limit_through(login_ip_rate):
    login_ip_rate("5/min")
    results, start = [], threading.Barrier(20)

    def attempt():
        start.wait(5)
        results.append(check(3_000_000.0)[0])

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == [False] * 15 + [True] * 5


def test_other_clients_have_their_own_log(login_ip_rate):
    login_ip_rate("1/min")
    assert check(4_000_000.0, "198.51.100.1")[0] is True
    assert check(4_000_000.0, "198.51.100.2")[0] is True
    assert check(4_000_001.0, "198.51.100.1")[0] is False
