"""No review list grows its query count with the data (PRODUCT.md §5): the exact count holds at both
sizes."""

import pytest

from reviews import services
from tests.factories import CompletedContractFactory, MembershipFactory

from ..helpers import COMPANY_REVIEW, FREELANCER_REVIEW, REVIEWS, company_reviews_url, freelancer_reviews_url

pytestmark = pytest.mark.django_db

SIZES = [2, 6]
# Authentication (none for the public lists), roles, the profile lookup, count, page.
QUERIES = {"mine": 4, "freelancer": 3, "company": 3}


def reviewed_contracts(company, owner, freelancer, rows: int) -> None:
    """`rows` contracts between `company` and `freelancer`, each reviewed by both sides (published), plus one more
    reviewed by the freelancer only (pending) and a reply on every other published review."""
    for n in range(rows + 1):
        contract = CompletedContractFactory(company=company, owner=owner, freelancer=freelancer)
        by_freelancer = services.review_create(contract_id=contract.pk, author=freelancer, **FREELANCER_REVIEW)
        if n == rows:
            continue
        services.review_create(contract_id=contract.pk, author=owner, **COMPANY_REVIEW)
        if n % 2:
            services.review_reply(review_id=by_freelancer.pk, actor=owner, body="Terima kasih.")


def get_page(client, url, rows):
    response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows
    return response


@pytest.mark.parametrize("rows", SIZES)
def test_public_lists(api, company, owner, freelancer, rows, django_assert_num_queries):
    reviewed_contracts(company, owner, freelancer, rows)

    with django_assert_num_queries(QUERIES["freelancer"]):
        get_page(api, freelancer_reviews_url(freelancer.freelancer_profile.pk), rows)
    with django_assert_num_queries(QUERIES["company"]):
        get_page(api, company_reviews_url(company.pk), rows)


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("reader", ["owner", "freelancer"])
def test_my_reviews(request, as_user, company, owner, freelancer, reader, rows, django_assert_num_queries):
    reviewed_contracts(company, owner, freelancer, rows)
    # Another company's member sees none of it and costs nothing extra.
    MembershipFactory(role="owner")
    client = as_user(request.getfixturevalue(reader))

    with django_assert_num_queries(QUERIES["mine"]):
        # Written: every review of the reader's side (one pending among the freelancer's); received: the other's.
        get_page(client, REVIEWS, 2 * rows + (1 if reader == "freelancer" else 0))
