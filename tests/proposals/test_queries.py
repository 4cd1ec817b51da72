"""No list endpoint's query count grows with the data (PRODUCT.md §5): the same bound for 3 and 30 rows."""

import pytest

from proposals import services
from tests.factories import FreelancerProfileFactory

from .helpers import CONTRACTS, PROPOSALS, job_proposals_url, make_job, submit

pytestmark = pytest.mark.django_db

SIZES = [3, 30]


def get_page(client, url, rows):
    response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows
    return response


@pytest.mark.parametrize("rows", SIZES)
def test_my_proposals_as_freelancer(as_user, company, owner, freelancer, rows, django_assert_max_num_queries):
    for n in range(rows):
        submit(make_job(company, owner, title=f"Logo {n}"), freelancer)
    client = as_user(freelancer)

    with django_assert_max_num_queries(4):
        get_page(client, PROPOSALS, rows)


@pytest.mark.parametrize("rows", SIZES)
def test_my_proposals_as_company_member(as_user, company, owner, recruiter, rows, django_assert_max_num_queries):
    for n in range(rows):
        submit(make_job(company, owner, title=f"Logo {n}"), FreelancerProfileFactory().user)
    client = as_user(recruiter)

    with django_assert_max_num_queries(4):
        get_page(client, PROPOSALS, rows)


@pytest.mark.parametrize("rows", SIZES)
def test_job_proposals(as_user, company, owner, recruiter, rows, django_assert_max_num_queries):
    job = make_job(company, owner)
    for _ in range(rows):
        submit(job, FreelancerProfileFactory().user)
    client = as_user(recruiter)

    with django_assert_max_num_queries(6):
        get_page(client, job_proposals_url(job), rows)


def _contracts(company, owner, freelancer, rows):
    for n in range(rows):
        proposal = submit(make_job(company, owner, title=f"Logo {n}"), freelancer or FreelancerProfileFactory().user)
        services.proposal_accept(proposal=proposal, actor=owner)


@pytest.mark.parametrize("rows", SIZES)
def test_contracts_as_freelancer(as_user, company, owner, freelancer, rows, django_assert_max_num_queries):
    _contracts(company, owner, freelancer, rows)
    client = as_user(freelancer)

    with django_assert_max_num_queries(5):
        get_page(client, CONTRACTS, rows)


@pytest.mark.parametrize("rows", SIZES)
def test_contracts_as_company_member(as_user, company, owner, recruiter, rows, django_assert_max_num_queries):
    _contracts(company, owner, None, rows)
    client = as_user(recruiter)

    with django_assert_max_num_queries(5):
        get_page(client, CONTRACTS, rows)
