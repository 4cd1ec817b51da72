"""What the proposal flow announces. Every function schedules on commit and carries ids, never instances."""

from django.db import transaction

from companies.selectors import company_member_ids
from notifications.models import Notification
from notifications.services import notify

Kind = Notification.Kind


def _on_commit(**kwargs):
    transaction.on_commit(lambda: notify(**kwargs))


def _data(proposal) -> dict:
    return {"proposal": str(proposal.pk), "job": str(proposal.job_id)}


def proposal_submitted(proposal, job) -> None:
    _on_commit(user_ids=company_member_ids(company_id=job.company_id), kind=Kind.PROPOSAL_SUBMITTED,
               title=f"New proposal for “{job.title}”",
               body=f"Bid: Rp{proposal.amount:,} for {proposal.duration_days} days.".replace(",", "."),
               data=_data(proposal))


def offer_countered(proposal, job, side: str, actor_id) -> None:
    recipients = [proposal.freelancer_id] if side == "company" else company_member_ids(company_id=job.company_id)
    _on_commit(user_ids=recipients, kind=Kind.OFFER_COUNTERED, exclude_user_id=actor_id,
               title=f"Counter offer on “{job.title}”",
               body=f"Rp{proposal.amount:,} for {proposal.duration_days} days.".replace(",", "."),
               data=_data(proposal))


def proposal_shortlisted(proposal, job) -> None:
    _on_commit(user_ids=[proposal.freelancer_id], kind=Kind.PROPOSAL_SHORTLISTED,
               title=f"You are shortlisted for “{job.title}”", data=_data(proposal))


def proposal_accepted(proposal, job, contract_id, accepted_by_side: str, actor_id) -> None:
    recipients = [proposal.freelancer_id, *company_member_ids(company_id=job.company_id)]
    _on_commit(user_ids=recipients, kind=Kind.PROPOSAL_ACCEPTED, exclude_user_id=actor_id,
               title=f"Proposal accepted: “{job.title}”",
               body=f"A contract of Rp{proposal.amount:,} has started.".replace(",", "."),
               data={**_data(proposal), "contract": str(contract_id), "accepted_by": accepted_by_side})


def proposal_declined(proposal, job, reason: str = "") -> None:
    _on_commit(user_ids=[proposal.freelancer_id], kind=Kind.PROPOSAL_DECLINED,
               title=f"Proposal declined: “{job.title}”", body=reason, data=_data(proposal))


def proposal_withdrawn(proposal, job) -> None:
    _on_commit(user_ids=company_member_ids(company_id=job.company_id), kind=Kind.PROPOSAL_WITHDRAWN,
               title=f"A freelancer withdrew from “{job.title}”", data=_data(proposal))


def contract_completed(contract) -> None:
    recipients = [contract.freelancer_id, *company_member_ids(company_id=contract.company_id)]
    _on_commit(user_ids=recipients, kind=Kind.CONTRACT_COMPLETED,
               title=f"Contract completed: “{contract.job.title}”",
               body="Every milestone is settled. You can now review each other.",
               data={"contract": str(contract.pk), "job": str(contract.job_id)})
