"""Reviews under real concurrency: threads with their own PostgreSQL connections hit the API at the same moment.
The ratings must equal what the rows say, whatever the interleaving (bantu/core/ratings.py)."""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from companies.models import Company
from freelancers.models import FreelancerProfile
from reviews import services
from reviews.models import Review
from tests.concurrency import run_at_once
from tests.conftest import client_for
from tests.factories import CompletedContractFactory, FreelancerProfileFactory, MembershipFactory

from ..helpers import COMPANY_REVIEW, FREELANCER_REVIEW, post_review

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("thread_races"),
]


def average(stars) -> Decimal:
    return (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_twenty_concurrent_publications_leave_the_freelancers_rating_right():
    freelancer = FreelancerProfileFactory().user
    contracts = [CompletedContractFactory(freelancer=freelancer) for _ in range(20)]
    stars = [1 + index % 5 for index in range(20)]
    for contract, star in zip(contracts, stars, strict=True):
        services.review_create(
            contract_id=contract.pk,
            author=contract.company.memberships.get().user,
            **{**COMPANY_REVIEW, "rating": star},
        )
    clients = [client_for(freelancer) for _ in range(20)]

    # Each of the freelancer's reviews publishes the pending one of the company too: twenty publications of
    # reviews of the freelancer at once (and one for each company).
    statuses = run_at_once(
        20, lambda i: post_review(clients[i], contracts[i], {**FREELANCER_REVIEW, "rating": 5 - i % 3}).status_code
    )

    assert Counter(statuses) == {201: 20}
    assert Review.objects.filter(status="published").count() == 40
    profile = FreelancerProfile.objects.get(user=freelancer)
    assert (profile.rating_count, profile.rating_sum, profile.rating_avg) == (20, sum(stars), average(stars))
    ratings = dict(Company.objects.filter(pk__in=[c.company_id for c in contracts]).values_list("pk", "rating_avg"))
    assert ratings == {contract.company_id: Decimal(5 - i % 3) for i, contract in enumerate(contracts)}


def test_both_sides_reviewing_at_the_same_moment_publish_both():
    contracts = [CompletedContractFactory() for _ in range(10)]
    authors = [(contract, contract.freelancer, FREELANCER_REVIEW) for contract in contracts] + [
        (contract, contract.company.memberships.get().user, COMPANY_REVIEW) for contract in contracts
    ]
    clients = [client_for(author) for _, author, _ in authors]

    statuses = run_at_once(20, lambda i: post_review(clients[i], authors[i][0], authors[i][2]).status_code)

    # Writing locks the contract: the second side always sees the first, so nothing is left pending.
    assert Counter(statuses) == {201: 20}
    assert Counter(Review.objects.values_list("status", flat=True)) == {"published": 20}
    assert set(
        FreelancerProfile.objects.filter(user__in=[c.freelancer for c in contracts]).values_list(
            "rating_count", "rating_avg"
        )
    ) == {(1, Decimal("5.00"))}
    assert set(
        Company.objects.filter(pk__in=[c.company_id for c in contracts]).values_list("rating_count", "rating_avg")
    ) == {(1, Decimal("4.00"))}


def test_concurrent_reviews_by_one_side_store_one():
    contract = CompletedContractFactory()
    managers = [MembershipFactory(company=contract.company, role="admin").user for _ in range(10)]
    clients = [client_for(manager) for manager in managers]

    statuses = run_at_once(10, lambda i: post_review(clients[i], contract, COMPANY_REVIEW).status_code)

    assert Counter(statuses) == {201: 1, 409: 9}
    assert Review.objects.filter(contract=contract).count() == 1


def test_concurrent_replies_store_one():
    contract = CompletedContractFactory()
    owner = contract.company.memberships.get().user
    review = services.review_create(contract_id=contract.pk, author=contract.freelancer, **FREELANCER_REVIEW)
    services.review_create(contract_id=contract.pk, author=owner, **COMPANY_REVIEW)
    clients = [client_for(owner) for _ in range(10)]

    statuses = run_at_once(
        10,
        lambda i: (
            clients[i]
            .post(f"/api/v1/reviews/{review.pk}/reply/", {"body": f"Terima kasih ({i})"}, format="json")
            .status_code
        ),
    )

    assert Counter(statuses) == {201: 1, 409: 9}
    assert Review.objects.get(pk=review.pk).reply.startswith("Terima kasih (")
