import pytest
from django.urls import path
from rest_framework.views import APIView

from bantu.urls import urlpatterns as real_urlpatterns


class ExplodingApi(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("database password is hunter2")


urlpatterns = [*real_urlpatterns, path("api/v1/explode/", ExplodingApi.as_view())]


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_errors_and_ops")
def test_unhandled_error_is_500_problem_without_internals(api):
    response = api.get("/api/v1/explode/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "server_error"
    assert "hunter2" not in response.content.decode()


@pytest.mark.django_db
def test_unknown_api_path_is_404_problem(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_wrong_method_is_405_problem(api):
    response = api.delete("/api/v1/auth/token/")

    assert response.status_code == 405
    assert response.json() == {
        "type": "https://docs.bantu.id/problems/method_not_allowed",
        "title": "Method not allowed",
        "status": 405,
        "detail": 'Method "DELETE" not allowed.',
        "code": "method_not_allowed",
    }


@pytest.mark.django_db
def test_login_is_throttled_per_email_with_retry_after(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_email": "3/min"}}
    body = {"email": "Target@example.id", "password": "wrong-password"}

    statuses = [api.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(3)]
    throttled = api.post("/api/v1/auth/token/", {**body, "email": "target@EXAMPLE.id"}, format="json")

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == "application/problem+json"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled.json()["code"] == "throttled"


@pytest.mark.django_db
def test_login_is_throttled_per_ip_across_emails(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": "2/min"}}

    statuses = [
        api.post("/api/v1/auth/token/", {"email": f"u{n}@example.id", "password": "x"}, format="json").status_code
        for n in range(3)
    ]

    assert statuses == [401, 401, 429]


@pytest.mark.django_db
def test_registration_is_throttled_per_ip(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "register_ip": "1/hour"}}
    body = {"password": "Kopi-Tubruk-2026", "full_name": "Dewi", "role": "freelancer"}

    first = api.post("/api/v1/auth/register/", {**body, "email": "a@example.id"}, format="json")
    second = api.post("/api/v1/auth/register/", {**body, "email": "b@example.id"}, format="json")

    assert first.status_code == 201
    assert second.status_code == 429
    assert int(second["Retry-After"]) > 60


@pytest.mark.django_db
def test_writes_are_throttled_per_user(as_user, user, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user_write": "2/min"}}
    client = as_user(user)

    statuses = [client.patch("/api/v1/me/", {"phone": "0812345678"}, format="json").status_code for _ in range(3)]
    read = client.get("/api/v1/me/")

    assert statuses == [200, 200, 429]
    assert read.status_code == 200


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok",
                               "checks": {"database": "ok", "cache": "ok", "channel_layer": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unavailable"


@pytest.mark.django_db
def test_cors_allows_only_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.bantu.id"]

    allowed = client.options("/api/v1/skills/", HTTP_ORIGIN="https://app.bantu.id",
                             HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    refused = client.options("/api/v1/skills/", HTTP_ORIGIN="https://evil.example",
                             HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert allowed["Access-Control-Allow-Origin"] == "https://app.bantu.id"
    assert "Access-Control-Allow-Origin" not in refused


def test_deploy_check_refuses_the_development_secret(settings):
    from bantu.core.checks import check_secret_key

    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert [error.id for error in check_secret_key(None)] == ["bantu.E001"]
    settings.SECRET_KEY = "x" * 50
    assert check_secret_key(None) == []


@pytest.mark.django_db
def test_login_attempts_from_one_client_do_not_lock_the_victim_out_elsewhere(settings):
    from rest_framework.test import APIClient

    from tests.factories import PASSWORD, UserFactory

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_email": "3/min"}}
    victim = UserFactory(email="victim@example.id")
    attacker, own_device = APIClient(REMOTE_ADDR="203.0.113.9"), APIClient(REMOTE_ADDR="198.51.100.7")

    attempts = [attacker.post("/api/v1/auth/token/", {"email": victim.email, "password": "guess"},
                              format="json").status_code for _ in range(5)]
    mine = own_device.post("/api/v1/auth/token/", {"email": victim.email, "password": PASSWORD}, format="json")

    assert attempts == [401, 401, 401, 429, 429]
    assert mine.status_code == 200


@pytest.mark.django_db
def test_the_per_email_ceiling_stops_guessing_spread_over_many_clients(settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_email_ceiling": "4/hour"}}

    statuses = [APIClient(REMOTE_ADDR=f"203.0.113.{n}").post(
        "/api/v1/auth/token/", {"email": "target@example.id", "password": "guess"}, format="json").status_code
        for n in range(6)]

    assert statuses == [401, 401, 401, 401, 429, 429]


@pytest.mark.redis
@pytest.mark.django_db
def test_with_redis_down_login_throttling_falls_back_to_this_process(api, settings):
    settings.CACHES = {**settings.CACHES, "throttle": {**settings.CACHES["throttle"],
                                                       "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_email": "3/min"}}
    body = {"email": "target@example.id", "password": "wrong-password"}

    statuses = [api.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 429, 429]
