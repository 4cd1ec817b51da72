import datetime

import pytest
from django.utils import timezone

from jobs.models import Job
from tests.factories import JobFactory


@pytest.fixture
def make_job(db):
    """`make_job(posted_by, **fields)`: `JobFactory` (tests/factories.py) for the company `posted_by` belongs to
    (or `company`). `category` and `skills` are slugs; `published_at` overrides the time the job opened (for
    ordering and `posted_since`)."""

    def make(posted_by, *, company=None, **fields):
        if company is None:
            company = posted_by.company_memberships.get().company
        return JobFactory(company=company, posted_by=posted_by, **fields)

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
