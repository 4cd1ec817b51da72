"""Shared helpers of the proposals and notifications tests: URLs, request bodies, jobs, and assertions."""

import datetime

from bantu.core import indonesia
from notifications.models import Notification
from proposals.models import Contract, Milestone, Offer, Proposal
from tests.factories import JobFactory, ProposalFactory

API = "/api/v1"
PROPOSALS = f"{API}/proposals/"
CONTRACTS = f"{API}/contracts/"
COVER_LETTER = "Saya sudah membuat lebih dari 40 logo untuk kedai kopi di Bandung dan Jakarta."


def make_job(company, posted_by, **fields):
    """An open job of `company` posted by `posted_by` (`JobFactory`; `fields` override)."""
    return JobFactory(company=company, posted_by=posted_by, **{"title": "Desain Logo Kedai Kopi",
                      "description": "Logo dan identitas merek untuk kedai kopi baru.", **fields})


def apply_url(job) -> str:
    return f"{API}/jobs/{job.pk}/apply/"


def job_proposals_url(job) -> str:
    return f"{API}/jobs/{job.pk}/proposals/"


def proposal_url(proposal_id, action: str = "") -> str:
    return f"{PROPOSALS}{proposal_id}/{action + '/' if action else ''}"


def contract_url(contract_id, action: str = "") -> str:
    return f"{CONTRACTS}{contract_id}/{action + '/' if action else ''}"


def apply_body(**overrides) -> dict:
    body = {"cover_letter": COVER_LETTER, "amount": 2_500_000, "duration_days": 14}
    body.update(overrides)
    return body


def apply(client, job, **overrides):
    return client.post(apply_url(job), apply_body(**overrides), format="json")


def counter(client, proposal_id, amount: int, duration_days: int, message: str = ""):
    return client.post(proposal_url(proposal_id, "offers"),
                       {"amount": amount, "duration_days": duration_days, "message": message}, format="json")


def accept(client, proposal_id, milestones=None, **extra):
    body = {} if milestones is None else {"milestones": milestones}
    return client.post(proposal_url(proposal_id, "accept"), body, format="json", **extra)


def submit(job, freelancer, amount: int = 2_500_000, duration_days: int = 14) -> Proposal:
    """A proposal made through the service (`ProposalFactory`: setup, not the behaviour under test)."""
    return ProposalFactory(job=job, freelancer=freelancer, cover_letter=COVER_LETTER, amount=amount,
                           duration_days=duration_days)


def in_days(days: int) -> str:
    return (indonesia.today() + datetime.timedelta(days=days)).isoformat()


def kinds(user) -> list[str]:
    """The kinds of `user`'s notifications, oldest first."""
    return list(Notification.objects.filter(user=user).order_by("created_at", "id").values_list("kind", flat=True))


def state(proposal_id) -> dict:
    """Everything an illegal move must leave untouched."""
    proposal = Proposal.objects.select_related("job").get(pk=proposal_id)
    return {
        "status": proposal.status, "amount": proposal.amount, "duration_days": proposal.duration_days,
        "last_offer_side": proposal.last_offer_side, "offers": Offer.objects.filter(proposal=proposal).count(),
        "status_changes": proposal.status_changes.count(), "job_status": proposal.job.status,
        "proposals": Proposal.objects.count(), "contracts": Contract.objects.count(),
        "milestones": Milestone.objects.count(),
    }
