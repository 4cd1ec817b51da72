"""The denormalized rating (bantu/core/ratings.py): the average of the exact star sum, to 2 decimals, the same on
SQLite and PostgreSQL; taking reviews away brings it back, down to "0.00" with no reviews."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from companies.models import Company
from companies.services import company_rating_change
from freelancers.models import FreelancerProfile
from freelancers.services import freelancer_rating_change

pytestmark = pytest.mark.django_db


def expected(stars: list[int]) -> Decimal:
    return (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    "stars",
    [[5], [5, 4], [5, 4, 4], [2, 3, 3], [1, 1, 2], [5, 5, 5, 5, 4, 4, 4, 3], [1, 2, 3, 4, 5, 5, 5], [4] * 9 + [5]],
)
def test_the_average_is_exact_to_two_decimals(freelancer, company, stars):
    for star in stars:
        freelancer_rating_change(user_id=freelancer.pk, stars=star, count=1)
        company_rating_change(company_id=company.pk, stars=star, count=1)

    profile = FreelancerProfile.objects.get(user=freelancer)
    company = Company.objects.get(pk=company.pk)
    for row in (profile, company):
        assert (row.rating_avg, row.rating_count, row.rating_sum) == (expected(stars), len(stars), sum(stars))


def test_taking_reviews_away_recomputes_down_to_nothing(freelancer):
    for star in (5, 2, 4):
        freelancer_rating_change(user_id=freelancer.pk, stars=star, count=1)

    freelancer_rating_change(user_id=freelancer.pk, stars=-2, count=-1)
    assert FreelancerProfile.objects.values_list("rating_avg", "rating_count").get(user=freelancer) == (
        Decimal("4.50"),
        2,
    )

    freelancer_rating_change(user_id=freelancer.pk, stars=-9, count=-2)
    assert FreelancerProfile.objects.values_list("rating_avg", "rating_count", "rating_sum").get(user=freelancer) == (
        Decimal("0.00"),
        0,
        0,
    )


def test_a_user_without_a_profile_changes_nothing(user):
    assert freelancer_rating_change(user_id=user.pk, stars=5, count=1) == 0
