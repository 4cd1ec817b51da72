"""Writes of the proposals app: apply, counter, shortlist, decline, withdraw, accept (→ contract).

Locking contract: every function that changes a proposal locks its job row first, then the proposal row(s) in
primary-key order. Accepting (which changes the job and every other proposal of it) and applying therefore
serialize per job: fifty concurrent accepts make one contract, and nobody applies to a job that was just filled.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden
from bantu.core.money import platform_fee_bps
from bantu.core.permissions import is_member
from bantu.core.rowlock import db_value, locked_rows
from jobs.models import Job
from jobs.services import job_change_status

from . import errors, events
from .models import Contract, Milestone, MilestoneStatusChange, Offer, Proposal, ProposalStatusChange, Side

DEFAULT_MILESTONE_TITLE = "Seluruh pekerjaan (full scope)"


def side_of(*, user: User, proposal: Proposal) -> str | None:
    if proposal.freelancer_id == user.pk:
        return Side.FREELANCER
    if is_member(user, proposal.job.company_id):
        return Side.COMPANY
    return None


def _lock(proposal: Proposal) -> tuple[Job, Proposal]:
    job = Job.objects.select_for_update().get(pk=proposal.job_id)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    locked.job = job
    return job, locked


def _require_side(actor: User, proposal: Proposal, *allowed: str) -> str:
    side = side_of(user=actor, proposal=proposal)
    if side not in allowed:
        who = " or ".join(allowed)
        raise Forbidden(f"Only the {who} side of this proposal may do this.", code=errors.NOT_A_PARTY)
    return side


def _move(proposal: Proposal, to_status: str, actor: User | None, note: str = "") -> None:
    if to_status not in Proposal.ALLOWED_TRANSITIONS[proposal.status]:
        raise Conflict(f"A proposal that is {proposal.status} cannot become {to_status}.",
                       code=errors.ILLEGAL_TRANSITION)
    ProposalStatusChange.objects.create(proposal=proposal, from_status=proposal.status, to_status=to_status,
                                        actor=actor, note=note)
    proposal.status = to_status


def _require_open(job: Job) -> None:
    if job.status != Job.Status.OPEN or job.is_removed:
        raise Conflict("This job is not open for proposals.", code=errors.JOB_NOT_OPEN)


@transaction.atomic
def proposal_submit(*, job: Job, freelancer: User, cover_letter: str, amount: int, duration_days: int,
                    attachments=()) -> Proposal:
    """Apply to an open job. One proposal per freelancer per job (409 already_applied, also under a race).

    Locks the job row (so an apply cannot slip in beside an accept)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    _require_open(job)
    if is_member(freelancer, job.company_id):
        raise Forbidden("You cannot apply to a job of a company you belong to.", code=errors.OWN_COMPANY_JOB)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                job=job, freelancer=freelancer, cover_letter=cover_letter, attachments=list(attachments),
                amount=amount, duration_days=duration_days, last_offer_side=Side.FREELANCER,
            )
    except IntegrityError:
        raise Conflict("You have already applied to this job.", code=errors.ALREADY_APPLIED) from None
    Offer.objects.create(proposal=proposal, side=Side.FREELANCER, author=freelancer, amount=amount,
                         duration_days=duration_days, message=cover_letter[:5_000])
    ProposalStatusChange.objects.create(proposal=proposal, to_status=proposal.status, actor=freelancer)
    events.proposal_submitted(proposal, job)
    return proposal


@transaction.atomic
def offer_counter(*, proposal: Proposal, actor: User, amount: int, duration_days: int, message: str = "") -> Offer:
    """Either side proposes new terms; the proposal is then negotiating and the other side may accept."""
    job, proposal = _lock(proposal)
    side = _require_side(actor, proposal, Side.FREELANCER, Side.COMPANY)
    _require_open(job)
    _move(proposal, Proposal.Status.NEGOTIATING, actor, f"counter offer by {side}")
    offer = Offer.objects.create(proposal=proposal, side=side, author=actor, amount=amount,
                                 duration_days=duration_days, message=message)
    proposal.amount, proposal.duration_days, proposal.last_offer_side = amount, duration_days, side
    proposal.save(update_fields=["status", "amount", "duration_days", "last_offer_side", "updated_at"])
    events.offer_countered(proposal, job, side, actor.pk)
    return offer


@transaction.atomic
def proposal_shortlist(*, proposal: Proposal, actor: User) -> Proposal:
    job, proposal = _lock(proposal)
    _require_side(actor, proposal, Side.COMPANY)
    _move(proposal, Proposal.Status.SHORTLISTED, actor)
    proposal.save(update_fields=["status", "updated_at"])
    events.proposal_shortlisted(proposal, job)
    return proposal


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    job, proposal = _lock(proposal)
    _require_side(actor, proposal, Side.COMPANY)
    _move(proposal, Proposal.Status.DECLINED, actor, reason)
    proposal.save(update_fields=["status", "updated_at"])
    events.proposal_declined(proposal, job, reason)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User) -> Proposal:
    job, proposal = _lock(proposal)
    _require_side(actor, proposal, Side.FREELANCER)
    _move(proposal, Proposal.Status.WITHDRAWN, actor)
    proposal.save(update_fields=["status", "updated_at"])
    events.proposal_withdrawn(proposal, job)
    return proposal


def _milestone_plan(proposal: Proposal, plan) -> list[dict]:
    if not plan:
        return [{"title": DEFAULT_MILESTONE_TITLE, "amount": proposal.amount, "due_date": None}]
    total = sum(item["amount"] for item in plan)
    if total != proposal.amount:
        raise ApplicationError(
            f"Milestone amounts sum to {total}, the agreed amount is {proposal.amount}.",
            code=errors.MILESTONE_SUM,
            errors={"milestones": [f"Amounts must sum to the agreed amount ({proposal.amount})."]},
        )
    return plan


@transaction.atomic
def proposal_accept(*, proposal: Proposal, actor: User, milestones=None) -> Contract:
    """Accept the latest offer: contract with milestones, job in progress, the other proposals declined.

    Only the side that did not make the latest offer may accept. Locks the job, then this proposal, then the
    job's other active proposals in pk order; the unique contract-per-job/proposal constraints back this up.
    """
    job, proposal = _lock(proposal)
    side = _require_side(actor, proposal, Side.FREELANCER, Side.COMPANY)
    if job.status == Job.Status.IN_PROGRESS:
        raise Conflict("This job already has a contract.", code=errors.JOB_ALREADY_FILLED)
    _require_open(job)
    if proposal.status not in Proposal.ACTIVE_STATUSES:
        raise Conflict(f"A proposal that is {proposal.status} cannot be accepted.", code=errors.ILLEGAL_TRANSITION)
    if side == proposal.last_offer_side:
        raise Conflict("You made the latest offer: the other side accepts it or counters.", code=errors.OWN_OFFER)
    plan = _milestone_plan(proposal, milestones)
    offer = proposal.offers.order_by("-created_at", "-id").first()
    _move(proposal, Proposal.Status.ACCEPTED, actor, f"accepted by {side}")
    proposal.save(update_fields=["status", "updated_at"])
    contract = Contract.objects.create(proposal=proposal, job=job, company_id=job.company_id,
                                       freelancer_id=proposal.freelancer_id, accepted_offer=offer,
                                       amount=proposal.amount, duration_days=proposal.duration_days,
                                       platform_fee_bps=platform_fee_bps())
    Milestone.objects.bulk_create([
        Milestone(contract=contract, position=index, title=item["title"], amount=item["amount"],
                  due_date=item.get("due_date"))
        for index, item in enumerate(plan, start=1)
    ])
    job_change_status(job=job, to_status=Job.Status.IN_PROGRESS, actor=actor, note=f"contract {contract.pk}")
    others = (Proposal.objects.select_for_update().filter(job=job, status__in=Proposal.ACTIVE_STATUSES)
              .exclude(pk=proposal.pk).order_by("pk"))
    for other in others:
        _move(other, Proposal.Status.DECLINED, actor, "another proposal was accepted")
        other.save(update_fields=["status", "updated_at"])
        events.proposal_declined(other, job, "The company hired another freelancer for this job.")
    events.proposal_accepted(proposal, job, contract.pk, side, actor.pk)
    return contract


# --- Milestones and contract completion (driven by the payments app) -----------------------------------------


def milestone_lock(*, milestone_id, with_contract: bool = False) -> Milestone:
    """The milestone row, locked until the caller's transaction ends.

    FOR NO KEY UPDATE, not FOR UPDATE: inserting a row that references the milestone or contract (a ledger
    transaction, an audit row) takes FOR KEY SHARE on it when PostgreSQL checks the deferred foreign key at
    commit, and FOR UPDATE would make that wait for (and deadlock with) whoever holds the row.

    Lock order: with `with_contract`, the contract row is locked first, then the milestone — every caller that
    may settle a milestone (and so complete the contract) locks both in that order, so two milestones of one
    contract settling at once cannot both miss that the contract is done. Raises Milestone.DoesNotExist;
    ValidationError for an id that is not a UUID.

    One statement per lock (`bantu.core.rowlock`): this runs on every approval, submission and dispute."""
    quote = connection.ops.quote_name
    milestone_pk = db_value(Milestone, "id", milestone_id)
    if with_contract:
        # One statement finds and locks the contract through the milestone (only the contract's row is locked).
        # Not its job: only completing the contract needs it, and then reads it.
        contracts = locked_rows(Contract, where=(
            f"{quote('id')} = (SELECT {quote('contract_id')} FROM {quote(Milestone._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('id')} = %s)"), params=[milestone_pk])
        if not contracts:
            raise Milestone.DoesNotExist(f"No milestone {milestone_id}.")
        milestone = _milestone_locked(milestone_pk)
        milestone.contract = contracts[0]
        return milestone
    milestone = _milestone_locked(milestone_pk)
    milestone.contract = Contract.objects.select_related("job").get(pk=milestone.contract_id)
    return milestone


def _milestone_locked(milestone_pk) -> Milestone:
    rows = locked_rows(Milestone, where=f"{connection.ops.quote_name('id')} = %s", params=[milestone_pk])
    if not rows:
        raise Milestone.DoesNotExist(f"No milestone {milestone_pk}.")
    return rows[0]


def milestone_move(*, milestone: Milestone, to_status: str, actor: User | None, note: str = "",
                   **fields) -> Milestone:
    """Move a milestone the caller has locked (`milestone_lock`) to `to_status`, setting `fields` too, with an
    audit row. Raises Conflict (illegal_milestone_transition) when the map does not allow the move."""
    if to_status not in Milestone.ALLOWED_TRANSITIONS[milestone.status]:
        raise Conflict(f"A milestone that is {milestone.status} cannot become {to_status}.",
                       code=errors.ILLEGAL_MILESTONE_TRANSITION)
    MilestoneStatusChange.objects.create(milestone=milestone, from_status=milestone.status, to_status=to_status,
                                         actor=actor, note=note[:500])
    milestone.status = to_status
    if to_status in Milestone.SETTLED_STATUSES:
        fields.setdefault("settled_at", timezone.now())
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.save(update_fields=["status", *fields, "updated_at"])
    return milestone


def contract_lock(*, contract_id) -> Contract:
    """The contract row, locked (FOR NO KEY UPDATE, see `milestone_lock`) until the caller's transaction ends, with
    its job read alongside (not locked). Raises Contract.DoesNotExist."""
    return Contract.objects.select_for_update(no_key=True, of=("self",)).select_related("job").get(pk=contract_id)


def contract_complete_if_settled(*, contract: Contract, actor: User | None = None) -> bool:
    """Complete a contract (and its job) whose milestones are all released or refunded.

    The caller holds the contract row lock (`milestone_lock(with_contract=True)`). Returns True when it completed
    the contract now; False when a milestone is still open or it was already complete."""
    if contract.status != Contract.Status.ACTIVE:
        return False
    if contract.milestones.exclude(status__in=Milestone.SETTLED_STATUSES).exists():
        return False
    contract.status = Contract.Status.COMPLETED
    contract.completed_at = timezone.now()
    contract.save(update_fields=["status", "completed_at", "updated_at"])
    job_change_status(job=contract.job, to_status=Job.Status.COMPLETED, actor=actor, note=f"contract {contract.pk}")
    events.contract_completed(contract)
    return True
