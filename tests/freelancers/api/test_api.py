import uuid
from datetime import datetime

import pytest

from freelancers.models import FreelancerProfile
from taxonomy.data import SKILLS
from taxonomy.models import Skill
from tests.factories import FreelancerProfileFactory, UserFactory
from tests.problems import assert_problem

ME_PROFILE_URL = "/api/v1/me/freelancer-profile/"
ME_URL = "/api/v1/me/"
LIST_URL = "/api/v1/freelancers/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found", 409: "Conflict"}


def detail_url(profile) -> str:
    return f"{LIST_URL}{profile.pk}/"


def profile_with(*, skills=(), **fields) -> FreelancerProfile:
    user_fields = {key: fields.pop(key) for key in ("full_name", "is_active") if key in fields}
    profile = FreelancerProfileFactory(user=UserFactory(**user_fields), **fields)
    profile.skills.set(Skill.objects.filter(slug__in=skills))
    return profile


def headlines(response) -> list[str]:
    return sorted(row["headline"] for row in response.json()["results"])


def skill_slugs(profile) -> list[str]:
    return sorted(profile.skills.values_list("slug", flat=True))


# --- POST me/freelancer-profile/ -----------------------------------------------------------------------------


def test_company_owner_becomes_a_freelancer(as_user, owner):
    payload = {"headline": "Desainer UI", "bio": "Lima tahun di agensi.", "skills": ["figma", "react"],
               "hourly_rate": 200_000, "city": "Yogyakarta", "province": "DI Yogyakarta",
               "portfolio_links": ["https://dribbble.com/dewi"], "availability": "limited"}

    response = as_user(owner).post(ME_PROFILE_URL, payload, format="json")

    assert response.status_code == 201
    profile = FreelancerProfile.objects.get(user=owner)
    body = response.json()
    assert body == {
        **payload, "id": str(profile.pk), "user": {"id": str(owner.pk), "full_name": owner.full_name},
        "skills": [{"slug": "figma", "name": "Figma"}, {"slug": "react", "name": "React"}],
        "currency": "IDR", "rating_average": "0.00", "rating_count": 0, "created_at": body["created_at"],
    }
    assert datetime.fromisoformat(body["created_at"]) == profile.created_at
    assert skill_slugs(profile) == ["figma", "react"]


def test_new_freelancer_role_shows_in_me_next_to_company(as_user, owner):
    client = as_user(owner)
    profile_id = client.post(ME_PROFILE_URL, {}, format="json").json()["id"]

    me = client.get(ME_URL).json()

    assert sorted(me["roles"]) == ["company", "freelancer"]
    assert me["freelancer_profile"] == profile_id


def test_becoming_a_freelancer_twice_is_a_conflict(as_user, freelancer):
    profile = FreelancerProfile.objects.get(user=freelancer)

    response = as_user(freelancer).post(ME_PROFILE_URL, {"headline": "Lain"}, format="json")

    assert_problem(response, 409, "already_freelancer")
    assert FreelancerProfile.objects.filter(user=freelancer).count() == 1
    profile.refresh_from_db()
    assert profile.headline == "Desainer Grafis"


def test_becoming_a_freelancer_requires_authentication(api, db):
    response = api.post(ME_PROFILE_URL, {}, format="json")

    assert_problem(response, 401, "not_authenticated")
    assert FreelancerProfile.objects.count() == 0


def test_becoming_a_freelancer_with_bad_input_stores_nothing(as_user, user):
    response = as_user(user).post(ME_PROFILE_URL, {"headline": "Desainer", "hourly_rate": -1}, format="json")

    assert_problem(response, 400, "validation_error",
                   {"hourly_rate": ["Ensure this value is greater than or equal to 0."]})
    assert not FreelancerProfile.objects.filter(user=user).exists()


# --- GET/PATCH me/freelancer-profile/ ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch"])
def test_own_profile_is_refused_to_users_without_one(as_user, owner, method):
    response = getattr(as_user(owner), method)(ME_PROFILE_URL, {"headline": "X"}, format="json")

    assert_problem(response, 403, "permission_denied")
    assert not FreelancerProfile.objects.filter(user=owner).exists()


@pytest.mark.parametrize("method", ["get", "patch"])
def test_own_profile_requires_authentication(api, db, method):
    response = getattr(api, method)(ME_PROFILE_URL, {"headline": "X"}, format="json")

    assert_problem(response, 401, "not_authenticated")


def test_freelancer_reads_own_profile(as_user, freelancer):
    profile = FreelancerProfile.objects.get(user=freelancer)

    response = as_user(freelancer).get(ME_PROFILE_URL)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(profile.pk), "user": {"id": str(freelancer.pk), "full_name": freelancer.full_name},
        "headline": "Desainer Grafis", "bio": "", "skills": [], "hourly_rate": 150_000, "currency": "IDR",
        "city": "Bandung", "province": "Jawa Barat", "portfolio_links": [], "availability": "available",
        "rating_average": "0.00", "rating_count": 0, "created_at": body["created_at"],
    }


def test_freelancer_updates_own_profile(as_user, freelancer):
    payload = {"headline": "Ilustrator", "hourly_rate": 250_000, "availability": "unavailable",
               "portfolio_links": ["https://behance.net/a", "https://dribbble.com/a"]}

    response = as_user(freelancer).patch(ME_PROFILE_URL, payload, format="json")

    assert response.status_code == 200
    assert {key: response.json()[key] for key in payload} == payload
    profile = FreelancerProfile.objects.get(user=freelancer)
    assert (profile.headline, profile.hourly_rate, profile.availability, profile.portfolio_links) == (
        "Ilustrator", 250_000, "unavailable", ["https://behance.net/a", "https://dribbble.com/a"])
    assert profile.city == "Bandung"


def test_freelancer_sets_skills_by_slug(as_user, freelancer):
    response = as_user(freelancer).patch(ME_PROFILE_URL, {"skills": ["react", "figma", "django", "figma"]},
                                         format="json")

    assert response.status_code == 200
    assert response.json()["skills"] == [{"slug": "django", "name": "Django"}, {"slug": "figma", "name": "Figma"},
                                         {"slug": "react", "name": "React"}]
    assert skill_slugs(FreelancerProfile.objects.get(user=freelancer)) == ["django", "figma", "react"]


def test_freelancer_replaces_and_clears_skills(as_user, freelancer):
    profile = FreelancerProfile.objects.get(user=freelancer)
    profile.skills.set(Skill.objects.filter(slug__in=["figma", "react"]))
    client = as_user(freelancer)

    replaced = client.patch(ME_PROFILE_URL, {"skills": ["django"]}, format="json")
    cleared = client.patch(ME_PROFILE_URL, {"skills": []}, format="json")

    assert replaced.json()["skills"] == [{"slug": "django", "name": "Django"}]
    assert cleared.json()["skills"] == []
    assert skill_slugs(profile) == []


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"skills": ["figma", "no-such-skill"]}, {"skills": ["Object with slug=no-such-skill does not exist."]}),
        ({"skills": "figma"}, {"skills": ['Expected a list of items but got type "str".']}),
        ({"skills": [slug for slug, _name, _category in SKILLS[:31]]}, {"skills": ["At most 30 skills."]}),
        ({"hourly_rate": -1}, {"hourly_rate": ["Ensure this value is greater than or equal to 0."]}),
        ({"hourly_rate": 100_000_001}, {"hourly_rate": ["Ensure this value is less than or equal to 100000000."]}),
        ({"hourly_rate": "abc"}, {"hourly_rate": ["A valid integer is required."]}),
        ({"hourly_rate": 1.5}, {"hourly_rate": ["A valid integer is required."]}),
        ({"portfolio_links": [f"https://example.id/{n}" for n in range(11)]},
         {"portfolio_links": ["Ensure this field has no more than 10 elements."]}),
        ({"portfolio_links": ["https://example.id/ok", "not a url"]},
         {"portfolio_links.1": ["Enter a valid URL."]}),
        ({"province": "Atlantis"}, {"province": ['"Atlantis" is not a valid choice.']}),
        ({"availability": "sometimes"}, {"availability": ['"sometimes" is not a valid choice.']}),
        ({"headline": 42}, {"headline": ["Must be a string."]}),
        ({"headline": "H" * 151}, {"headline": ["Ensure this field has no more than 150 characters."]}),
        ({"rating_average": "5.00"}, {"rating_average": ["Unknown field."]}),
        (["figma"], {"non_field_errors": ["Expected a JSON object."]}),
    ],
)
def test_update_own_profile_rejects_bad_input_and_stores_nothing(as_user, freelancer, payload, errors):
    profile = FreelancerProfile.objects.get(user=freelancer)
    profile.skills.set(Skill.objects.filter(slug="figma"))
    if isinstance(payload, dict):
        payload = {"headline": "Tidak disimpan", "city": "Medan", **payload}

    response = as_user(freelancer).patch(ME_PROFILE_URL, payload, format="json")

    assert_problem(response, 400, "validation_error", errors)
    profile.refresh_from_db()
    assert (profile.headline, profile.city, profile.hourly_rate, profile.province, profile.portfolio_links) == (
        "Desainer Grafis", "Bandung", 150_000, "Jawa Barat", [])
    assert skill_slugs(profile) == ["figma"]


def test_update_own_profile_accepts_ten_portfolio_links_and_the_maximum_rate(as_user, freelancer):
    links = [f"https://example.id/{n}" for n in range(10)]

    response = as_user(freelancer).patch(ME_PROFILE_URL, {"portfolio_links": links, "hourly_rate": 100_000_000},
                                         format="json")

    assert response.status_code == 200
    profile = FreelancerProfile.objects.get(user=freelancer)
    assert (profile.portfolio_links, profile.hourly_rate) == (links, 100_000_000)


# --- GET freelancers/ ----------------------------------------------------------------------------------------


@pytest.fixture
def directory(db):
    """Three public profiles and one of a suspended user."""
    return {
        "sari": profile_with(full_name="Sari Wulandari", headline="Desainer UI", skills=["figma"], city="Bandung",
                             province="Jawa Barat", hourly_rate=150_000, availability="available"),
        "budi": profile_with(full_name="Budi Santoso", headline="Backend Django", skills=["django", "react"],
                             city="Surabaya", province="Jawa Timur", hourly_rate=300_000, availability="limited"),
        "citra": profile_with(full_name="Citra Lestari", headline="Penerjemah", city="Denpasar", province="Bali",
                              hourly_rate=80_000, availability="unavailable"),
        "suspended": profile_with(full_name="Dodi Tersuspen", headline="Akun ditangguhkan", skills=["django"],
                                  city="Bandung", province="Jawa Barat", hourly_rate=150_000, is_active=False),
    }


def test_freelancer_list_is_public_and_hides_suspended_users(api, directory):
    response = api.get(LIST_URL)

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert headlines(response) == ["Backend Django", "Desainer UI", "Penerjemah"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"skills": "figma"}, ["Desainer UI"]),
        ({"skills": "django,react"}, ["Backend Django"]),
        ({"skills": "figma,django"}, ["Backend Django", "Desainer UI"]),
        ({"skills": "figma, react ,"}, ["Backend Django", "Desainer UI"]),
        ({"skills": "no-such-skill"}, []),
        ({"city": "BANDUNG"}, ["Desainer UI"]),
        ({"province": "Jawa Timur"}, ["Backend Django"]),
        ({"min_rate": 100_000}, ["Backend Django", "Desainer UI"]),
        ({"max_rate": 100_000}, ["Penerjemah"]),
        ({"min_rate": 150_000, "max_rate": 150_000}, ["Desainer UI"]),
        ({"availability": "limited"}, ["Backend Django"]),
        ({"q": "wulan"}, ["Desainer UI"]),
        ({"q": "django"}, ["Backend Django"]),
        ({"q": "tersuspen"}, []),
        ({"skills": "django", "city": "bandung"}, []),
    ],
)
def test_freelancer_list_filters(api, directory, params, expected):
    response = api.get(LIST_URL, params)

    assert response.status_code == 200
    assert headlines(response) == expected
    assert response.json()["count"] == len(expected)


def test_freelancer_list_lists_a_profile_with_two_matching_skills_once(api, directory):
    response = api.get(LIST_URL, {"skills": "django,react"})

    assert [row["id"] for row in response.json()["results"]] == [str(directory["budi"].pk)]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"min_rate": "abc"}, {"min_rate": ["Enter a number."]}),
        ({"min_rate": -1}, {"min_rate": ["Ensure this value is greater than or equal to 0."]}),
        ({"max_rate": 100_000_001}, {"max_rate": ["Ensure this value is less than or equal to 100000000."]}),
        ({"province": "Atlantis"},
         {"province": ["Select a valid choice. Atlantis is not one of the available choices."]}),
        ({"availability": "sometimes"},
         {"availability": ["Select a valid choice. sometimes is not one of the available choices."]}),
    ],
)
def test_freelancer_list_rejects_invalid_filters(api, directory, params, errors):
    response = api.get(LIST_URL, params)

    assert_problem(response, 400, "validation_error", errors)


@pytest.mark.parametrize("rows", [3, 30])
def test_freelancer_list_query_count_is_constant(api, db, django_assert_num_queries, rows):
    for _ in range(rows):
        profile_with(skills=["figma", "django", "react"])

    with django_assert_num_queries(3):
        response = api.get(LIST_URL, {"page_size": 30})

    assert len(response.json()["results"]) == rows
    assert all(len(row["skills"]) == 3 for row in response.json()["results"])


@pytest.mark.parametrize("rows", [3, 30])
def test_freelancer_list_query_count_is_constant_with_a_skill_filter(api, db, django_assert_num_queries, rows):
    for _ in range(rows):
        profile_with(skills=["figma", "django", "react"])

    with django_assert_num_queries(3):
        response = api.get(LIST_URL, {"page_size": 30, "skills": "figma,react"})

    assert response.json()["count"] == rows


# --- GET freelancers/{id}/ -----------------------------------------------------------------------------------


def test_freelancer_detail_is_public(api, directory):
    profile = directory["budi"]

    response = api.get(detail_url(profile))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(profile.pk), "user": {"id": str(profile.user.pk), "full_name": "Budi Santoso"},
        "headline": "Backend Django", "bio": "",
        "skills": [{"slug": "django", "name": "Django"}, {"slug": "react", "name": "React"}],
        "hourly_rate": 300_000, "currency": "IDR", "city": "Surabaya", "province": "Jawa Timur",
        "portfolio_links": [], "availability": "limited", "rating_average": "0.00", "rating_count": 0,
        "created_at": body["created_at"],
    }
    assert datetime.fromisoformat(body["created_at"]) == profile.created_at


def test_freelancer_detail_of_a_suspended_user_is_404(api, directory):
    response = api.get(detail_url(directory["suspended"]))

    assert_problem(response, 404, "not_found")


def test_freelancer_detail_of_an_unknown_id_is_404(api, db):
    response = api.get(f"{LIST_URL}{uuid.uuid4()}/")

    assert_problem(response, 404, "not_found")
