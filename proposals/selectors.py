"""Reads of the proposals app: visibility first, then the few joins each list needs (constant query counts)."""

from django.db.models import Prefetch, Q, QuerySet

from bantu.core.permissions import company_roles, is_platform_admin

from .models import Contract, Milestone, Offer, Proposal


def _proposals() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("job", "job__company", "freelancer")


def proposal_visible_to(user) -> QuerySet[Proposal]:
    """The freelancer who sent it, members of the job's company, operators."""
    if is_platform_admin(user):
        return _proposals()
    return _proposals().filter(Q(freelancer=user) | Q(job__company_id__in=list(company_roles(user))))


def proposal_list_mine(*, user, side: str | None = None) -> QuerySet[Proposal]:
    """Proposals I sent (`freelancer`), proposals to my companies' jobs (`company`), or both."""
    mine = Q(freelancer=user)
    theirs = Q(job__company_id__in=list(company_roles(user)))
    condition = {"freelancer": mine, "company": theirs}.get(side, mine | theirs)
    return _proposals().filter(condition)


def proposal_list_for_job(*, job) -> QuerySet[Proposal]:
    return _proposals().filter(job=job)


def offer_history(*, proposal) -> QuerySet[Offer]:
    return proposal.offers.select_related("author").order_by("created_at", "id")


def _contracts() -> QuerySet[Contract]:
    return Contract.objects.select_related("job", "job__company", "company", "freelancer").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position"))
    )


def contract_visible_to(user) -> QuerySet[Contract]:
    """The freelancer, members of the company, operators."""
    if is_platform_admin(user):
        return _contracts()
    return _contracts().filter(Q(freelancer=user) | Q(company_id__in=list(company_roles(user))))


def milestone_list_for_contract(*, contract_id) -> QuerySet[Milestone]:
    """In plan order; `position` is unique within a contract, so pages never overlap or skip."""
    return Milestone.objects.filter(contract_id=contract_id).order_by("position")


def milestone_visible(user, milestone: Milestone) -> bool:
    """Whether `user` may see `milestone` (its `contract` loaded): its contract's freelancer, members of its
    company, operators (the rule of `contract_visible_to`), checked on the row."""
    contract = milestone.contract
    return contract.freelancer_id == user.pk or contract.company_id in company_roles(user) or is_platform_admin(user)


def milestone_visible_or_none(user, milestone_id) -> Milestone | None:
    """One milestone, with its contract, if `user` may see it (`milestone_visible`), else None. Read by primary key
    and checked on the row, a simpler query than filtering by the rule (docs/benchmarks.md, escrow)."""
    milestone = Milestone.objects.select_related("contract").filter(pk=milestone_id).first()
    if milestone is None or not milestone_visible(user, milestone):
        return None
    return milestone
