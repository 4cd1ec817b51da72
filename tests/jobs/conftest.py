import datetime

import pytest
from django.utils import timezone

from jobs import services
from jobs.models import Job
from taxonomy.models import Category, Skill

DEFAULTS = {
    "title": "Desain Logo untuk Kedai Kopi",
    "description": "Kami mencari desainer untuk membuat logo kedai kopi di Bandung.",
    "job_type": Job.JobType.FIXED,
    "budget_min": 1_000_000,
    "budget_max": 5_000_000,
    "location_type": Job.LocationType.REMOTE,
    "experience_level": Job.ExperienceLevel.INTERMEDIATE,
}


@pytest.fixture
def make_job(db):
    """`make_job(posted_by, **fields)`: a job posted through `jobs.services.job_create` (which maintains
    skills_text and the audit trail). `category` and `skills` are slugs; `published_at` overrides the time the
    job opened (for ordering and `posted_since`)."""

    def make(posted_by, *, company=None, status=Job.Status.OPEN, category="logo-brand-identity", skills=(),
             published_at=None, **fields):
        if company is None:
            company = posted_by.company_memberships.get().company
        job = services.job_create(
            company=company, posted_by=posted_by, status=status,
            category=Category.objects.get(slug=category), skills=[Skill.objects.get(slug=slug) for slug in skills],
            **{**DEFAULTS, **fields},
        )
        if published_at is not None:
            Job.objects.filter(pk=job.pk).update(published_at=published_at)
            job.refresh_from_db()
        return job

    return make


@pytest.fixture
def committed_job(make_job, django_capture_on_commit_callbacks):
    """`make_job` whose on-commit work (cache versions, the vocabulary) runs, as after a real commit."""

    def make(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return make_job(*args, **kwargs)

    return make


@pytest.fixture
def open_job(make_job, owner):
    return make_job(owner)


@pytest.fixture
def draft_job(make_job, owner):
    return make_job(owner, status=Job.Status.DRAFT, title="Draf Desain Kemasan Keripik")


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
