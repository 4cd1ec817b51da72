"""No list endpoint's query count grows with the data (PRODUCT.md §5): the same exact count for 3 and 30
rows."""

import pytest

from proposals import services
from proposals.api.serializers import MAX_MILESTONES
from tests.factories import FreelancerProfileFactory, OfferFactory

from ..helpers import CONTRACTS, PROPOSALS, contract_url, job_proposals_url, make_job, proposal_url, submit

pytestmark = pytest.mark.django_db

SIZES = [3, 30]


def get_page(client, url, rows):
    response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows
    return response


@pytest.mark.parametrize("rows", SIZES)
def test_my_proposals_as_freelancer(as_user, company, owner, freelancer, rows, django_assert_num_queries):
    for n in range(rows):
        submit(make_job(company, owner, title=f"Logo {n}"), freelancer)
    client = as_user(freelancer)

    with django_assert_num_queries(4):
        get_page(client, PROPOSALS, rows)


@pytest.mark.parametrize("rows", SIZES)
def test_my_proposals_as_company_member(as_user, company, owner, recruiter, rows, django_assert_num_queries):
    for n in range(rows):
        submit(make_job(company, owner, title=f"Logo {n}"), FreelancerProfileFactory().user)
    client = as_user(recruiter)

    with django_assert_num_queries(4):
        get_page(client, PROPOSALS, rows)


@pytest.mark.parametrize("rows", SIZES)
def test_job_proposals(as_user, company, owner, recruiter, rows, django_assert_num_queries):
    job = make_job(company, owner)
    for _ in range(rows):
        submit(job, FreelancerProfileFactory().user)
    client = as_user(recruiter)

    with django_assert_num_queries(6):
        get_page(client, job_proposals_url(job), rows)


def _contracts(company, owner, freelancer, rows):
    for n in range(rows):
        proposal = submit(make_job(company, owner, title=f"Logo {n}"), freelancer or FreelancerProfileFactory().user)
        services.proposal_accept(proposal=proposal, actor=owner)


@pytest.mark.parametrize("rows", SIZES)
def test_contracts_as_freelancer(as_user, company, owner, freelancer, rows, django_assert_num_queries):
    _contracts(company, owner, freelancer, rows)
    client = as_user(freelancer)

    with django_assert_num_queries(5):
        get_page(client, CONTRACTS, rows)


@pytest.mark.parametrize("rows", SIZES)
def test_contracts_as_company_member(as_user, company, owner, recruiter, rows, django_assert_num_queries):
    _contracts(company, owner, None, rows)
    client = as_user(recruiter)

    with django_assert_num_queries(5):
        get_page(client, CONTRACTS, rows)


def _negotiate(proposal, company_side, freelancer, offers):
    """`offers` offers in all: the proposal's own, then counter offers from alternating sides."""
    for n in range(offers - 1):
        actor = company_side if n % 2 == 0 else freelancer
        OfferFactory(proposal=proposal, actor=actor, amount=2_000_000 + n, duration_days=14)


@pytest.mark.parametrize("rows", SIZES)
def test_offer_history(as_user, company, owner, recruiter, freelancer, rows, django_assert_num_queries):
    proposal = submit(make_job(company, owner), freelancer)
    _negotiate(proposal, owner, freelancer, rows)
    client = as_user(recruiter)

    # the user, their company roles, the proposal, count, the page with its authors
    with django_assert_num_queries(5):
        get_page(client, proposal_url(proposal.pk, "offers"), rows)


@pytest.mark.parametrize("rows", [3, MAX_MILESTONES])
def test_contract_milestones(as_user, company, owner, recruiter, freelancer, rows, django_assert_num_queries):
    proposal = submit(make_job(company, owner), freelancer, amount=rows * 100_000)
    plan = [{"title": f"Tahap {n}", "amount": 100_000} for n in range(rows)]
    contract = services.proposal_accept(proposal=proposal, actor=owner, milestones=plan)
    client = as_user(recruiter)

    # the user, their company roles, the contract's visibility, count, the page
    with django_assert_num_queries(5):
        get_page(client, contract_url(contract.pk, "milestones"), rows)
