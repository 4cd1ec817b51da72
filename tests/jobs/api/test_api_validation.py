"""Bad input is a 400 problem with `errors[field]` and stores nothing (PRODUCT.md §3)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from bantu.core import indonesia
from jobs.api.serializers import DEADLINE_HORIZON_DAYS
from jobs.models import MAX_BUDGET, Job, JobStatusChange
from taxonomy.models import Category, Skill
from tests.problems import assert_problem

from ..helpers import JOBS, detail_url, job_body

pytestmark = pytest.mark.django_db

YESTERDAY = object()  # resolved when the test runs (the local date is Asia/Jakarta's)
PAST_THE_HORIZON = object()
TWENTY_ONE_SKILLS = object()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"budget_min": -1}, "budget_min", "Ensure this value is greater than or equal to 0."),
    ({"budget_max": -5}, "budget_max", "Ensure this value is greater than or equal to 0."),
    ({"budget_min": 6_000_000, "budget_max": 5_000_000}, "budget_max", "Must be greater than or equal to budget_min."),
    ({"budget_max": MAX_BUDGET + 1}, "budget_max", "Ensure this value is less than or equal to 10000000000."),
    ({"budget_min": "abc"}, "budget_min", "A valid integer is required."),
    ({"budget_min": 1.5}, "budget_min", "A valid integer is required."),
    ({"budget_max": None}, "budget_max", "This field may not be null."),
    ({"category": "no-such-category"}, "category", "Object with slug=no-such-category does not exist."),
    ({"category": None}, "category", "This field may not be null."),
    ({"skills": ["figma", "no-such-skill"]}, "skills", "Object with slug=no-such-skill does not exist."),
    ({"skills": "figma"}, "skills", 'Expected a list of items but got type "str".'),
    ({"skills": TWENTY_ONE_SKILLS}, "skills", "At most 20 skills."),
    ({"title": "Logo"}, "title", "Ensure this field has at least 5 characters."),
    ({"title": "x" * 201}, "title", "Ensure this field has no more than 200 characters."),
    ({"title": 12345}, "title", "Must be a string."),
    ({"description": "Terlalu pendek"}, "description", "Ensure this field has at least 20 characters."),
    ({"description": ["Membuat logo kedai kopi di Bandung"]}, "description", "Must be a string."),
    ({"job_type": "daily"}, "job_type", '"daily" is not a valid choice.'),
    ({"location_type": "mars"}, "location_type", '"mars" is not a valid choice.'),
    ({"experience_level": "guru"}, "experience_level", '"guru" is not a valid choice.'),
    ({"province": "Narnia"}, "province", '"Narnia" is not a valid choice.'),
    ({"deadline": YESTERDAY}, "deadline", "The deadline is in the past."),
    ({"deadline": PAST_THE_HORIZON}, "deadline", "The deadline is more than three years away."),
    ({"deadline": "2020-02-30"}, "deadline",
     "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ({"salary": 1_000_000}, "salary", "Unknown field."),
    ({"company": "not-a-uuid"}, "company", "Must be a valid UUID."),
])
def test_bad_job_input_is_400_and_stores_nothing(as_user, owner, overrides, field, message):
    if overrides.get("deadline") is YESTERDAY:
        overrides = {"deadline": (indonesia.today() - datetime.timedelta(days=1)).isoformat()}
    if overrides.get("deadline") is PAST_THE_HORIZON:
        overrides = {"deadline": (indonesia.today() + datetime.timedelta(days=DEADLINE_HORIZON_DAYS + 1)).isoformat()}
    if overrides.get("skills") is TWENTY_ONE_SKILLS:
        overrides = {"skills": list(Skill.objects.order_by("slug").values_list("slug", flat=True)[:21])}
        assert len(overrides["skills"]) == 21

    response = as_user(owner).post(JOBS, job_body(**overrides), format="json")

    body = assert_problem(response, 400, "validation_error")
    assert body["errors"] == {field: [message]}
    assert Job.objects.count() == 0
    assert JobStatusChange.objects.count() == 0


@pytest.mark.parametrize("overrides", [{"location_type": "onsite"}, {"location_type": "hybrid", "province": ""}])
def test_onsite_and_hybrid_jobs_need_a_province(as_user, owner, overrides):
    response = as_user(owner).post(JOBS, job_body(**overrides), format="json")

    body = assert_problem(response, 400, "province_required")
    assert body["errors"] == {"province": ["Required for onsite and hybrid jobs."]}
    assert Job.objects.count() == 0


@pytest.mark.parametrize("missing", ["title", "description", "category", "budget_min", "budget_max"])
def test_required_fields(as_user, owner, missing):
    body = job_body()
    del body[missing]

    response = as_user(owner).post(JOBS, body, format="json")

    assert assert_problem(response, 400, "validation_error")["errors"] == {missing: ["This field is required."]}
    assert Job.objects.count() == 0


def test_several_bad_fields_are_reported_together(as_user, owner):
    response = as_user(owner).post(JOBS, job_body(title=7, salary=1, budget_min=-1, job_type="daily"),
                                   format="json")

    # Type and unknown-field checks answer first, on their own.
    assert assert_problem(response, 400)["errors"] == {"salary": ["Unknown field."], "title": ["Must be a string."]}


def test_twenty_skills_are_allowed(as_user, owner):
    slugs = list(Skill.objects.order_by("slug").values_list("slug", flat=True)[:20])

    response = as_user(owner).post(JOBS, job_body(skills=slugs), format="json")

    assert response.status_code == 201, response.content
    assert len(response.json()["skills"]) == 20


def test_deadlines_from_today_to_the_horizon_are_accepted(as_user, owner):
    today = indonesia.today()
    for deadline in (today, today + datetime.timedelta(days=DEADLINE_HORIZON_DAYS)):
        response = as_user(owner).post(JOBS, job_body(deadline=deadline.isoformat()), format="json")

        assert response.status_code == 201, response.content
        assert response.json()["deadline"] == deadline.isoformat()


def test_boundary_budgets_are_accepted(as_user, owner):
    response = as_user(owner).post(JOBS, job_body(budget_min=0, budget_max=MAX_BUDGET), format="json")

    assert response.status_code == 201, response.content
    assert Job.objects.values_list("budget_min", "budget_max").get() == (0, MAX_BUDGET)


def test_onsite_job_with_province_is_accepted(as_user, owner):
    response = as_user(owner).post(JOBS, job_body(location_type="onsite", province="Jawa Barat", city="Bandung"),
                                   format="json")

    assert response.status_code == 201, response.content
    assert Job.objects.values_list("location_type", "province", "city").get() == ("onsite", "Jawa Barat", "Bandung")


@pytest.mark.parametrize("body", [[job_body()], "just a string", 42, True])
def test_non_object_json_body_is_400(as_user, owner, body):
    response = as_user(owner).post(JOBS, body, format="json")

    assert assert_problem(response, 400, "validation_error")["errors"] == {
        "non_field_errors": ["Expected a JSON object."]}
    assert Job.objects.count() == 0


def test_malformed_json_is_400(as_user, owner):
    response = as_user(owner).post(JOBS, '{"title": ', content_type="application/json")

    assert_problem(response, 400, "parse_error")
    assert Job.objects.count() == 0


# --- PATCH ---------------------------------------------------------------------------------------------------

def _state(job):
    return Job.objects.filter(pk=job.pk).values("title", "budget_min", "budget_max", "location_type", "province",
                                                "company_id", "updated_at").get()


@pytest.mark.parametrize("data", [{"budget_min": 6_000_000}, {"budget_max": 999_999}])
def test_patch_breaking_the_budget_range_is_400_budget_range(as_user, owner, open_job, data):
    before = _state(open_job)

    response = as_user(owner).patch(detail_url(open_job), {**data, "title": "Judul yang Tidak Tersimpan"},
                                    format="json")

    body = assert_problem(response, 400, "budget_range")
    assert body["errors"] == {"budget_max": ["Must be greater than or equal to budget_min."]}
    assert _state(open_job) == before


def test_patch_moving_both_budget_bounds_is_checked_together(as_user, owner, open_job):
    response = as_user(owner).patch(detail_url(open_job), {"budget_min": 6_000_000, "budget_max": 8_000_000},
                                    format="json")

    assert response.status_code == 200, response.content
    assert Job.objects.values_list("budget_min", "budget_max").get(pk=open_job.pk) == (6_000_000, 8_000_000)


def test_patch_cannot_move_a_job_to_another_company(as_user, owner, open_job, other_company_owner):
    other = other_company_owner.company_memberships.get().company_id
    before = _state(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"company": str(other)}, format="json")

    body = assert_problem(response, 400, "validation_error")
    assert body["errors"] == {"company": ["A job cannot move to another company."]}
    assert _state(open_job) == before


@pytest.mark.parametrize(("data", "field"), [({"title": "abc"}, "title"), ({"budget_max": -1}, "budget_max"),
                                             ({"category": "nope"}, "category"), ({"posted_by": "x"}, "posted_by"),
                                             ({"status": "archived"}, "status"), ({"title": None}, "title")])
def test_patch_with_bad_values_is_400_and_changes_nothing(as_user, owner, open_job, data, field):
    before = _state(open_job)

    response = as_user(owner).patch(detail_url(open_job), data, format="json")

    assert list(assert_problem(response, 400, "validation_error")["errors"]) == [field]
    assert _state(open_job) == before


@pytest.mark.parametrize("data", [{"location_type": "onsite"}, {"location_type": "hybrid", "province": ""}])
def test_patch_cannot_leave_an_onsite_job_without_province(as_user, owner, open_job, data):
    before = _state(open_job)

    response = as_user(owner).patch(detail_url(open_job), data, format="json")

    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["province"]
    assert _state(open_job) == before


def test_patch_emptying_the_province_of_an_onsite_job_is_400(as_user, owner, open_job):
    """The rule holds for the job as the edit would leave it: an edit that names no location type keeps the
    job's own (found by `make fuzz` with a larger budget)."""
    Job.objects.filter(pk=open_job.pk).update(location_type="hybrid", province="Bali")
    before = _state(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"province": "", "city": "Denpasar"}, format="json")

    body = assert_problem(response, 400, "province_required")
    assert body["errors"] == {"province": ["Required for onsite and hybrid jobs."]}
    assert _state(open_job) == before


def test_patch_onsite_with_province_is_accepted(as_user, owner, open_job):
    response = as_user(owner).patch(detail_url(open_job), {"location_type": "onsite", "province": "Bali"},
                                    format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["location_type"], response.json()["province"]) == ("onsite", "Bali")


# --- database constraints --------------------------------------------------------------------------------------

def _orm_job(company, **fields):
    return Job(company=company, title="Desain Logo Kedai", description="Deskripsi yang cukup panjang untuk job.",
               category=Category.objects.get(slug="logo-brand-identity"), **fields)


def test_database_refuses_budget_min_above_budget_max(company):
    with pytest.raises(IntegrityError), transaction.atomic():
        _orm_job(company, budget_min=2_000_000, budget_max=1_000_000).save()

    assert Job.objects.count() == 0


def test_database_refuses_budget_above_the_maximum(company):
    with pytest.raises(IntegrityError), transaction.atomic():
        _orm_job(company, budget_min=0, budget_max=MAX_BUDGET + 1).save()

    assert Job.objects.count() == 0


def test_database_refuses_an_update_breaking_the_budget_range(company):
    job = _orm_job(company, budget_min=1_000_000, budget_max=2_000_000)
    job.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(budget_min=3_000_000)

    assert Job.objects.values_list("budget_min", flat=True).get() == 1_000_000


# --- search parameters -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "field", "message"), [
    ({"budget_min": "-1"}, "budget_min", "Ensure this value is greater than or equal to 0."),
    ({"budget_max": str(MAX_BUDGET + 1)}, "budget_max", "Ensure this value is less than or equal to 10000000000."),
    ({"budget_min": "abc"}, "budget_min", "Enter a number."),
    ({"budget_min": "5000000", "budget_max": "1000000"}, "budget_max", "Must be greater than or equal to budget_min."),
    ({"category": "unknown"}, "category", "Unknown category."),
    ({"skills": "figma,unknown-skill"}, "skills", "Unknown skills: unknown-skill."),
    ({"skills": ",".join(f"s{n}" for n in range(21))}, "skills", "At most 20 skills."),
    ({"job_type": "xx"}, "job_type", "Select a valid choice. xx is not one of the available choices."),
    ({"location_type": "mars"}, "location_type", "Select a valid choice. mars is not one of the available choices."),
    ({"experience_level": "guru"}, "experience_level",
     "Select a valid choice. guru is not one of the available choices."),
    ({"province": "Narnia"}, "province", "Select a valid choice. Narnia is not one of the available choices."),
    ({"posted_since": "not-a-date"}, "posted_since", "Enter a valid date/time."),
    ({"ordering": "bogus"}, "ordering", "Select a valid choice. bogus is not one of the available choices."),
    ({"status": "bogus"}, "status", "Select a valid choice. bogus is not one of the available choices."),
    ({"company": "not-a-uuid"}, "company", "Enter a valid UUID."),
    ({"q": "a" * 10_000}, "q", "Ensure this value has at most 200 characters (it has 10000)."),
    ({"q": "kopi\x00"}, "q", "Null characters are not allowed."),
    ({"city": "x" * 101}, "city", "Ensure this value has at most 100 characters (it has 101)."),
])
def test_bad_search_parameters_are_400(api, open_job, params, field, message):
    response = api.get(JOBS, params)

    body = assert_problem(response, 400, "validation_error")
    assert body["errors"] == {field: [message]}


def test_unknown_search_parameters_are_ignored(api, open_job):
    response = api.get(JOBS, {"colour": "blue"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.fixture
def search_corpus(make_job, owner):
    make_job(owner, title="Desain Logo Kedai Kopi", description="Logo sederhana untuk kedai kopi di Bandung.")
    make_job(owner, title="Perbaikan NULL pointer di aplikasi kasir",
             description="Aplikasi kasir kami berhenti saat mencetak struk.", category="backend-development")


@pytest.mark.parametrize(("q", "expected"), [
    ("'; DROP TABLE jobs_job; --", []),
    ("%' OR 1=1 --", []),
    ("<script>alert(1)</script>", []),
    ("\\\\", []),
    ("%", []),
    ("_", []),
    ("&|!():*", []),
    ("NULL", ["Perbaikan NULL pointer di aplikasi kasir"]),
    ("kopi'; DELETE FROM jobs_job WHERE 'a'='a", []),
])
def test_injection_looking_queries_are_plain_text(api, search_corpus, q, expected):
    response = api.get(JOBS, {"q": q})

    assert response.status_code == 200, response.content
    assert [job["title"] for job in response.json()["results"]] == expected
    assert response.json()["count"] == len(expected)
    assert Job.objects.count() == 2
