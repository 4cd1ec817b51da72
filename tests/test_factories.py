"""The factories of tests/factories.py make their objects through the services, in the states they promise."""

from chat.models import Message
from jobs.models import Job
from proposals.models import Contract, Milestone, Proposal, Side
from tests.factories import (
    ContractFactory,
    ConversationFactory,
    JobFactory,
    MessageFactory,
    MilestoneFactory,
    OfferFactory,
    ProposalFactory,
)


def test_a_job_is_open_with_its_audit_row_and_skills(db):
    job = JobFactory(skills=["logo-design"], published_at="2026-01-02T03:04:05Z")

    assert job.status == Job.Status.OPEN
    assert job.company.memberships.get().user == job.posted_by
    assert list(job.skills.values_list("slug", flat=True)) == ["logo-design"]
    assert job.published_at.isoformat() == "2026-01-02T03:04:05+00:00"
    assert list(job.status_changes.values_list("from_status", "to_status")) == [("", "open")]


def test_a_proposal_has_the_freelancers_first_offer(db):
    proposal = ProposalFactory(amount=3_000_000)

    assert proposal.status == Proposal.Status.SUBMITTED
    assert list(proposal.offers.values_list("side", "amount")) == [(Side.FREELANCER, 3_000_000)]


def test_an_offer_is_the_companys_counter(db):
    offer = OfferFactory(amount=1_900_000)

    assert (offer.side, offer.author, offer.amount) == (Side.COMPANY, offer.proposal.job.posted_by, 1_900_000)
    assert offer.proposal.status == Proposal.Status.NEGOTIATING


def test_a_contract_has_one_milestone_per_amount(db):
    contract = ContractFactory(proposal=ProposalFactory(amount=3_000_000), amounts=(1_000_000, 2_000_000))

    assert contract.status == Contract.Status.ACTIVE
    assert list(contract.milestones.order_by("position").values_list("amount", "status")) == [
        (1_000_000, Milestone.Status.PENDING), (2_000_000, Milestone.Status.PENDING)]


def test_a_milestone_is_the_one_of_a_new_contract(db):
    milestone = MilestoneFactory(amount=750_000)

    assert (milestone.amount, milestone.status, milestone.contract.amount) == (750_000, Milestone.Status.PENDING,
                                                                                750_000)


def test_a_message_is_numbered_in_its_conversation(db):
    conversation = ConversationFactory()
    first, second = MessageFactory(conversation=conversation), MessageFactory(conversation=conversation)

    assert [first.seq, second.seq] == [1, 2]
    assert first.sender == conversation.freelancer
    assert Message.objects.filter(conversation=conversation).count() == 2
