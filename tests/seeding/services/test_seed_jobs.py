"""`manage.py seed_jobs`: realistic, valid and reproducible jobs, on SQLite (bulk_create) and PostgreSQL (COPY)."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from companies.models import Company, Membership
from jobs import cache as job_cache
from jobs.models import Job
from seeding.generator import DESCRIPTION_MAX, DESCRIPTION_MIN, companies_generate
from seeding.vocabulary import PROVINCE_CITIES
from taxonomy.models import Skill

pytestmark = pytest.mark.django_db


def seed(count=50, seed=1, **options) -> str:
    out = StringIO()
    call_command("seed_jobs", count=count, seed=seed, stdout=out, **options)
    return out.getvalue()


def test_creates_jobs_companies_and_owners():
    output = seed()

    assert Job.objects.count() == 50
    assert Company.objects.count() == 1  # 50 / 200, at least one
    membership = Membership.objects.get()
    assert membership.role == Membership.Role.OWNER
    assert not membership.user.has_usable_password()
    assert set(Job.objects.values_list("posted_by_id", flat=True)) == {membership.user_id}
    assert "Seeded 50 jobs" in output
    assert "jobs/s" in output
    assert {job_id.version for job_id in Job.objects.values_list("id", flat=True)} == {7}  # time-ordered UUIDv7


def test_companies_option():
    seed(count=30, companies=4)

    assert Company.objects.count() == 4
    assert Membership.objects.filter(role=Membership.Role.OWNER).count() == 4


def test_budgets_are_valid_integer_rupiah():
    seed()

    for job in Job.objects.all():
        assert job.currency == "IDR"
        assert 0 < job.budget_min <= job.budget_max
        if job.job_type == Job.JobType.FIXED:
            assert 500_000 <= job.budget_min <= job.budget_max <= 50_000_000
            assert job.budget_min % 50_000 == 0
            assert job.budget_max % 50_000 == 0
        else:
            assert 50_000 <= job.budget_min <= job.budget_max <= 500_000


def test_skills_come_from_the_taxonomy_and_match_skills_text():
    seed()

    for job in Job.objects.select_related("category").prefetch_related("skills"):
        skills = list(job.skills.all())
        assert 1 <= len(skills) <= 4
        assert job.category.parent_id is not None  # a child category
        category_skills = set(Skill.objects.filter(category=job.category))
        if category_skills:
            assert set(skills) <= category_skills
        assert sorted(job.skills_text.split()) == sorted(word for skill in skills for word in skill.name.split())


def test_publication_follows_the_status():
    seed(count=200)

    statuses = set(Job.objects.values_list("status", flat=True))
    assert Job.Status.OPEN in statuses
    assert Job.objects.filter(status=Job.Status.OPEN).count() > 100  # mostly open
    assert not Job.objects.filter(status=Job.Status.OPEN, published_at__isnull=True).exists()
    assert not Job.objects.filter(status=Job.Status.DRAFT, published_at__isnull=False).exists()
    assert not Job.objects.exclude(status=Job.Status.DRAFT).filter(published_at__isnull=True).exists()


def test_texts_and_places_look_real():
    seed(count=100)

    for job in Job.objects.all():
        assert 5 <= len(job.title) <= 200
        assert DESCRIPTION_MIN <= len(job.description) <= DESCRIPTION_MAX
        assert (job.province == "") == (job.city == "")
        if job.province:
            assert job.city in PROVINCE_CITIES[job.province]
        if job.location_type != Job.LocationType.REMOTE:
            assert job.province


def test_same_seed_same_jobs_other_seed_other_jobs():
    seed(seed=7)
    first = sorted(Job.objects.values_list("title", "description", "budget_min", "budget_max"))
    Job.objects.all().delete()

    seed(seed=7)
    again = sorted(Job.objects.values_list("title", "description", "budget_min", "budget_max"))
    Job.objects.all().delete()

    seed(seed=8)
    other = sorted(Job.objects.values_list("title", "description", "budget_min", "budget_max"))

    assert first == again
    assert first != other


def test_seeded_rows_pass_model_validation():
    seed(count=40, companies=3)

    for model in (User, Company, Membership):
        for row in model.objects.all():
            row.full_clean(exclude=["password"])
    for job in Job.objects.all():
        job.full_clean(exclude=["search_vector"])
    assert all(email == User.objects.normalize_email(email) for email in User.objects.values_list("email", flat=True))


def test_companies_generate_is_deterministic_and_tagged():
    first = companies_generate(random.Random(4), 5, "aaaa")
    again = companies_generate(random.Random(4), 5, "aaaa")
    other = companies_generate(random.Random(5), 5, "aaaa")

    assert first == again
    assert first != other
    assert [company.owner_email for company in first] == [f"seed-aaaa-{index}@example.id" for index in range(5)]
    assert all(company.slug.endswith(f"-aaaa-{index}") for index, company in enumerate(first))


def test_runs_again_without_clashing():
    seed(seed=3)
    seed(seed=3)

    assert Job.objects.count() == 100
    assert Company.objects.count() == 2


def test_invalidates_cached_job_responses_once():
    job_cache.everything_changed()
    job_cache.search_get_or_compute({"q": ["logo"]}, lambda: "before")

    seed(count=5)

    assert job_cache.search_get_or_compute({"q": ["logo"]}, lambda: "after") == ("after", False)


@pytest.mark.parametrize("options", [{"count": 0}, {"count": 5, "batch": 0}, {"count": 5, "companies": 0}])
def test_rejects_bad_arguments(options):
    with pytest.raises(CommandError):
        call_command("seed_jobs", stdout=StringIO(), **options)


@pytest.mark.postgres
def test_postgres_copy_fills_the_search_vector(api):
    seed(count=60, batch=25)  # several COPY batches

    assert Job.objects.count() == 60
    assert not Job.objects.filter(search_vector__isnull=True).exists()
    job = Job.objects.filter(status=Job.Status.OPEN, removed_at__isnull=True).first()
    response = api.get("/api/v1/jobs/", {"q": job.title, "page_size": 100})
    assert response.status_code == 200
    assert str(job.id) in [row["id"] for row in response.json()["results"]]

