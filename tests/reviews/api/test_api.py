"""Writing, editing and answering reviews, and who may (PRODUCT.md §2.9, §3)."""

import pytest
from django.db import IntegrityError, transaction

from notifications.models import Notification
from proposals.models import Contract
from reviews.models import Review
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory
from tests.payments.helpers import make_contract, pay
from tests.problems import assert_problem

from ..helpers import (
    COMPANY_REVIEW,
    FREELANCER_REVIEW,
    REVIEWS,
    company_reviews_url,
    freelancer_reviews_url,
    ids,
    post_review,
    review_url,
    snapshot,
)

pytestmark = pytest.mark.django_db


def assert_refused(capture, call, status: int, code: str | None = None, errors: dict | None = None) -> dict:
    """`call()` answers the problem, schedules nothing on commit and changes nothing."""
    before = snapshot()
    with capture(execute=True) as callbacks:
        response = call()
    body = assert_problem(response, status, code, errors)
    assert callbacks == []
    assert snapshot() == before
    return body


# --- POST reviews/ --------------------------------------------------------------------------------------------


def test_the_freelancer_reviews_the_company(as_user, contract, company, freelancer):
    response = post_review(as_user(freelancer), contract, FREELANCER_REVIEW)

    assert response.status_code == 201, response.content
    review = Review.objects.get()
    body = response.json()
    assert body == {
        "id": str(review.pk),
        "contract": str(contract.pk),
        "job": {"id": str(contract.job_id), "title": contract.job.title},
        "side": "freelancer",
        "author": {"id": str(freelancer.pk), "full_name": freelancer.full_name},
        "freelancer": {"id": str(freelancer.pk), "full_name": freelancer.full_name},
        "company": {"id": str(company.pk), "name": company.name},
        "rating": 4,
        "comment": "Brief jelas, pembayaran tepat waktu.",
        "communication": None,
        "quality": None,
        "timeliness": None,
        "status": "pending",
        "published_at": None,
        "hidden": False,
        "reply": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert (review.side, review.author_id, review.company_id) == ("freelancer", freelancer.pk, company.pk)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_an_owner_or_admin_reviews_the_freelancer_with_sub_ratings(as_user, contract, company, role):
    manager = MembershipFactory(company=company, role=role).user

    response = post_review(as_user(manager), contract, COMPANY_REVIEW)

    assert response.status_code == 201, response.content
    review = Review.objects.get()
    assert (review.side, review.author_id, review.rating, review.communication, review.quality, review.timeliness) == (
        "company",
        manager.pk,
        5,
        5,
        4,
        5,
    )
    assert response.json()["author"] == {"id": str(manager.pk), "full_name": manager.full_name}


def test_a_second_review_by_the_same_side_is_409(as_user, contract, company, owner, django_capture_on_commit_callbacks):
    admin = MembershipFactory(company=company, role="admin").user
    assert post_review(as_user(owner), contract, COMPANY_REVIEW).status_code == 201

    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: post_review(as_user(admin), contract, {**COMPANY_REVIEW, "rating": 1}),
        409,
        "already_reviewed",
    )


def test_the_freelancer_cannot_review_twice(as_user, contract, freelancer, django_capture_on_commit_callbacks):
    assert post_review(as_user(freelancer), contract, FREELANCER_REVIEW).status_code == 201

    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: post_review(as_user(freelancer), contract, FREELANCER_REVIEW),
        409,
        "already_reviewed",
    )


def test_one_review_per_side_is_a_database_constraint(contract, freelancer):
    fields = {
        "contract": contract,
        "side": "freelancer",
        "author": freelancer,
        "freelancer": freelancer,
        "company": contract.company,
        "rating": 4,
        "comment": "Bagus.",
    }
    Review.objects.create(**fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(**fields)


def test_no_review_of_an_active_contract(as_user, company, owner, freelancer, django_capture_on_commit_callbacks):
    active = make_contract(company, owner, freelancer, amounts=(500_000, 500_000))
    pay(owner, active.milestones.order_by("position").first().pk)

    for user, body in ((freelancer, FREELANCER_REVIEW), (owner, COMPANY_REVIEW)):
        assert_refused(
            django_capture_on_commit_callbacks,
            lambda u=user, b=body: post_review(as_user(u), active, b),
            409,
            "contract_not_completed",
        )


def test_no_review_of_a_cancelled_contract(as_user, contract, freelancer, django_capture_on_commit_callbacks):
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.CANCELLED)

    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: post_review(as_user(freelancer), contract, FREELANCER_REVIEW),
        409,
        "contract_not_completed",
    )


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("recruiter", 403, "not_a_reviewer"),  # sees the contract, but reviews are its owners' and admins'
        ("operator", 403, "not_a_reviewer"),
        ("other_company_owner", 404, "not_found"),
        ("other_freelancer", 404, "not_found"),
    ],
)
def test_only_the_parties_review(request, as_user, contract, who, status, code, django_capture_on_commit_callbacks):
    user = {"anonymous": None, "other_freelancer": FreelancerProfileFactory().user}.get(who)
    if who not in ("anonymous", "other_freelancer"):
        user = request.getfixturevalue(who)
    body = COMPANY_REVIEW if who in ("recruiter", "other_company_owner") else FREELANCER_REVIEW

    assert_refused(django_capture_on_commit_callbacks, lambda: post_review(as_user(user), contract, body), status, code)


def test_an_unknown_contract_is_404(as_user, freelancer, django_capture_on_commit_callbacks):
    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: as_user(freelancer).post(
            REVIEWS, {"contract": "01900000-0000-7000-8000-000000000000", **FREELANCER_REVIEW}, format="json"
        ),
        404,
    )


@pytest.mark.parametrize(
    ("who", "body", "errors"),
    [
        (
            "owner",
            {"rating": 5, "comment": "Bagus."},
            {
                "communication": ["The company rates this too (1-5)."],
                "quality": ["The company rates this too (1-5)."],
                "timeliness": ["The company rates this too (1-5)."],
            },
        ),
        ("owner", {**COMPANY_REVIEW, "quality": None}, {"quality": ["This field may not be null."]}),
        ("freelancer", {**FREELANCER_REVIEW, "timeliness": 3}, {"timeliness": ["Only the company rates this."]}),
        (
            "freelancer",
            {**FREELANCER_REVIEW, "rating": 0},
            {"rating": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            "freelancer",
            {**FREELANCER_REVIEW, "rating": 6},
            {"rating": ["Ensure this value is less than or equal to 5."]},
        ),
        ("freelancer", {**FREELANCER_REVIEW, "rating": 4.5}, {"rating": ["A valid integer is required."]}),
        ("freelancer", {**FREELANCER_REVIEW, "rating": "5"}, {"rating": ["A valid integer is required."]}),
        ("freelancer", {"rating": 4, "comment": ""}, {"comment": ["This field may not be blank."]}),
        ("freelancer", {"rating": 4}, {"comment": ["This field is required."]}),
        (
            "freelancer",
            {**FREELANCER_REVIEW, "comment": "x" * 5001},
            {"comment": ["Ensure this field has no more than 5000 characters."]},
        ),
        ("freelancer", {**FREELANCER_REVIEW, "status": "published"}, {"status": ["Unknown field."]}),
    ],
)
def test_bad_input_is_400(request, as_user, contract, who, body, errors, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(who)

    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: post_review(as_user(user), contract, body),
        400,
        "validation_error",
        errors,
    )


def test_a_missing_or_malformed_contract_is_400(as_user, freelancer):
    assert_problem(
        as_user(freelancer).post(REVIEWS, FREELANCER_REVIEW, format="json"),
        400,
        "validation_error",
        {"contract": ["This field is required."]},
    )
    assert_problem(
        as_user(freelancer).post(REVIEWS, {"contract": "abc", **FREELANCER_REVIEW}, format="json"),
        400,
        "validation_error",
        {"contract": ["Must be a valid UUID."]},
    )


def test_a_retry_with_the_same_idempotency_key_returns_the_first_review(as_user, contract, freelancer):
    client = as_user(freelancer)

    first = post_review(client, contract, FREELANCER_REVIEW, HTTP_IDEMPOTENCY_KEY="review-7f3a")
    again = post_review(client, contract, FREELANCER_REVIEW, HTTP_IDEMPOTENCY_KEY="review-7f3a")
    other = post_review(client, contract, {**FREELANCER_REVIEW, "rating": 1}, HTTP_IDEMPOTENCY_KEY="review-7f3a")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert_problem(other, 422, "idempotency_key_reused")
    assert Review.objects.count() == 1


# --- GET reviews/ and reviews/{id}/ ---------------------------------------------------------------------------


def test_my_reviews_lists_written_and_received_newest_first(as_user, contract, company, owner, freelancer):
    from tests.factories import CompletedContractFactory

    first = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    post_review(as_user(owner), contract, COMPANY_REVIEW)
    received = Review.objects.get(side="company").pk
    later = CompletedContractFactory(freelancer=freelancer)
    pending = post_review(as_user(freelancer), later, FREELANCER_REVIEW).json()["id"]

    assert ids(as_user(freelancer).get(REVIEWS)) == [pending, str(received), first]
    assert ids(as_user(freelancer).get(REVIEWS, {"direction": "written"})) == [pending, first]
    assert ids(as_user(freelancer).get(REVIEWS, {"direction": "received"})) == [str(received)]
    assert_problem(
        as_user(freelancer).get(REVIEWS, {"direction": "all"}),
        400,
        "validation_error",
        {"direction": ["Select a valid choice. all is not one of the available choices."]},
    )


def test_a_published_review_is_open_to_every_signed_in_user(as_user, contract, owner, freelancer, operator):
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    assert as_user(operator).get(review_url(review_id)).status_code == 200  # operators see pending ones too
    assert as_user(UserFactory()).get(review_url(review_id)).status_code == 404
    post_review(as_user(owner), contract, COMPANY_REVIEW)

    response = as_user(UserFactory()).get(review_url(review_id))

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert_problem(as_user(None).get(review_url(review_id)), 401)


# --- PATCH reviews/{id}/ ----------------------------------------------------------------------------------------


def test_a_pending_review_can_be_edited_by_its_side(as_user, contract, company, owner):
    review_id = post_review(as_user(owner), contract, COMPANY_REVIEW).json()["id"]
    admin = MembershipFactory(company=company, role="admin").user

    response = as_user(admin).patch(review_url(review_id), {"rating": 3, "timeliness": 2}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["rating"], response.json()["timeliness"], response.json()["quality"]) == (3, 2, 4)
    assert Review.objects.values_list("rating", "timeliness").get() == (3, 2)


def test_a_published_review_cannot_be_edited(as_user, contract, owner, freelancer, django_capture_on_commit_callbacks):
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    post_review(as_user(owner), contract, COMPANY_REVIEW)

    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: as_user(freelancer).patch(review_url(review_id), {"rating": 1}, format="json"),
        409,
        "review_already_published",
    )


@pytest.mark.parametrize(("who", "status"), [("owner", 404), ("recruiter", 404), ("operator", 403)])
def test_only_its_side_edits_a_review(
    request, as_user, contract, freelancer, who, status, django_capture_on_commit_callbacks
):
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    user = request.getfixturevalue(who)

    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: as_user(user).patch(review_url(review_id), {"rating": 1}, format="json"),
        status,
    )


def test_an_edit_keeps_the_sub_rating_rule(as_user, contract, freelancer):
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]

    assert_problem(
        as_user(freelancer).patch(review_url(review_id), {"quality": 5}, format="json"),
        400,
        "validation_error",
        {"quality": ["Only the company rates this."]},
    )


# --- POST reviews/{id}/reply/ -------------------------------------------------------------------------------------


def published_pair(as_user, contract, owner, freelancer) -> tuple[str, str]:
    """(the freelancer's review of the company, the company's review of the freelancer), both published."""
    by_freelancer = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]
    by_company = post_review(as_user(owner), contract, COMPANY_REVIEW).json()["id"]
    return by_freelancer, by_company


def test_the_reviewed_party_replies_once(api, as_user, contract, company, owner, freelancer, commit):
    by_freelancer, by_company = published_pair(as_user, contract, owner, freelancer)

    with commit():
        response = as_user(owner).post(review_url(by_freelancer, "reply"), {"body": "Terima kasih!"}, format="json")

    assert response.status_code == 201, response.content
    reply = response.json()["reply"]
    assert reply == {"body": "Terima kasih!", "created_at": reply["created_at"]}
    assert api.get(company_reviews_url(company.pk)).json()["results"][0]["reply"] == reply
    assert list(Notification.objects.filter(kind="review.replied").values_list("user_id", flat=True)) == [freelancer.pk]
    second = as_user(owner).post(review_url(by_freelancer, "reply"), {"body": "Sekali lagi"}, format="json")
    assert_problem(second, 409, "already_replied")
    assert Review.objects.get(pk=by_freelancer).reply == "Terima kasih!"

    assert (
        as_user(freelancer)
        .post(review_url(by_company, "reply"), {"body": "Senang bekerja sama."}, format="json")
        .status_code
        == 201
    )


def test_only_the_reviewed_party_replies(
    as_user, contract, company, owner, freelancer, django_capture_on_commit_callbacks
):
    by_freelancer, _ = published_pair(as_user, contract, owner, freelancer)
    recruiter = MembershipFactory(company=company, role="recruiter").user

    for user in (freelancer, recruiter, UserFactory(is_staff=True)):
        assert_refused(
            django_capture_on_commit_callbacks,
            lambda u=user: as_user(u).post(review_url(by_freelancer, "reply"), {"body": "Hmm"}, format="json"),
            403,
            "not_the_reviewed_party",
        )


def test_a_pending_review_cannot_be_answered(as_user, contract, owner, freelancer, django_capture_on_commit_callbacks):
    review_id = post_review(as_user(freelancer), contract, FREELANCER_REVIEW).json()["id"]

    # The reviewed side does not see it yet; the author's side is not the one that replies.
    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: as_user(owner).post(review_url(review_id, "reply"), {"body": "Hmm"}, format="json"),
        404,
    )
    assert_refused(
        django_capture_on_commit_callbacks,
        lambda: as_user(freelancer).post(review_url(review_id, "reply"), {"body": "Hmm"}, format="json"),
        403,
        "not_the_reviewed_party",
    )


def test_a_reply_needs_a_body(as_user, contract, owner, freelancer):
    by_freelancer, _ = published_pair(as_user, contract, owner, freelancer)

    assert_problem(
        as_user(owner).post(review_url(by_freelancer, "reply"), {}, format="json"),
        400,
        "validation_error",
        {"body": ["This field is required."]},
    )
    assert_problem(
        as_user(owner).post(review_url(by_freelancer, "reply"), {"body": "x" * 2001}, format="json"),
        400,
        "validation_error",
        {"body": ["Ensure this field has no more than 2000 characters."]},
    )


# --- Public lists ------------------------------------------------------------------------------------------------


def test_public_lists_are_newest_first_and_paginated(api, as_user, freelancer):
    from tests.factories import CompletedContractFactory

    published = []
    for _ in range(3):
        contract = CompletedContractFactory(freelancer=freelancer)
        post_review(as_user(freelancer), contract, FREELANCER_REVIEW)
        manager = contract.company.memberships.get().user
        published.append(post_review(as_user(manager), contract, COMPANY_REVIEW).json()["id"])

    first_page = api.get(freelancer_reviews_url(freelancer.pk), {"page_size": 2}).json()
    second_page = api.get(freelancer_reviews_url(freelancer.pk), {"page_size": 2, "page": 2}).json()

    assert first_page["count"] == 3
    assert [row["id"] for row in first_page["results"] + second_page["results"]] == published[::-1]
    assert_problem(api.get(freelancer_reviews_url(freelancer.pk), {"page": 0}), 400)


def test_public_lists_of_unknown_or_suspended_profiles_are_404(api, freelancer):
    assert_problem(api.get(freelancer_reviews_url("01900000-0000-7000-8000-000000000000")), 404)
    assert_problem(api.get(company_reviews_url("01900000-0000-7000-8000-000000000000")), 404)
    freelancer.is_active = False
    freelancer.save(update_fields=["is_active"])
    assert_problem(api.get(freelancer_reviews_url(freelancer.pk)), 404)


def test_a_company_list_shows_only_that_companys_reviews(api, as_user, contract, company, owner, freelancer):
    published_pair(as_user, contract, owner, freelancer)

    assert ids(api.get(company_reviews_url(CompanyFactory().pk))) == []
    assert len(ids(api.get(company_reviews_url(company.pk)))) == 1
