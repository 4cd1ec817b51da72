"""One marketplace with an object of every kind, for the tests that call every route of the schema (the
authorization matrix, the schema fuzzing, the generated client).

`world()` is a company (owner and recruiter), another company's owner, a freelancer with a proposal, an open, a
draft, a removed and a spare job, a contract of another freelancer, a notification, a conversation with a
message, a device and a signed-in session of the owner. `money(world)` adds a contract between the company and
the world's freelancer whose milestones are released (the wallet holds 900,000), funded, pending, and pending
with an open sandbox checkout, and a payout: it is the slow part, so it is built only where needed.
`reviews(world)` adds three completed contracts between the company and the world's freelancer: one reviewed by
both sides (the company's review hidden by an operator), one with the freelancer's review pending, and one not
reviewed yet."""

from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import AuthSession
from accounts.services import tokens_issue
from companies.models import Company, Membership
from jobs.models import Job
from notifications.models import Device, Notification
from notifications.services import device_register
from payments.gateways import sandbox
from payments.services import escrow, payouts, webhooks
from reviews import services as review_services
from tests.factories import (
    CompanyFactory,
    CompletedContractFactory,
    ContractFactory,
    ConversationFactory,
    FreelancerProfileFactory,
    JobFactory,
    MembershipFactory,
    MessageFactory,
    ProposalFactory,
    UserFactory,
    operator_in,
)
from tests.payments.helpers import make_contract

PAYOUT_BODY = {"amount": 100_000, "bank_code": "BCA", "account_number": "1234567890",
               "account_holder_name": "Budi Santoso"}


def world() -> dict:
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role=Membership.Role.OWNER).user
    recruiter_membership = MembershipFactory(company=company, role=Membership.Role.RECRUITER)
    recruiter = recruiter_membership.user
    other_member = MembershipFactory(company=CompanyFactory(), role=Membership.Role.OWNER).user
    profile = FreelancerProfileFactory()
    UserFactory(email="new@example.id")
    fields = {"company": company, "posted_by": owner, "title": "Logo kopi", "description": "Logo untuk kedai kopi.",
              "budget_min": 1, "budget_max": 2}
    job = JobFactory(**fields)
    draft = JobFactory(status=Job.Status.DRAFT, **fields)
    removed = JobFactory(**fields)
    Job.objects.filter(pk=removed.pk).update(removed_at="2026-01-01T00:00:00Z", removed_reason="spam")
    job2 = JobFactory(**fields)
    proposal = ProposalFactory(job=job, freelancer=profile.user, cover_letter="Saya siap.", amount=2, duration_days=3)
    hired = JobFactory(**fields)
    other = ProposalFactory(job=hired, cover_letter="Saya juga.", amount=2, duration_days=3)
    contract = ContractFactory(proposal=other, actor=owner)
    notification = Notification.objects.create(user=owner, kind=Notification.Kind.PROPOSAL_SUBMITTED, title="x")
    conversation = ConversationFactory(proposal=proposal, user=owner)
    message = MessageFactory(conversation=conversation, sender=owner, body="Halo dari kami.")
    device, _ = device_register(user=owner, kind=Device.Kind.FCM, token="fcm-token-owner")
    session = AuthSession.objects.get(pk=AccessToken(tokens_issue(user=owner)["access"])["sid"])
    return {
        "users": {"anonymous": None, "freelancer": profile.user, "other_member": other_member,
                  "recruiter": recruiter, "owner": owner, "operator": operator_in("moderator")},
        "ids": {"company": company.pk, "profile": profile.pk, "job": job.pk, "draft": draft.pk,
                "removed": removed.pk, "job2": job2.pk, "proposal": proposal.pk, "contract": contract.pk,
                "notification": notification.pk, "recruiter_membership": recruiter_membership.pk,
                "conversation": conversation.pk, "message": message.pk, "device": device.pk,
                "session": session.pk},
    }


def _pay(owner, milestone_id):
    """Fund a milestone and pay it the way the sandbox checkout page does (a signed callback)."""
    payment = escrow.milestone_fund(milestone_id=milestone_id, actor=owner)
    headers, body = sandbox.callback(kind="payment", reference=payment.external_id, status="paid",
                                     amount=payment.amount, event_id=f"sandbox:{payment.pk}:paid")
    assert webhooks.webhook_receive(gateway="sandbox", headers=headers, body=body).outcome == "applied"


def money(world: dict) -> dict:
    users = world["users"]
    owner, freelancer = users["owner"], users["freelancer"]
    contract = make_contract(Company.objects.get(pk=world["ids"]["company"]), owner, freelancer,
                             amounts=(1_000_000,) * 4, title="Logo berbayar")
    released, funded, to_fund, checkout = contract.milestones.order_by("position")
    _pay(owner, released.pk)
    escrow.milestone_approve(milestone_id=released.pk, actor=owner)
    _pay(owner, funded.pk)
    payout = payouts.payout_request(user=freelancer, **PAYOUT_BODY)
    payment = escrow.milestone_fund(milestone_id=checkout.pk, actor=owner)
    return {"paid_contract": contract.pk, "to_fund": to_fund.pk, "funded": funded.pk, "payment": payment.pk,
            "payout": payout.pk}


def reviews(world: dict) -> dict:
    users = world["users"]
    owner, freelancer = users["owner"], users["freelancer"]
    company = Company.objects.get(pk=world["ids"]["company"])
    reviewed, pending, reviewable = (CompletedContractFactory(company=company, owner=owner, freelancer=freelancer)
                                     for _ in range(3))
    review = review_services.review_create(contract_id=reviewed.pk, author=freelancer, rating=4, comment="Brief jelas.")
    hidden = review_services.review_create(contract_id=reviewed.pk, author=owner, rating=5, comment="Rapi dan cepat.",
                                   communication=5, quality=5, timeliness=4)
    review_services.review_hide(hidden, by=users["operator"], reason="Menyebut nomor telepon.")
    waiting = review_services.review_create(contract_id=pending.pk, author=freelancer, rating=3, comment="Cukup baik.")
    return {"review": review.pk, "hidden_review": hidden.pk, "pending_review": waiting.pk,
            "reviewable": reviewable.pk}
