"""Every illegal move answers with the right status and `code`, and changes nothing (PRODUCT.md §2.3-2.5, §3)."""

import pytest

from jobs.models import Job
from jobs.services import job_change_status, job_remove
from notifications.models import Notification
from proposals import services
from proposals.models import Contract, Milestone, Proposal
from tests.factories import FreelancerProfileFactory
from tests.problems import assert_problem

from ..helpers import (
    accept,
    apply,
    apply_body,
    apply_url,
    counter,
    in_days,
    make_job,
    proposal_url,
    state,
    submit,
)

pytestmark = pytest.mark.django_db


def test_freelancer_cannot_accept_own_offer(as_user, job, freelancer):
    proposal = submit(job, freelancer)
    before = state(proposal.pk)

    response = accept(as_user(freelancer), proposal.pk)

    assert_problem(response, 409, "cannot_accept_own_offer")
    assert state(proposal.pk) == before


def test_freelancer_cannot_accept_own_counter_offer(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    counter(as_user(owner), proposal.pk, 2_000_000, 14)
    counter(as_user(freelancer), proposal.pk, 2_200_000, 14)
    before = state(proposal.pk)

    response = accept(as_user(freelancer), proposal.pk)

    assert_problem(response, 409, "cannot_accept_own_offer")
    assert state(proposal.pk) == before


@pytest.mark.parametrize("accepting", ["owner", "recruiter"])
def test_company_cannot_accept_own_counter_offer(request, as_user, job, owner, recruiter, freelancer, accepting):
    proposal = submit(job, freelancer)
    counter(as_user(owner), proposal.pk, 2_000_000, 14)
    before = state(proposal.pk)

    response = accept(as_user(request.getfixturevalue(accepting)), proposal.pk)

    assert_problem(response, 409, "cannot_accept_own_offer")
    assert state(proposal.pk) == before
    assert before["status"] == "negotiating"


def test_accept_after_withdraw_is_409(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    assert as_user(freelancer).post(proposal_url(proposal.pk, "withdraw")).status_code == 200
    before = state(proposal.pk)

    response = accept(as_user(owner), proposal.pk)

    assert_problem(response, 409, "illegal_proposal_transition")
    assert state(proposal.pk) == before
    assert before["status"] == "withdrawn"


def test_counter_on_a_declined_proposal_is_409(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    assert as_user(owner).post(proposal_url(proposal.pk, "decline")).status_code == 200
    before = state(proposal.pk)

    for user in (freelancer, owner):
        response = counter(as_user(user), proposal.pk, 1_500_000, 10)

        assert_problem(response, 409, "illegal_proposal_transition")
        assert state(proposal.pk) == before


def test_withdraw_an_accepted_proposal_is_409(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    assert accept(as_user(owner), proposal.pk).status_code == 201
    before = state(proposal.pk)

    response = as_user(freelancer).post(proposal_url(proposal.pk, "withdraw"))

    assert_problem(response, 409, "illegal_proposal_transition")
    assert state(proposal.pk) == before
    assert before["status"] == "accepted"


def test_counter_after_the_job_is_filled_is_409_job_not_open(as_user, job, owner, freelancer, freelancer_b):
    proposal = submit(job, freelancer)
    other = submit(job, freelancer_b)
    assert accept(as_user(owner), proposal.pk).status_code == 201
    before = state(other.pk)

    response = counter(as_user(freelancer_b), other.pk, 1_000_000, 10)

    assert_problem(response, 409, "job_not_open")
    assert state(other.pk) == before


def test_shortlist_a_negotiating_proposal_is_409(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    counter(as_user(owner), proposal.pk, 2_000_000, 14)
    before = state(proposal.pk)

    response = as_user(owner).post(proposal_url(proposal.pk, "shortlist"))

    assert_problem(response, 409, "illegal_proposal_transition")
    assert state(proposal.pk) == before


def test_shortlist_twice_is_409(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    assert as_user(owner).post(proposal_url(proposal.pk, "shortlist")).status_code == 200
    before = state(proposal.pk)

    response = as_user(owner).post(proposal_url(proposal.pk, "shortlist"))

    assert_problem(response, 409, "illegal_proposal_transition")
    assert state(proposal.pk) == before


def test_decline_twice_is_409(as_user, job, owner, freelancer, django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer)
    assert as_user(owner).post(proposal_url(proposal.pk, "decline")).status_code == 200
    before = state(proposal.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(proposal_url(proposal.pk, "decline"))

    assert_problem(response, 409, "illegal_proposal_transition")
    assert state(proposal.pk) == before
    assert Notification.objects.count() == 0


def test_withdraw_twice_is_409(as_user, job, freelancer):
    proposal = submit(job, freelancer)
    assert as_user(freelancer).post(proposal_url(proposal.pk, "withdraw")).status_code == 200
    before = state(proposal.pk)

    response = as_user(freelancer).post(proposal_url(proposal.pk, "withdraw"))

    assert_problem(response, 409, "illegal_proposal_transition")
    assert state(proposal.pk) == before


def test_apply_to_a_closed_job_is_409_job_not_open(as_user, job, owner, freelancer):
    job_change_status(job=job, to_status=Job.Status.CLOSED, actor=owner)

    response = apply(as_user(freelancer), job)

    assert_problem(response, 409, "job_not_open")
    assert Proposal.objects.count() == 0


def test_apply_to_a_job_in_progress_is_409_job_not_open(as_user, job, owner, freelancer):
    job_change_status(job=job, to_status=Job.Status.IN_PROGRESS, actor=owner)

    response = apply(as_user(freelancer), job)

    assert_problem(response, 409, "job_not_open")
    assert Proposal.objects.count() == 0


def test_apply_to_a_draft_job_is_404(as_user, company, owner, freelancer):
    draft = make_job(company, owner, status=Job.Status.DRAFT)

    response = apply(as_user(freelancer), draft)

    assert_problem(response, 404, "not_found")
    assert Proposal.objects.count() == 0


def test_apply_to_a_removed_job_is_404(as_user, job, operator, freelancer):
    job_remove(job=job, operator=operator, reason="Penipuan")

    response = apply(as_user(freelancer), job)

    assert_problem(response, 404, "not_found")
    assert Proposal.objects.count() == 0


def test_apply_to_an_unknown_job_is_404(as_user, freelancer):
    response = as_user(freelancer).post(f"/api/v1/jobs/{'0' * 8}-0000-7000-8000-{'0' * 12}/apply/", apply_body(),
                                        format="json")

    assert_problem(response, 404, "not_found")


def test_apply_twice_is_409_already_applied(as_user, job, freelancer, django_capture_on_commit_callbacks):
    assert apply(as_user(freelancer), job).status_code == 201

    with django_capture_on_commit_callbacks(execute=True):
        response = apply(as_user(freelancer), job, amount=1_000_000)

    assert_problem(response, 409, "already_applied")
    assert list(Proposal.objects.values_list("freelancer_id", "amount")) == [(freelancer.pk, 2_500_000)]
    assert Notification.objects.count() == 0


def test_member_of_the_company_cannot_apply_to_its_job(as_user, job, recruiter):
    FreelancerProfileFactory(user=recruiter)

    response = apply(as_user(recruiter), job)

    assert_problem(response, 403, "own_company_job")
    assert Proposal.objects.count() == 0


def test_accepting_a_second_proposal_of_a_filled_job_is_409_job_already_filled(as_user, job, owner, freelancer,
                                                                                  freelancer_b):
    first = submit(job, freelancer)
    second = submit(job, freelancer_b)
    assert accept(as_user(owner), first.pk).status_code == 201
    before = state(second.pk)

    for user, proposal in ((owner, second), (owner, first), (freelancer_b, second)):
        response = accept(as_user(user), proposal.pk)

        assert_problem(response, 409, "job_already_filled")
    assert state(second.pk) == before
    assert Contract.objects.get().proposal_id == first.pk


def test_accepting_on_a_closed_job_is_409_job_not_open(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)
    job_change_status(job=job, to_status=Job.Status.CLOSED, actor=owner)
    before = state(proposal.pk)

    response = accept(as_user(owner), proposal.pk)

    assert_problem(response, 409, "job_not_open")
    assert state(proposal.pk) == before


def test_counter_and_accept_on_a_removed_job_are_409_job_not_open(as_user, job, owner, freelancer, operator):
    proposal = submit(job, freelancer)
    job_remove(job=job, operator=operator, reason="Penipuan")
    before = state(proposal.pk)

    assert_problem(counter(as_user(owner), proposal.pk, 2_000_000, 10), 409, "job_not_open")
    assert_problem(accept(as_user(owner), proposal.pk), 409, "job_not_open")
    assert state(proposal.pk) == before


def test_milestones_not_summing_to_the_amount_is_400_and_creates_nothing(as_user, job, owner, freelancer,
                                                                        django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer, amount=2_500_000)
    before = state(proposal.pk)
    plan = [{"title": "Konsep", "amount": 1_000_000}, {"title": "Final", "amount": 1_000_000}]

    with django_capture_on_commit_callbacks(execute=True):
        response = accept(as_user(owner), proposal.pk, plan)

    body = assert_problem(response, 400, "milestone_sum_mismatch")
    assert body["errors"] == {"milestones": ["Amounts must sum to the agreed amount (2500000)."]}
    assert state(proposal.pk) == before
    assert before["status"] == "submitted"
    assert Job.objects.get(pk=job.pk).status == "open"
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": 10_000_000_001}, "amount"),
        ({"amount": "dua juta"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": None}, "amount"),
        ({"duration_days": 0}, "duration_days"),
        ({"duration_days": 731}, "duration_days"),
        ({"duration_days": "lama"}, "duration_days"),
        ({"cover_letter": "Saya bisa."}, "cover_letter"),
        ({"cover_letter": "x" * 10_001}, "cover_letter"),
        ({"cover_letter": 12345678901234567890123}, "cover_letter"),
        ({"attachments": ["bukan url"]}, "attachments.0"),
        ({"attachments": [f"https://contoh.id/karya/{n}" for n in range(11)]}, "attachments"),
        ({"attachments": "https://contoh.id/karya"}, "attachments"),
        ({"status": "accepted"}, "status"),
        ({"freelancer": "00000000-0000-0000-0000-000000000000"}, "freelancer"),
    ],
)
def test_apply_rejects_bad_input(as_user, job, freelancer, overrides, field):
    body = {key: value for key, value in apply_body(**overrides).items() if value is not None}

    response = as_user(freelancer).post(apply_url(job), body, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"], problem
    assert Proposal.objects.count() == 0


def test_apply_accepts_the_boundaries(as_user, job, freelancer):
    response = apply(as_user(freelancer), job, amount=10_000_000_000, duration_days=730, cover_letter="x" * 20,
                     attachments=[f"https://contoh.id/karya/{n}" for n in range(10)])

    assert response.status_code == 201, response.content
    assert Proposal.objects.values_list("amount", "duration_days").get() == (10_000_000_000, 730)


def test_apply_unknown_field_names_it(as_user, job, freelancer):
    response = as_user(freelancer).post(apply_url(job), apply_body(discount=10), format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert problem["errors"] == {"discount": ["Unknown field."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 0, "duration_days": 10}, "amount"),
        ({"amount": 10_000_000_001, "duration_days": 10}, "amount"),
        ({"amount": "murah", "duration_days": 10}, "amount"),
        ({"amount": 1_000_000, "duration_days": 731}, "duration_days"),
        ({"amount": 1_000_000}, "duration_days"),
        ({"amount": 1_000_000, "duration_days": 10, "message": 5}, "message"),
        ({"amount": 1_000_000, "duration_days": 10, "side": "freelancer"}, "side"),
    ],
)
def test_counter_offer_rejects_bad_input(as_user, job, owner, freelancer, body, field):
    proposal = submit(job, freelancer)
    before = state(proposal.pk)

    response = as_user(owner).post(proposal_url(proposal.pk, "offers"), body, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"], problem
    assert state(proposal.pk) == before


@pytest.mark.parametrize(
    ("milestones", "field"),
    [
        ([{"title": "Final", "amount": 2_500_000, "due_date": "2001-01-01"}], "milestones.0.due_date"),
        ([{"title": "Final", "amount": 2_500_000, "due_date": "besok"}], "milestones.0.due_date"),
        ([{"title": "F", "amount": 2_500_000}], "milestones.0.title"),
        ([{"title": "Final", "amount": 0}], "milestones.0.amount"),
        ([{"title": "Awal", "amount": 3_000_000}, {"title": "Final", "amount": -500_000}], "milestones.1.amount"),
        ([{"amount": 2_500_000}], "milestones.0.title"),
        ([{"title": "Final", "amount": 2_500_000, "status": "paid"}], "milestones.0.status"),
    ],
)
def test_accept_rejects_a_bad_milestone_plan(as_user, job, owner, freelancer, milestones, field):
    proposal = submit(job, freelancer, amount=2_500_000)
    before = state(proposal.pk)

    response = accept(as_user(owner), proposal.pk, milestones)

    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"], problem
    assert state(proposal.pk) == before
    assert Contract.objects.count() == Milestone.objects.count() == 0


WHOLE_PLAN_ERRORS = [
    ([], "This list may not be empty."),
    ("semua", 'Expected a list of items but got type "str".'),
    ([{"title": f"Tahap {n}", "amount": 125_000} for n in range(21)],
     "Ensure this field has no more than 20 elements."),
]


@pytest.mark.parametrize(("milestones", "message"), WHOLE_PLAN_ERRORS)
def test_accept_rejects_an_empty_or_malformed_plan(as_user, job, owner, freelancer, milestones, message):
    proposal = submit(job, freelancer, amount=2_500_000)
    before = state(proposal.pk)

    response = accept(as_user(owner), proposal.pk, milestones)

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"].values()) == [[message]]
    assert state(proposal.pk) == before
    assert Contract.objects.count() == Milestone.objects.count() == 0


@pytest.mark.parametrize(("milestones", "message"), WHOLE_PLAN_ERRORS)
def test_errors_of_the_whole_plan_are_keyed_by_the_field_name(as_user, job, owner, freelancer, milestones, message):
    proposal = submit(job, freelancer, amount=2_500_000)

    response = accept(as_user(owner), proposal.pk, milestones)

    assert assert_problem(response, 400, "validation_error")["errors"] == {"milestones": [message]}


def test_accept_with_null_milestones_is_400(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)

    response = as_user(owner).post(proposal_url(proposal.pk, "accept"), {"milestones": None}, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert problem["errors"] == {"milestones": ["This field may not be null."]}
    assert Contract.objects.count() == 0


def test_accept_with_a_due_date_today_is_allowed(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer, amount=2_500_000)

    response = accept(as_user(owner), proposal.pk, [{"title": "Final", "amount": 2_500_000, "due_date": in_days(0)}])

    assert response.status_code == 201, response.content


def test_accept_rejects_unknown_fields(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer)

    response = as_user(owner).post(proposal_url(proposal.pk, "accept"), {"amount": 1}, format="json")

    assert assert_problem(response, 400, "validation_error")["errors"] == {"amount": ["Unknown field."]}
    assert Contract.objects.count() == 0


def test_service_refuses_a_non_party(job, freelancer, other_company_owner):
    proposal = submit(job, freelancer)

    with pytest.raises(services.Forbidden) as error:
        services.offer_counter(proposal=proposal, actor=other_company_owner, amount=1, duration_days=1)

    assert error.value.code == "not_a_party"
