"""`Idempotency-Key` on apply, counter offers and accept (PRODUCT.md §3)."""

import pytest

from bantu.core.models import IdempotencyRecord
from jobs.models import Job
from jobs.services import job_change_status
from notifications.models import Notification
from proposals.models import Contract, Milestone, Offer, Proposal
from tests.problems import assert_problem

from ..helpers import accept, apply_body, apply_url, proposal_url, submit

pytestmark = pytest.mark.django_db

KEY = "6f1c2d3e-apply-0001"


def post(client, url, body, key=KEY):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_apply_replayed_with_the_same_key_and_body_returns_the_first_response(
        as_user, job, owner, freelancer, django_capture_on_commit_callbacks):
    client = as_user(freelancer)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, apply_url(job), apply_body())
        second = post(client, apply_url(job), apply_body())

    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    assert second.status_code == 201, second.content
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Proposal.objects.count() == 1
    assert Offer.objects.count() == 1
    assert Notification.objects.filter(user=owner).count() == 1


def test_same_key_with_another_body_is_422(as_user, job, freelancer):
    client = as_user(freelancer)
    assert post(client, apply_url(job), apply_body()).status_code == 201

    response = post(client, apply_url(job), apply_body(amount=1_000_000))

    assert_problem(response, 422, "idempotency_key_reused")
    assert list(Proposal.objects.values_list("amount", flat=True)) == [2_500_000]


def test_same_key_on_another_endpoint_is_422(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    client = as_user(owner)
    assert post(client, proposal_url(proposal.pk, "shortlist"), {}).status_code == 200  # not idempotent: ignored
    assert post(client, proposal_url(proposal.pk, "offers"), {"amount": 2_000_000, "duration_days": 9}).status_code \
        == 201

    response = post(client, proposal_url(proposal.pk, "accept"), {})

    assert_problem(response, 422, "idempotency_key_reused")
    assert Contract.objects.count() == 0


def test_same_key_of_another_user_is_independent(as_user, job, freelancer, freelancer_b):
    first = post(as_user(freelancer), apply_url(job), apply_body())
    second = post(as_user(freelancer_b), apply_url(job), apply_body())

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert set(Proposal.objects.values_list("freelancer_id", flat=True)) == {freelancer.pk, freelancer_b.pk}
    assert IdempotencyRecord.objects.filter(key=KEY).count() == 2


def test_a_failed_request_is_not_remembered(as_user, job, freelancer):
    client = as_user(freelancer)

    failed = post(client, apply_url(job), apply_body(amount=0))

    assert_problem(failed, 400, "validation_error")
    assert IdempotencyRecord.objects.count() == 0

    retried = post(client, apply_url(job), apply_body())

    assert retried.status_code == 201, retried.content
    assert "Idempotent-Replayed" not in retried
    assert Proposal.objects.get().amount == 2_500_000


def test_a_conflict_is_not_remembered(as_user, job, owner, freelancer):
    client = as_user(freelancer)
    job_change_status(job=job, to_status=Job.Status.CLOSED, actor=owner)
    assert_problem(post(client, apply_url(job), apply_body()), 409, "job_not_open")
    job_change_status(job=job, to_status=Job.Status.OPEN, actor=owner)

    retried = post(client, apply_url(job), apply_body())

    assert retried.status_code == 201, retried.content
    assert Proposal.objects.count() == 1


def test_accept_replayed_makes_one_contract(as_user, job, owner, freelancer, django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer, amount=2_500_000)
    client = as_user(owner)
    plan = [{"title": "Konsep", "amount": 1_000_000}, {"title": "Final", "amount": 1_500_000}]

    with django_capture_on_commit_callbacks(execute=True):
        first = accept(client, proposal.pk, plan, HTTP_IDEMPOTENCY_KEY="accept-1")
        second = accept(client, proposal.pk, plan, HTTP_IDEMPOTENCY_KEY="accept-1")

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Contract.objects.count() == 1
    assert Milestone.objects.count() == 2
    assert Notification.objects.filter(user=freelancer, kind="proposal.accepted").count() == 1


def test_accept_retried_without_the_key_is_409(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    client = as_user(owner)
    assert accept(client, proposal.pk, HTTP_IDEMPOTENCY_KEY="accept-1").status_code == 201

    assert_problem(accept(client, proposal.pk), 409, "job_already_filled")
    assert Contract.objects.count() == 1


def test_counter_offer_replayed_makes_one_offer(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    client = as_user(owner)
    body = {"amount": 2_000_000, "duration_days": 10, "message": "Nego."}

    first = post(client, proposal_url(proposal.pk, "offers"), body)
    second = post(client, proposal_url(proposal.pk, "offers"), body)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Offer.objects.filter(proposal=proposal).count() == 2


@pytest.mark.parametrize("key", ["k" * 256, " ", ""])
def test_invalid_key_is_400(as_user, job, freelancer, key):
    response = post(as_user(freelancer), apply_url(job), apply_body(), key=key)

    assert_problem(response, 400, "invalid_idempotency_key")
    assert Proposal.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_key_of_255_characters_is_accepted(as_user, job, freelancer):
    client = as_user(freelancer)

    first = post(client, apply_url(job), apply_body(), key="k" * 255)
    second = post(client, apply_url(job), apply_body(), key="k" * 255)

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert Proposal.objects.count() == 1
