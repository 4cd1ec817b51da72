"""The proposal flow through the API (PRODUCT.md §2.3-2.5): apply, negotiate, accept → contract."""

import pytest

from jobs.models import Job
from proposals.models import Contract, Milestone, Offer, Proposal
from proposals.services import DEFAULT_MILESTONE_TITLE

from ..helpers import (
    COVER_LETTER,
    accept,
    apply,
    contract_url,
    counter,
    in_days,
    kinds,
    proposal_url,
    submit,
)

pytestmark = pytest.mark.django_db


def test_whole_flow_from_apply_to_contract(as_user, job, owner, company_admin, recruiter, freelancer, freelancer_b,
                                           django_capture_on_commit_callbacks):
    company_side = as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        b_response = apply(as_user(freelancer_b), job, amount=2_000_000, duration_days=10)

        applied = apply(as_user(freelancer), job, amount=2_500_000, duration_days=14,
                        attachments=["https://dribbble.com/dewi/kopi"])

        assert applied.status_code == 201, applied.content
        body = applied.json()
        proposal_id = body["id"]
        assert body["status"] == "submitted"
        assert body["amount"] == 2_500_000
        assert body["duration_days"] == 14
        assert body["currency"] == "IDR"
        assert body["last_offer_side"] == "freelancer"
        assert body["cover_letter"] == COVER_LETTER
        assert body["attachments"] == ["https://dribbble.com/dewi/kopi"]
        assert body["job"] == {"id": str(job.pk), "title": "Desain Logo Kedai Kopi", "status": "open",
                               "company": {"id": str(job.company_id), "name": job.company.name}}
        assert body["freelancer"] == {"id": str(freelancer.pk), "full_name": freelancer.full_name}
        history = as_user(freelancer).get(proposal_url(proposal_id, "offers")).json()["results"]
        assert [(o["side"], o["author"]["id"], o["amount"], o["duration_days"], o["message"]) for o in history] == [
            ("freelancer", str(freelancer.pk), 2_500_000, 14, COVER_LETTER)]

        countered = counter(company_side, proposal_id, 2_200_000, 20, "Anggaran kami 2,2 juta.")

        assert countered.status_code == 201, countered.content
        assert countered.json()["side"] == "company"
        assert countered.json()["author"]["id"] == str(owner.pk)
        proposal = company_side.get(proposal_url(proposal_id)).json()
        assert (proposal["status"], proposal["last_offer_side"], proposal["amount"], proposal["duration_days"]) == (
            "negotiating", "company", 2_200_000, 20)

        countered = counter(as_user(freelancer), proposal_id, 2_350_000, 18, "Bertemu di tengah?")

        assert countered.status_code == 201, countered.content
        proposal = as_user(freelancer).get(proposal_url(proposal_id)).json()
        assert (proposal["status"], proposal["last_offer_side"], proposal["amount"]) == (
            "negotiating", "freelancer", 2_350_000)

        plan = [{"title": "Konsep awal", "amount": 1_000_000, "due_date": in_days(7)},
                {"title": "Logo final", "amount": 1_000_000, "due_date": in_days(14)},
                {"title": "Panduan merek", "amount": 350_000}]
        accepted = accept(company_side, proposal_id, plan)

    assert accepted.status_code == 201, accepted.content
    contract = accepted.json()
    assert contract["proposal"] == proposal_id
    assert contract["amount"] == 2_350_000
    assert contract["duration_days"] == 18
    assert contract["currency"] == "IDR"
    assert contract["status"] == "active"
    assert contract["job"]["id"] == str(job.pk)
    assert contract["job"]["status"] == "in_progress"
    assert contract["company"] == {"id": str(job.company_id), "name": job.company.name}
    assert contract["freelancer"]["id"] == str(freelancer.pk)
    assert [(m["position"], m["title"], m["amount"], m["due_date"], m["status"]) for m in contract["milestones"]] == [
        (1, "Konsep awal", 1_000_000, in_days(7), "pending"),
        (2, "Logo final", 1_000_000, in_days(14), "pending"),
        (3, "Panduan merek", 350_000, None, "pending"),
    ]
    stored = Contract.objects.get()
    assert stored.accepted_offer == Offer.objects.filter(proposal_id=proposal_id).order_by("created_at").last()
    assert stored.accepted_offer.amount == 2_350_000
    assert Proposal.objects.get(pk=proposal_id).status == "accepted"
    assert Job.objects.get(pk=job.pk).status == "in_progress"
    assert Proposal.objects.get(pk=b_response.json()["id"]).status == "declined"
    assert as_user(freelancer).get(contract_url(contract["id"])).json() == contract
    assert as_user(recruiter).get(contract_url(contract["id"])).json() == contract
    milestones = as_user(freelancer).get(contract_url(contract["id"], "milestones")).json()
    assert milestones == {"count": 3, "next": None, "previous": None, "results": contract["milestones"]}

    for member in (company_admin, recruiter):
        assert kinds(member) == ["proposal.submitted", "proposal.submitted", "proposal.countered",
                                 "proposal.accepted"]
    # The owner countered and accepted: notified of neither of their own acts.
    assert kinds(owner) == ["proposal.submitted", "proposal.submitted", "proposal.countered"]
    assert kinds(freelancer) == ["proposal.countered", "proposal.accepted"]
    assert kinds(freelancer_b) == ["proposal.declined"]
    notification = freelancer.notifications.get(kind="proposal.accepted")
    assert notification.data == {"proposal": proposal_id, "job": str(job.pk), "contract": contract["id"],
                                 "accepted_by": "company"}
    assert notification.body == "A contract of Rp2.350.000 has started."
    declined = freelancer_b.notifications.get()
    assert declined.data == {"proposal": b_response.json()["id"], "job": str(job.pk)}
    assert declined.body == "The company hired another freelancer for this job."


def test_submitted_notification_tells_the_bid(as_user, job, owner, freelancer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(as_user(freelancer), job, amount=2_500_000, duration_days=14)

    notification = owner.notifications.get()
    assert notification.kind == "proposal.submitted"
    assert notification.title == "New proposal for “Desain Logo Kedai Kopi”"
    assert notification.body == "Bid: Rp2.500.000 for 14 days."
    assert notification.data == {"proposal": response.json()["id"], "job": str(job.pk)}
    assert notification.read_at is None


def test_counter_offer_is_not_notified_to_its_author(as_user, job, owner, recruiter, freelancer,
                                                     django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer)
    with django_capture_on_commit_callbacks(execute=True):
        counter(as_user(freelancer), proposal.pk, 2_400_000, 12)
        counter(as_user(owner), proposal.pk, 2_300_000, 12)

    assert kinds(owner) == ["proposal.countered"]
    assert kinds(recruiter) == ["proposal.countered"]
    assert kinds(freelancer) == ["proposal.countered"]
    assert freelancer.notifications.get().body == "Rp2.300.000 for 12 days."


def test_accept_without_milestones_makes_one_milestone_for_the_whole_amount(as_user, job, owner, freelancer):
    proposal = submit(job, freelancer, amount=3_000_000, duration_days=21)

    response = accept(as_user(owner), proposal.pk)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == 3_000_000
    assert body["duration_days"] == 21
    assert [(m["position"], m["title"], m["amount"], m["due_date"]) for m in body["milestones"]] == [
        (1, DEFAULT_MILESTONE_TITLE, 3_000_000, None)]
    assert Milestone.objects.count() == 1


def test_freelancer_accepts_the_company_counter_offer(as_user, job, owner, recruiter, freelancer,
                                                      django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer, amount=4_000_000, duration_days=30)
    counter(as_user(recruiter), proposal.pk, 3_500_000, 25, "Bisa 3,5 juta?")

    with django_capture_on_commit_callbacks(execute=True):
        response = accept(as_user(freelancer), proposal.pk)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == 3_500_000
    assert body["duration_days"] == 25
    assert [m["amount"] for m in body["milestones"]] == [3_500_000]
    assert Job.objects.get(pk=job.pk).status == "in_progress"
    assert Proposal.objects.get(pk=proposal.pk).status == "accepted"
    notification = owner.notifications.get()
    assert notification.kind == "proposal.accepted"
    assert notification.data["accepted_by"] == "freelancer"
    assert kinds(recruiter) == ["proposal.accepted"]


def test_shortlist_then_accept(as_user, job, owner, freelancer, django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer)

    with django_capture_on_commit_callbacks(execute=True):
        shortlisted = as_user(owner).post(proposal_url(proposal.pk, "shortlist"))

    assert shortlisted.status_code == 200, shortlisted.content
    assert shortlisted.json()["status"] == "shortlisted"
    assert kinds(freelancer) == ["proposal.shortlisted"]

    accepted = accept(as_user(owner), proposal.pk)

    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["amount"] == 2_500_000
    assert list(Proposal.objects.get(pk=proposal.pk).status_changes.values_list("from_status", "to_status")) == [
        ("", "submitted"), ("submitted", "shortlisted"), ("shortlisted", "accepted")]


def test_decline_with_reason_notifies_the_freelancer(as_user, job, owner, freelancer,
                                                     django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(proposal_url(proposal.pk, "decline"), {"reason": "Portofolio kurang cocok."},
                                       format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    notification = freelancer.notifications.get()
    assert (notification.kind, notification.body) == ("proposal.declined", "Portofolio kurang cocok.")
    assert Job.objects.get(pk=job.pk).status == "open"


def test_withdraw_notifies_the_company(as_user, job, owner, freelancer, django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(freelancer).post(proposal_url(proposal.pk, "withdraw"))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert kinds(owner) == ["proposal.withdrawn"]
    assert kinds(freelancer) == []


def test_offers_history_lists_every_offer_in_order_with_sides_and_authors(as_user, job, owner, recruiter,
                                                                           freelancer):
    proposal = submit(job, freelancer, amount=2_500_000, duration_days=14)
    assert counter(as_user(owner), proposal.pk, 2_000_000, 14, "Terlalu mahal.").status_code == 201
    assert counter(as_user(freelancer), proposal.pk, 2_300_000, 12, "Bisa lebih cepat.").status_code == 201
    assert counter(as_user(recruiter), proposal.pk, 2_200_000, 12, "").status_code == 201

    for user in (freelancer, owner, recruiter):
        response = as_user(user).get(proposal_url(proposal.pk, "offers"))

        assert response.status_code == 200, response.content
        assert [(o["side"], o["author"], o["amount"], o["duration_days"], o["message"])
                for o in response.json()["results"]] == [
            ("freelancer", {"id": str(freelancer.pk), "full_name": freelancer.full_name}, 2_500_000, 14,
             COVER_LETTER),
            ("company", {"id": str(owner.pk), "full_name": owner.full_name}, 2_000_000, 14, "Terlalu mahal."),
            ("freelancer", {"id": str(freelancer.pk), "full_name": freelancer.full_name}, 2_300_000, 12,
             "Bisa lebih cepat."),
            ("company", {"id": str(recruiter.pk), "full_name": recruiter.full_name}, 2_200_000, 12, ""),
        ]
    body = as_user(freelancer).get(proposal_url(proposal.pk)).json()
    assert (body["amount"], body["duration_days"], body["last_offer_side"]) == (2_200_000, 12, "company")


@pytest.mark.parametrize("accepting", ["owner", "freelancer"])
def test_the_accepting_user_is_not_notified_of_their_own_accept(request, as_user, job, owner, recruiter, freelancer,
                                                                accepting, django_capture_on_commit_callbacks):
    proposal = submit(job, freelancer)
    if accepting == "freelancer":
        counter(as_user(owner), proposal.pk, 2_000_000, 10)
    actor = request.getfixturevalue(accepting)
    other_side = freelancer if accepting == "owner" else owner

    with django_capture_on_commit_callbacks(execute=True):
        assert accept(as_user(actor), proposal.pk).status_code == 201

    assert kinds(other_side) == ["proposal.accepted"]
    assert kinds(recruiter) == ["proposal.accepted"]
    assert kinds(actor) == []
