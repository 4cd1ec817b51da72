"""JobListSerializer's direct representation is DRF's generic one (the schema's), for jobs of every kind."""

import datetime

import pytest
from rest_framework import serializers

from jobs.api.serializers import JobDetailSerializer, JobListSerializer
from jobs.models import Job
from jobs.search import SearchParams, job_search
from taxonomy.models import Category
from tests.factories import CompanyFactory, JobFactory


def _generic(serializer, job) -> dict:
    return serializers.ModelSerializer.to_representation(serializer, job)


@pytest.fixture
def jobs_of_every_kind(db):
    parentless = Category.objects.filter(parent__isnull=True).first()
    verified = CompanyFactory(name="PT Kopi Nusantara ☕", verified=True)
    return [
        JobFactory(),
        JobFactory(status="draft"),
        JobFactory(company=verified, skills=("logo-design", "adobe-illustrator"), city="Bandung",
                   province="Jawa Barat", deadline=datetime.date.today() + datetime.timedelta(days=30),
                   description="Panjang " * 80, job_type="hourly", experience_level="expert",
                   location_type="onsite", published_at=datetime.datetime(2026, 11, 2, 3, 4, 5, 678901,
                                                                          tzinfo=datetime.UTC)),
        JobFactory(category=parentless.slug, title="Penerjemah dokumen legal — 日本語 ok", budget_min=0,
                   budget_max=0),
    ]


def test_a_page_of_search_results_is_represented_as_drf_would(jobs_of_every_kind, django_assert_num_queries):
    company_ids = {job.company_id for job in jobs_of_every_kind}
    rows = []
    for company_id in company_ids:
        search = job_search(user=None, params=SearchParams(company_id=company_id, status=None))
        search.count  # noqa: B018
        rows += search.page(0, 20)
    assert len(rows) == 3  # the draft is not public

    with django_assert_num_queries(0):
        fast = JobListSerializer(rows, many=True).data
    generic = [_generic(JobListSerializer(), job) for job in rows]

    assert fast == generic
    assert [list(row) for row in fast] == [JobListSerializer.Meta.fields] * len(rows)


def test_every_kind_of_job_is_represented_as_drf_would(jobs_of_every_kind):
    for job in Job.objects.filter(pk__in=[job.pk for job in jobs_of_every_kind]):
        assert JobListSerializer(job).data == _generic(JobListSerializer(), job)
    assert any(job.published_at is None for job in jobs_of_every_kind)
    assert any(job.category.parent_id is None for job in jobs_of_every_kind)


def test_the_detail_has_every_list_field_and_its_own(jobs_of_every_kind):
    job = jobs_of_every_kind[2]
    detail = JobDetailSerializer(job).data

    assert list(detail) == JobDetailSerializer.Meta.fields
    assert {name: detail[name] for name in JobListSerializer.Meta.fields} == JobListSerializer(job).data
