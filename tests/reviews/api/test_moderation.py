"""Hiding and unhiding reviews (moderation): the services, the operators' API routes and the admin actions."""

import pytest

from notifications.models import Notification
from reviews import services
from reviews.models import Review
from tests.factories import CompletedContractFactory, UserFactory
from tests.problems import assert_problem

from ..helpers import COMPANY_REVIEW, FREELANCER_REVIEW, company_reviews_url, ids, post_review, review_url

pytestmark = pytest.mark.django_db


def company_rating(api, company) -> tuple:
    body = api.get(f"/api/v1/companies/{company.pk}/").json()
    return body["rating_average"], body["rating_count"]


def freelancer_rating(api, freelancer) -> tuple:
    body = api.get(f"/api/v1/freelancers/{freelancer.pk}/").json()
    return body["rating_average"], body["rating_count"]


@pytest.fixture
def published(as_user, contract, owner, freelancer):
    """The freelancer's review of the company (4 stars), published with the company's (5 stars)."""
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    post_review(as_user(owner), contract, COMPANY_REVIEW)
    return Review.objects.get(pk=review_id)


def test_hiding_takes_a_review_out_of_lists_and_the_rating(
    api, as_user, published, company, owner, freelancer, operator, commit
):
    other = CompletedContractFactory(company=company, owner=owner)
    post_review(as_user(other.freelancer), other, {**FREELANCER_REVIEW, "rating": 2})
    post_review(as_user(owner), other, COMPANY_REVIEW)
    assert company_rating(api, company) == ("3.00", 2)

    with commit():
        hidden = services.review_hide(published, by=operator, reason="Berisi data pribadi.")

    assert (hidden.hidden_by, hidden.hidden_reason) == (operator, "Berisi data pribadi.")
    assert company_rating(api, company) == ("2.00", 1)
    assert str(published.pk) not in ids(api.get(company_reviews_url(company.pk)))
    assert as_user(UserFactory()).get(review_url(published.pk)).status_code == 404
    # Its author and the reviewed company still see it, flagged.
    assert as_user(freelancer).get(review_url(published.pk)).json()["hidden"] is True
    assert as_user(owner).get(review_url(published.pk)).json()["hidden"] is True
    notification = Notification.objects.get(kind="review.hidden")
    assert (notification.user_id, notification.body) == (freelancer.pk, "Berisi data pribadi.")

    with commit():
        services.review_unhide(hidden, by=operator)

    assert company_rating(api, company) == ("3.00", 2)
    assert ids(api.get(company_reviews_url(company.pk)))[-1] == str(published.pk)
    assert Notification.objects.filter(kind="review.restored", user=freelancer).count() == 1


def test_a_review_hidden_before_publication_never_counts_until_unhidden(
    api, as_user, contract, owner, freelancer, operator
):
    review_id = post_review(as_user(owner), contract, COMPANY_REVIEW).json()["id"]
    services.review_hide(Review.objects.get(pk=review_id), by=operator, reason="Ujaran kebencian.")

    post_review(as_user(freelancer), contract, FREELANCER_REVIEW)

    assert Review.objects.get(pk=review_id).status == "published"
    assert freelancer_rating(api, freelancer) == ("0.00", 0)
    assert ids(api.get(f"/api/v1/freelancers/{freelancer.pk}/reviews/")) == []

    services.review_unhide(Review.objects.get(pk=review_id), by=operator)

    assert freelancer_rating(api, freelancer) == ("5.00", 1)


def test_hiding_twice_or_unhiding_a_visible_review_is_409(published, operator):
    services.review_hide(published, by=operator, reason="Spam.")

    with pytest.raises(services.Conflict) as hidden_twice:
        services.review_hide(published, by=operator, reason="Spam lagi.")
    services.review_unhide(published, by=operator)
    with pytest.raises(services.Conflict) as not_hidden:
        services.review_unhide(published, by=operator)

    assert (hidden_twice.value.code, not_hidden.value.code) == ("review_already_hidden", "review_not_hidden")
    assert Review.objects.get(pk=published.pk).hidden_at is None


def test_operators_hide_and_unhide_through_the_api(api, as_user, published, company, operator):
    response = as_user(operator).post(review_url(published.pk, "hide"), {"reason": "Kata-kata kasar."}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["hidden"] is True
    assert company_rating(api, company) == ("0.00", 0)
    assert_problem(
        as_user(operator).post(review_url(published.pk, "hide"), {"reason": "Lagi."}, format="json"),
        409,
        "review_already_hidden",
    )

    response = as_user(operator).post(review_url(published.pk, "unhide"), format="json")

    assert response.status_code == 200, response.content
    assert response.json()["hidden"] is False
    assert company_rating(api, company) == ("4.00", 1)
    assert_problem(as_user(operator).post(review_url(published.pk, "unhide"), format="json"), 409, "review_not_hidden")


@pytest.mark.parametrize("who", ["freelancer", "owner", "recruiter"])
def test_only_operators_moderate(request, as_user, published, who):
    client = as_user(request.getfixturevalue(who))

    assert_problem(client.post(review_url(published.pk, "hide"), {"reason": "Tidak suka."}, format="json"), 403)
    assert_problem(client.post(review_url(published.pk, "unhide"), format="json"), 403)
    assert Review.objects.get(pk=published.pk).hidden_at is None


def test_hiding_needs_a_reason_and_an_existing_review(as_user, published, operator):
    assert_problem(
        as_user(operator).post(review_url(published.pk, "hide"), {}, format="json"),
        400,
        "validation_error",
        {"reason": ["This field is required."]},
    )
    assert_problem(
        as_user(operator).post(
            review_url("01900000-0000-7000-8000-000000000000", "hide"), {"reason": "Spam."}, format="json"
        ),
        404,
    )
    assert_problem(
        as_user(operator).post(review_url(published.pk, "unhide"), {"reason": "x"}, format="json"),
        400,
        "validation_error",
        {"reason": ["Unknown field."]},
    )
    with pytest.raises(services.ApplicationError) as blank:
        services.review_hide(published, by=operator, reason="  ")
    assert blank.value.errors == {"reason": ["Say why: the author is told."]}


# --- Admin ------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="ops@bantu.local")
    client.force_login(superuser)
    client.superuser = superuser
    return client


def test_admin_lists_and_shows_reviews_read_only(admin_client, published):
    assert admin_client.get("/admin/reviews/review/").status_code == 200
    assert admin_client.get("/admin/reviews/review/", {"hidden": "no", "status": "published"}).status_code == 200
    page = admin_client.get(f"/admin/reviews/review/{published.pk}/change/")
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}  # every field is read-only
    assert admin_client.get("/admin/reviews/review/add/").status_code == 403
    assert admin_client.post(f"/admin/reviews/review/{published.pk}/delete/").status_code == 403


def test_admin_hide_asks_for_a_reason_then_hides_through_the_service(api, admin_client, published, company):
    form = admin_client.post("/admin/reviews/review/", {"action": "hide_reviews", "_selected_action": [published.pk]})
    assert form.status_code == 200
    assert Review.objects.get(pk=published.pk).hidden_at is None

    admin_client.post(
        "/admin/reviews/review/",
        {"action": "hide_reviews", "_selected_action": [published.pk], "reason": "Menyebut nomor telepon."},
    )

    review = Review.objects.get(pk=published.pk)
    assert (review.hidden_by, review.hidden_reason) == (admin_client.superuser, "Menyebut nomor telepon.")
    assert company_rating(api, company) == ("0.00", 0)

    admin_client.post("/admin/reviews/review/", {"action": "unhide_reviews", "_selected_action": [published.pk]})

    assert Review.objects.get(pk=published.pk).hidden_at is None
    assert company_rating(api, company) == ("4.00", 1)


def test_hiding_and_unhiding_each_write_one_audit_row(as_user, published, operator):
    from audit.models import AuditEntry

    as_user(operator).post(review_url(published.pk, "hide"), {"reason": "Menyebut nomor telepon."}, format="json")
    as_user(operator).post(review_url(published.pk, "unhide"), format="json")

    rows = list(AuditEntry.objects.order_by("created_at").values_list("action", "actor", "target_id", "reason"))
    assert rows == [("review.hide", operator.pk, str(published.pk), "Menyebut nomor telepon."),
                    ("review.unhide", operator.pk, str(published.pk), "")]


@pytest.mark.parametrize("group", ["support", "finance", None])
def test_operators_who_do_not_moderate_reviews_cannot_hide_them(as_user, published, group):
    from audit.models import AuditEntry
    from tests.factories import operator_in

    response = as_user(operator_in(group)).post(review_url(published.pk, "hide"), {"reason": "Spam."}, format="json")

    assert_problem(response, 403, "permission_denied")
    assert Review.objects.get(pk=published.pk).hidden_at is None
    assert not AuditEntry.objects.exists()
