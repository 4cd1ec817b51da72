"""Cached job search and detail (PRODUCT.md §2.2): HIT/MISS, invalidation by every change a response shows,
no shared caching of private views, Redis entries, and a Redis outage degrading to uncached answers.

Invalidation runs on commit: writes are wrapped in `django_capture_on_commit_callbacks(execute=True)`."""

import contextlib
import re
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.test import Client

from bantu.core import cache_versions
from bantu.core.renderers import JSONRenderer
from companies.services import company_set_verified
from jobs import services
from jobs.api.views import CACHE_HEADER
from jobs.models import Job
from taxonomy.models import Category, Skill
from tests.factories import UserFactory
from tests.problems import assert_problem

from ..helpers import JOBS, detail_url, remove_url, titles

pytestmark = pytest.mark.django_db


def xcache(response) -> str:
    assert response.status_code == 200, response.content
    return response["X-Cache"]


@pytest.fixture
def job(make_job, owner):
    return make_job(owner, title="Desain Logo Kedai Kopi", skills=["figma"])


@pytest.fixture
def warm(api, job):
    """Search and detail are cached (MISS, then HIT) before the test changes something."""
    assert [xcache(api.get(JOBS)), xcache(api.get(JOBS))] == ["MISS", "HIT"]
    assert [xcache(api.get(detail_url(job))), xcache(api.get(detail_url(job)))] == ["MISS", "HIT"]


# --- HIT / MISS -------------------------------------------------------------------------------------------------

def test_search_is_a_miss_then_a_hit_with_the_same_body(api, job):
    first = api.get(JOBS, {"q": "kopi"})
    second = api.get(JOBS, {"q": "kopi"})

    assert (xcache(first), xcache(second)) == ("MISS", "HIT")
    assert second.json() == first.json()
    assert titles(second) == ["Desain Logo Kedai Kopi"]


def test_detail_is_a_miss_then_a_hit_with_the_same_body(api, job):
    first = api.get(detail_url(job))
    second = api.get(detail_url(job))

    assert (xcache(first), xcache(second)) == ("MISS", "HIT")
    assert second.json() == first.json()
    assert second.json()["title"] == "Desain Logo Kedai Kopi"


@pytest.mark.parametrize("path", ["search", "detail"])
def test_a_hit_answers_the_bytes_and_headers_drf_renders(api, job, path):
    # Kept rendered (bantu.core.renderers.render_json), a hit is served without rendering again.
    url = JOBS if path == "search" else detail_url(job)
    first, second = api.get(url), api.get(url)

    assert (xcache(first), xcache(second)) == ("MISS", "HIT")
    assert second.content == first.content == JSONRenderer().render(first.json())
    assert {**second.headers, CACHE_HEADER: "-"} == {**first.headers, CACHE_HEADER: "-"}
    assert second["Content-Type"] == "application/json"


def test_a_hit_asked_for_indented_json_is_indented(api, job):
    first = api.get(detail_url(job))
    indented = api.get(detail_url(job), HTTP_ACCEPT="application/json; indent=2")

    assert (xcache(first), xcache(indented)) == ("MISS", "HIT")
    assert indented.content.startswith(b'{\n  "id": ')
    assert indented.json() == first.json()


def test_different_parameters_are_separate_entries(api, job):
    assert xcache(api.get(JOBS, {"q": "kopi"})) == "MISS"
    assert xcache(api.get(JOBS, {"q": "teh"})) == "MISS"
    assert titles(api.get(JOBS, {"q": "teh"})) == []
    assert xcache(api.get(JOBS, {"q": "kopi", "page_size": 5})) == "MISS"
    assert xcache(api.get(JOBS, {"q": "kopi", "ordering": "newest"})) == "MISS"
    assert xcache(api.get(JOBS, {"q": "kopi"})) == "HIT"
    assert titles(api.get(JOBS, {"q": "kopi"})) == ["Desain Logo Kedai Kopi"]


def test_parameter_order_does_not_split_entries(api, job):
    assert xcache(api.get(f"{JOBS}?q=kopi&job_type=fixed")) == "MISS"
    assert xcache(api.get(f"{JOBS}?job_type=fixed&q=kopi")) == "HIT"


def test_each_job_has_its_own_detail_entry(api, job, make_job, owner):
    other = make_job(owner, title="Menu Kedai Teh")

    assert xcache(api.get(detail_url(job))) == "MISS"
    response = api.get(detail_url(other))
    assert (xcache(response), response.json()["title"]) == ("MISS", "Menu Kedai Teh")
    assert api.get(detail_url(job)).json()["title"] == "Desain Logo Kedai Kopi"


def test_invalid_searches_and_missing_jobs_are_not_cached(api, job, draft_job):
    assert_problem(api.get(JOBS, {"ordering": "bogus"}), 400)
    assert_problem(api.get(JOBS, {"ordering": "bogus"}), 400)
    assert_problem(api.get(detail_url(draft_job)), 404)
    assert_problem(api.get(detail_url(draft_job)), 404)


def test_cached_pagination_links_follow_the_requesting_host(api, make_job, owner):
    for _ in range(2):
        make_job(owner)

    first = api.get(JOBS, {"page_size": 1}, HTTP_HOST="localhost")
    second = api.get(JOBS, {"page_size": 1}, HTTP_HOST="127.0.0.1")

    assert first.json()["next"] == "http://localhost/api/v1/jobs/?page=2&page_size=1"
    assert second.json()["next"] == "http://127.0.0.1/api/v1/jobs/?page=2&page_size=1"


# --- invalidation -----------------------------------------------------------------------------------------------

def test_job_edit_invalidates_search_and_detail(api, as_user, owner, job, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).patch(detail_url(job), {"title": "Desain Logo Kedai Teh"}, format="json")
    assert response.status_code == 200

    search = api.get(JOBS)
    detail = api.get(detail_url(job))

    assert (xcache(search), titles(search)) == ("MISS", ["Desain Logo Kedai Teh"])
    assert (xcache(detail), detail.json()["title"]) == ("MISS", "Desain Logo Kedai Teh")
    assert xcache(api.get(JOBS)) == "HIT"
    assert xcache(api.get(detail_url(job))) == "HIT"


def test_query_for_the_old_title_no_longer_finds_the_edited_job(api, as_user, owner, job,
                                                                django_capture_on_commit_callbacks):
    assert titles(api.get(JOBS, {"q": "kopi"})) == ["Desain Logo Kedai Kopi"]

    with django_capture_on_commit_callbacks(execute=True):
        as_user(owner).patch(detail_url(job), {"title": "Ilustrasi Maskot Harimau",
                                               "description": "Maskot harimau untuk tim futsal kampus."},
                             format="json")

    response = api.get(JOBS, {"q": "kopi"})
    assert (xcache(response), titles(response)) == ("MISS", [])


def test_closing_a_job_removes_it_from_search(api, as_user, owner, job, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(owner).patch(detail_url(job), {"status": "closed"}, format="json")

    search = api.get(JOBS)
    detail = api.get(detail_url(job))

    assert (xcache(search), titles(search)) == ("MISS", [])
    assert (xcache(detail), detail.json()["status"]) == ("MISS", "closed")


def test_cancelling_a_job_removes_it_from_search(api, as_user, owner, job, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert as_user(owner).delete(detail_url(job)).status_code == 204

    search = api.get(JOBS)
    assert (xcache(search), titles(search)) == ("MISS", [])
    assert api.get(detail_url(job)).json()["status"] == "cancelled"


def test_operator_removal_removes_it_from_search_and_detail(api, as_user, operator, job, warm,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert as_user(operator).post(remove_url(job), {"reason": "Iklan palsu"}, format="json").status_code == 200

    search = api.get(JOBS)
    assert (xcache(search), titles(search)) == ("MISS", [])
    assert_problem(api.get(detail_url(job)), 404, "not_found")
    assert_problem(api.get(detail_url(job)), 404, "not_found")


def test_restored_job_comes_back(api, operator, job, django_capture_on_commit_callbacks):
    services.job_remove(job=job, operator=operator, reason="Iklan palsu")
    assert titles(api.get(JOBS)) == []
    assert_problem(api.get(detail_url(job)), 404)

    with django_capture_on_commit_callbacks(execute=True):
        services.job_restore(job=job, operator=operator)

    assert titles(api.get(JOBS)) == ["Desain Logo Kedai Kopi"]
    assert api.get(detail_url(job)).status_code == 200


def test_a_new_job_shows_up_in_cached_search(api, as_user, owner, job, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(JOBS, {"title": "Menu Kedai Teh", "description": "Papan menu untuk kedai teh.",
                                              "category": "graphic-design", "budget_min": 1, "budget_max": 2},
                                       format="json")
    assert response.status_code == 201

    search = api.get(JOBS)
    assert (xcache(search), titles(search)) == ("MISS", ["Menu Kedai Teh", "Desain Logo Kedai Kopi"])


def test_publishing_a_draft_makes_it_visible(api, as_user, owner, draft_job, django_capture_on_commit_callbacks):
    assert titles(api.get(JOBS)) == []
    assert_problem(api.get(detail_url(draft_job)), 404)

    with django_capture_on_commit_callbacks(execute=True):
        as_user(owner).patch(detail_url(draft_job), {"status": "open"}, format="json")

    assert titles(api.get(JOBS)) == ["Draf Desain Kemasan Keripik"]
    assert api.get(detail_url(draft_job)).json()["status"] == "open"


def test_company_rename_invalidates_search_and_detail(api, as_user, owner, company, job, warm,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).patch(f"/api/v1/companies/{company.pk}/", {"name": "PT Kopi Nusantara"},
                                        format="json")
    assert response.status_code == 200

    search = api.get(JOBS)
    detail = api.get(detail_url(job))

    assert (xcache(search), search.json()["results"][0]["company"]["name"]) == ("MISS", "PT Kopi Nusantara")
    assert (xcache(detail), detail.json()["company"]["name"]) == ("MISS", "PT Kopi Nusantara")


def test_skill_rename_invalidates_search_and_detail(api, job, warm, django_capture_on_commit_callbacks):
    skill = Skill.objects.get(slug="figma")
    with django_capture_on_commit_callbacks(execute=True):
        skill.name = "Figma Design"
        skill.save()

    search = api.get(JOBS)
    detail = api.get(detail_url(job))

    assert (xcache(search), search.json()["results"][0]["skills"]) == ("MISS", [{"slug": "figma",
                                                                                 "name": "Figma Design"}])
    assert (xcache(detail), detail.json()["skills"]) == ("MISS", [{"slug": "figma", "name": "Figma Design"}])


def test_category_rename_invalidates_search_and_detail(api, job, warm, django_capture_on_commit_callbacks):
    category = Category.objects.get(slug="logo-brand-identity")
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "Logo & Merek"
        category.save()

    search = api.get(JOBS)
    detail = api.get(detail_url(job))

    assert (xcache(search), search.json()["results"][0]["category"]["name"]) == ("MISS", "Logo & Merek")
    assert (xcache(detail), detail.json()["category"]["name"]) == ("MISS", "Logo & Merek")


def test_a_write_that_fails_leaves_the_cache_valid(api, as_user, owner, job, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(owner).patch(detail_url(job), {"status": "draft"}, format="json")

    assert response.status_code == 409
    assert callbacks == []
    assert xcache(api.get(JOBS)) == "HIT"


def test_verifying_a_company_invalidates_cached_jobs(api, company, job, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        company_set_verified(company=company, verified=True)

    search = api.get(JOBS)
    detail = api.get(detail_url(job))

    assert (xcache(search), search.json()["results"][0]["company"]["verified"]) == ("MISS", True)
    assert (xcache(detail), detail.json()["company"]["verified"]) == ("MISS", True)


def _admin_change_form_data(client, job) -> dict:
    """Every field of the Django admin change form of `job` as it stands, ready to POST back."""
    response = client.get(f"/admin/jobs/job/{job.pk}/change/")
    assert response.status_code == 200
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = [str(item) for item in value] if isinstance(value, list) else (
                "" if value is None else value)
    return data


@pytest.fixture
def admin_web(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_job_content_is_read_only_in_the_admin(admin_web, job, warm, api):
    """Operators moderate by removing; an edit posted to the change form changes nothing (and so nothing cached
    can go stale behind the services' back)."""
    data = _admin_change_form_data(admin_web, job)

    admin_web.post(f"/admin/jobs/job/{job.pk}/change/", {**data, "title": "Judul Diperbaiki Operator"})

    assert Job.objects.get(pk=job.pk).title == job.title
    assert xcache(api.get(detail_url(job))) == "HIT"


# --- private views are never cached -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["owner", "recruiter", "company_admin", "other_company_owner", "operator"])
def test_members_and_operators_always_miss_on_detail(request, as_user, job, role):
    client = as_user(request.getfixturevalue(role))

    assert [xcache(client.get(detail_url(job))) for _ in range(3)] == ["MISS", "MISS", "MISS"]


@pytest.mark.parametrize("role", ["owner", "recruiter", "operator"])
def test_company_search_by_members_and_operators_always_misses(request, as_user, company, job, draft_job, role):
    client = as_user(request.getfixturevalue(role))

    responses = [client.get(JOBS, {"company": str(company.pk)}) for _ in range(2)]

    assert [xcache(response) for response in responses] == ["MISS", "MISS"]
    assert sorted(titles(responses[1])) == ["Desain Logo Kedai Kopi", "Draf Desain Kemasan Keripik"]


def test_a_members_view_is_never_served_to_the_public(api, as_user, owner, operator, company, job, draft_job):
    services.job_remove(job=job, operator=operator, reason="Iklan palsu")
    member = as_user(owner)
    for _ in range(2):
        assert member.get(detail_url(draft_job)).status_code == 200
        assert member.get(detail_url(job)).json()["is_removed"] is True
        assert len(titles(member.get(JOBS, {"company": str(company.pk)}))) == 2
        assert as_user(operator).get(detail_url(job)).status_code == 200

    assert_problem(api.get(detail_url(draft_job)), 404)
    assert_problem(api.get(detail_url(job)), 404)
    response = api.get(JOBS, {"company": str(company.pk)})
    assert (xcache(response), titles(response)) == ("MISS", [])


def test_member_edit_then_public_read_is_fresh(api, as_user, owner, job, django_capture_on_commit_callbacks):
    member = as_user(owner)
    assert xcache(api.get(detail_url(job))) == "MISS"
    assert xcache(member.get(detail_url(job))) == "MISS"

    with django_capture_on_commit_callbacks(execute=True):
        member.patch(detail_url(job), {"budget_max": 8_000_000}, format="json")

    detail = api.get(detail_url(job))
    assert (xcache(detail), detail.json()["budget_max"]) == ("MISS", 8_000_000)


# --- Redis --------------------------------------------------------------------------------------------------------

ENTRY = re.compile(rb":(jobs:search-json:[0-9a-f]{40})$")


def _search_entries(connection) -> set[bytes]:
    return {key for key in connection.keys("*jobs:search*") if ENTRY.search(key)}


def _stored_versions(key: bytes) -> tuple:
    """The versions an entry was computed under (bantu.core.cache_versions.get_or_compute stores them with it)."""
    return cache.get(ENTRY.search(key).group(1).decode())[0]


@pytest.mark.redis
def test_search_entries_live_in_redis_and_are_invalidated(api, as_user, owner, job,
                                                          django_capture_on_commit_callbacks):
    from django_redis import get_redis_connection

    assert type(caches["default"]).__name__ == "RedisCache"
    connection = get_redis_connection("default")

    assert xcache(api.get(JOBS)) == "MISS"
    [entry] = _search_entries(connection)
    assert 0 < connection.ttl(entry) <= 300
    generation, search = _stored_versions(entry)
    assert xcache(api.get(JOBS)) == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        as_user(owner).patch(detail_url(job), {"status": "closed"}, format="json")

    response = api.get(JOBS)
    assert (xcache(response), titles(response)) == ("MISS", [])
    assert _search_entries(connection) == {entry}  # the same key, computed again under the new search version
    assert _stored_versions(entry) == (generation, search + 1)
    assert xcache(api.get(JOBS)) == "HIT"


@pytest.mark.redis
def test_detail_entries_live_in_redis_and_are_invalidated(api, as_user, operator, job,
                                                          django_capture_on_commit_callbacks):
    from django_redis import get_redis_connection

    connection = get_redis_connection("default")
    assert xcache(api.get(detail_url(job))) == "MISS"
    keys = connection.keys(f"*jobs:detail-json:{job.pk}")
    assert len(keys) == 1
    assert 0 < connection.ttl(keys[0]) <= 600

    with django_capture_on_commit_callbacks(execute=True):
        as_user(operator).post(remove_url(job), {"reason": "Iklan palsu"}, format="json")

    assert_problem(api.get(detail_url(job)), 404)
    assert cache_versions.versions(f"jobs:{job.pk}")[f"jobs:{job.pk}"] == 1


@contextlib.contextmanager
def redis_commands():
    """The commands redis-py sends meanwhile, by name: each is one round trip (a script's MGET is inside it)."""
    import redis

    sent = []
    send = redis.Redis.execute_command

    def counted(client, *args, **options):
        sent.append(args[0])
        return send(client, *args, **options)

    with mock.patch.object(redis.Redis, "execute_command", counted):
        yield sent


@pytest.mark.redis
def test_a_cached_search_costs_one_redis_round_trip(api, job):
    """The entry and its versions are read in the search throttle's call (bantu.core.throttling, reads along)."""
    miss = api.get(JOBS, {"q": "kopi"})
    with redis_commands() as sent:
        hit = api.get(JOBS, {"q": "kopi"})

    assert (xcache(miss), xcache(hit), sent) == ("MISS", "HIT", ["EVALSHA"])
    assert hit.content == miss.content


@pytest.mark.redis
def test_a_search_miss_reads_nothing_more_than_the_throttle_did(api, job):
    with redis_commands() as sent:
        miss = api.get(JOBS, {"q": "kopi"})

    assert (xcache(miss), sent) == ("MISS", ["EVALSHA", "SET"])


@pytest.mark.redis
def test_a_default_cache_on_another_redis_is_read_by_the_view(api, job, settings):
    # Another name for the same server (this worker's database): the throttle cannot tell it is the same Redis.
    location = settings.CACHES["default"]["LOCATION"]
    other = location.replace("127.0.0.1", "localhost") if "127.0.0.1" in location else location.replace(
        "localhost", "127.0.0.1")
    assert other != location
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": other}}

    miss = api.get(JOBS, {"q": "kopi"})
    with redis_commands() as sent:
        hit = api.get(JOBS, {"q": "kopi"})

    assert (xcache(miss), xcache(hit), sent) == ("MISS", "HIT", ["EVALSHA", "MGET"])


@pytest.mark.redis
def test_an_entry_read_along_that_cannot_be_decoded_is_a_miss(api, job, caplog):
    from django_redis import get_redis_connection

    assert xcache(api.get(JOBS, {"q": "kopi"})) == "MISS"
    connection = get_redis_connection("default")
    [entry] = _search_entries(connection)
    connection.set(entry, b"\x80not a pickle")

    response = api.get(JOBS, {"q": "kopi"})

    assert (response.status_code, xcache(response), titles(response)) == (200, "MISS", ["Desain Logo Kedai Kopi"])
    assert "could not be decoded" in caplog.text
    assert xcache(api.get(JOBS, {"q": "kopi"})) == "HIT"


# --- Redis down ---------------------------------------------------------------------------------------------------

@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 1,
                    "SOCKET_TIMEOUT": 1},
    }}
    backend = caches["default"]
    assert type(backend).__name__ == "RedisCache"
    assert backend._server == "redis://127.0.0.1:1/0"
    cache.set("probe", 1)
    assert cache.get("probe") is None  # really unreachable, and the errors are swallowed
    return backend


def test_redis_down_still_answers(api, as_user, owner, job, redis_down, django_capture_on_commit_callbacks):
    searches = [api.get(JOBS, {"q": "kopi"}) for _ in range(2)]
    details = [api.get(detail_url(job)) for _ in range(2)]

    assert [xcache(response) for response in searches] == ["MISS", "MISS"]
    assert titles(searches[1]) == ["Desain Logo Kedai Kopi"]
    assert [xcache(response) for response in details] == ["MISS", "MISS"]
    assert details[1].json()["title"] == "Desain Logo Kedai Kopi"

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).patch(detail_url(job), {"title": "Desain Logo Kedai Teh"}, format="json")

    assert response.status_code == 200, response.content
    assert Job.objects.get(pk=job.pk).title == "Desain Logo Kedai Teh"
    assert titles(api.get(JOBS, {"q": "teh"})) == ["Desain Logo Kedai Teh"]
    assert api.get(detail_url(job)).json()["title"] == "Desain Logo Kedai Teh"
