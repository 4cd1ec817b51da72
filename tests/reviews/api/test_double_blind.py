"""The double-blind rule (PRODUCT.md §2.9): a review is seen by its own side only until the other side's review is
in or the review window (REVIEW_WINDOW_DAYS after completion) closes; only then does it reach the public lists,
the profiles' ratings and the reviewed party's notifications."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from proposals.models import Contract
from reviews.models import Review
from reviews.tasks import reviews_publish_due_task
from tests.factories import MembershipFactory

from ..helpers import (
    COMPANY_REVIEW,
    FREELANCER_REVIEW,
    REVIEWS,
    company_reviews_url,
    freelancer_reviews_url,
    ids,
    post_review,
    review_url,
)

pytestmark = pytest.mark.django_db


def profile_rating(api, freelancer) -> tuple:
    body = api.get(f"/api/v1/freelancers/{freelancer.pk}/").json()
    return body["rating_average"], body["rating_count"]


def company_rating(api, company) -> tuple:
    body = api.get(f"/api/v1/companies/{company.pk}/").json()
    return body["rating_average"], body["rating_count"]


def review_notifications() -> list:
    return sorted((str(n.user_id), n.data["review"]) for n in Notification.objects.filter(kind="review.published"))


def close_window(contract, *, days: int = 14, extra=datetime.timedelta(minutes=1)) -> None:
    Contract.objects.filter(pk=contract.pk).update(completed_at=timezone.now() - datetime.timedelta(days=days) - extra)


def test_a_lone_review_is_seen_by_its_own_side_only(api, as_user, contract, company, owner, freelancer, commit):
    other_owner = MembershipFactory(role="owner").user
    with commit():
        response = post_review(as_user(freelancer), contract, FREELANCER_REVIEW)

    assert response.status_code == 201, response.content
    review_id = response.json()["id"]
    assert (response.json()["status"], response.json()["published_at"]) == ("pending", None)
    # Its author sees it; the reviewed company, anybody else and the public do not.
    assert ids(as_user(freelancer).get(REVIEWS)) == [review_id]
    assert ids(as_user(owner).get(REVIEWS)) == []
    assert as_user(owner).get(review_url(review_id)).status_code == 404
    assert as_user(other_owner).get(review_url(review_id)).status_code == 404
    assert ids(api.get(company_reviews_url(company.pk))) == []
    assert company_rating(api, company) == ("0.00", 0)
    assert review_notifications() == []


def test_the_second_review_publishes_both(api, as_user, contract, company, owner, freelancer, commit):
    admin = MembershipFactory(company=company, role="admin").user
    recruiter = MembershipFactory(company=company, role="recruiter").user
    first = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    before = timezone.now()

    with commit():
        response = post_review(as_user(owner), contract, COMPANY_REVIEW)

    assert response.status_code == 201, response.content
    second = response.json()["id"]
    assert response.json()["status"] == "published"
    published = dict(Review.objects.values_list("pk", "published_at"))
    assert {str(pk) for pk in published} == {first, second}
    assert all(at >= before for at in published.values())
    assert ids(api.get(company_reviews_url(company.pk))) == [first]
    assert ids(api.get(freelancer_reviews_url(freelancer.freelancer_profile.pk))) == [second]
    assert ids(api.get(freelancer_reviews_url(freelancer.pk))) == [second]  # the user's id opens it too
    assert ids(as_user(owner).get(REVIEWS, {"direction": "received"})) == [first]
    assert ids(as_user(freelancer).get(REVIEWS, {"direction": "received"})) == [second]
    assert ids(as_user(freelancer).get(REVIEWS, {"direction": "written"})) == [first]
    assert profile_rating(api, freelancer) == ("5.00", 1)
    assert company_rating(api, company) == ("4.00", 1)
    # Each reviewed party is told: the freelancer, and the company's owners and admins (who may reply).
    assert review_notifications() == sorted(
        [(str(freelancer.pk), second), (str(owner.pk), first), (str(admin.pk), first)]
    )
    assert not Notification.objects.filter(user=recruiter, kind="review.published").exists()


def test_the_window_closing_publishes_a_lone_review(api, as_user, contract, company, owner, freelancer, commit):
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    close_window(contract, extra=-datetime.timedelta(minutes=1))  # a minute short of 14 days

    assert reviews_publish_due_task.apply().get() == 0
    assert Review.objects.get(pk=review_id).status == "pending"
    assert ids(api.get(company_reviews_url(company.pk))) == []

    close_window(contract)
    with commit():
        assert reviews_publish_due_task.apply().get() == 1

    assert Review.objects.get(pk=review_id).status == "published"
    assert ids(api.get(company_reviews_url(company.pk))) == [review_id]
    assert ids(as_user(owner).get(REVIEWS)) == [review_id]
    assert company_rating(api, company) == ("4.00", 1)
    assert review_notifications() == [(str(owner.pk), review_id)]
    assert reviews_publish_due_task.apply().get() == 0  # once


def test_the_window_follows_the_setting(settings, as_user, contract, freelancer):
    settings.BANTU = {**settings.BANTU, "REVIEW_WINDOW_DAYS": 3}
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    close_window(contract, days=3)

    assert reviews_publish_due_task.apply().get() == 1
    assert Review.objects.get(pk=review_id).status == "published"


def test_no_review_once_the_window_has_closed(as_user, contract, owner, freelancer):
    post_review(as_user(freelancer), contract, FREELANCER_REVIEW)
    close_window(contract)

    response = post_review(as_user(owner), contract, COMPANY_REVIEW)

    assert response.status_code == 409
    assert response.json()["code"] == "review_window_closed"
    assert Review.objects.count() == 1


def test_averages_count_published_reviews_only(api, as_user, company, owner, freelancer):
    """Three contracts with one freelancer; the companies rate 5, 4 and 4, but only two freelancer reviews are in:
    the third company's review stays out of the average until its window closes."""
    from tests.factories import CompletedContractFactory

    contracts = [CompletedContractFactory(freelancer=freelancer) for _ in range(3)]
    for contract, stars in zip(contracts, (5, 4, 4), strict=True):
        manager = contract.company.memberships.get().user
        assert post_review(as_user(manager), contract, {**COMPANY_REVIEW, "rating": stars}).status_code == 201
    for contract in contracts[:2]:
        assert post_review(as_user(freelancer), contract, FREELANCER_REVIEW).status_code == 201

    assert profile_rating(api, freelancer) == ("4.50", 2)

    close_window(contracts[2])
    reviews_publish_due_task.apply()

    assert profile_rating(api, freelancer) == ("4.33", 3)
    listed = api.get("/api/v1/freelancers/", {"q": freelancer.full_name}).json()["results"]
    assert [(row["rating_average"], row["rating_count"]) for row in listed] == [("4.33", 3)]


def test_freelancer_search_orders_by_rating(api):
    from freelancers.services import freelancer_rating_change
    from tests.factories import FreelancerProfileFactory

    profiles = {name: FreelancerProfileFactory(headline=f"Ilustrator {name}") for name in ("A", "B", "C", "D")}
    for name, stars in (("A", [3, 4]), ("B", [5]), ("C", [4, 5, 5])):
        for star in stars:
            freelancer_rating_change(user_id=profiles[name].user_id, stars=star, count=1)

    best_first = api.get("/api/v1/freelancers/", {"q": "Ilustrator", "ordering": "-rating"}).json()["results"]
    worst_first = api.get("/api/v1/freelancers/", {"q": "Ilustrator", "ordering": "rating"}).json()["results"]

    assert [(row["headline"], row["rating_average"], row["rating_count"]) for row in best_first] == [
        ("Ilustrator B", "5.00", 1),
        ("Ilustrator C", "4.67", 3),
        ("Ilustrator A", "3.50", 2),
        ("Ilustrator D", "0.00", 0),
    ]
    assert [row["headline"] for row in worst_first] == ["Ilustrator D", "Ilustrator A", "Ilustrator C", "Ilustrator B"]
