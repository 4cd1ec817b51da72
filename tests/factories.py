"""Factories of the suite's objects (factory-boy). Users, companies, memberships and profiles are plain rows; the
marketplace's objects (jobs, proposals, offers, contracts, milestones, conversations, messages) are made through
their services, as a client's calls would make them: a job gets its audit row and skills text, a proposal its
first offer, a contract its milestones, a message its sequence number. Amounts are integer rupiah."""

import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from chat.models import Conversation, Message
from chat.services import conversation_open_for_proposal, message_send
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile
from jobs.models import Job
from jobs.services import job_create
from proposals.models import Contract, Milestone, Offer, Proposal
from proposals.services import offer_counter, proposal_accept, proposal_submit
from taxonomy.models import Category, Skill

PASSWORD = "Correct-Horse-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Faker("name", locale="id_ID")
    # Verified, like every account that has used the marketplace: the verification gate has its own tests,
    # which make unverified users with `email_verified_at=None`.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"PT Contoh {n}")
    slug = factory.Sequence(lambda n: f"pt-contoh-{n}")
    city = "Jakarta Selatan"
    province = "DKI Jakarta"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class FreelancerProfileFactory(DjangoModelFactory):
    class Meta:
        model = FreelancerProfile

    user = factory.SubFactory(UserFactory)
    headline = "Desainer Grafis"
    hourly_rate = 150_000
    city = "Bandung"
    province = "Jawa Barat"


def _owner_of(company: Company) -> User:
    return MembershipFactory(company=company, role=Membership.Role.OWNER).user


class JobFactory(factory.Factory):
    """A job posted through `jobs.services.job_create` (open unless `status="draft"`). `company` and `posted_by`
    (a member of it; by default a new owner) may be given; `category` and `skills` are slugs; `published_at`
    overrides the time the job opened (for ordering and `posted_since`). Other keywords are the job's fields."""

    class Meta:
        model = Job

    company = factory.SubFactory(CompanyFactory)
    posted_by = factory.LazyAttribute(lambda o: _owner_of(o.company))
    status = Job.Status.OPEN
    title = "Desain Logo untuk Kedai Kopi"
    description = "Kami mencari desainer untuk membuat logo kedai kopi di Bandung."
    category = "logo-brand-identity"
    skills = ()
    budget_min = 1_000_000
    budget_max = 5_000_000
    published_at = None

    @classmethod
    def _create(cls, model_class, *, company, posted_by, category, skills, published_at, **fields):
        job = job_create(company=company, posted_by=posted_by, category=Category.objects.get(slug=category),
                         skills=[Skill.objects.get(slug=slug) for slug in skills], **fields)
        if published_at is not None:
            Job.objects.filter(pk=job.pk).update(published_at=published_at)
            job.refresh_from_db()
        return job


class ProposalFactory(factory.Factory):
    """A proposal submitted through `proposals.services.proposal_submit` (with its first offer, from the
    freelancer) to `job` (by default a new open job) by `freelancer` (by default a new freelancer)."""

    class Meta:
        model = Proposal

    job = factory.SubFactory(JobFactory)
    freelancer = factory.LazyFunction(lambda: FreelancerProfileFactory().user)
    cover_letter = "Saya sudah membuat lebih dari 40 logo untuk kedai kopi di Bandung dan Jakarta."
    amount = 2_500_000
    duration_days = 14

    @classmethod
    def _create(cls, model_class, **fields):
        return proposal_submit(**fields)


class OfferFactory(factory.Factory):
    """A counter offer through `proposals.services.offer_counter` on `proposal` (by default a new one) by
    `actor` (by default the owner who posted the proposal's job: the company's side)."""

    class Meta:
        model = Offer

    proposal = factory.SubFactory(ProposalFactory)
    actor = factory.LazyAttribute(lambda o: o.proposal.job.posted_by)
    amount = 2_000_000
    duration_days = 10
    message = ""

    @classmethod
    def _create(cls, model_class, **fields):
        return offer_counter(**fields)


class ContractFactory(factory.Factory):
    """An active contract: `proposal` (by default a new one) accepted through `proposals.services.
    proposal_accept` by the owner who posted its job, with one pending milestone per amount in `amounts`
    (by default one milestone for the proposal's amount)."""

    class Meta:
        model = Contract

    proposal = factory.SubFactory(ProposalFactory)
    actor = factory.LazyAttribute(lambda o: o.proposal.job.posted_by)
    amounts = None

    @classmethod
    def _create(cls, model_class, *, proposal, actor, amounts):
        plan = None if amounts is None else [{"title": f"Tahap {index}", "amount": amount}
                                             for index, amount in enumerate(amounts, start=1)]
        return proposal_accept(proposal=proposal, actor=actor, milestones=plan)


class MilestoneFactory(factory.Factory):
    """The one pending milestone of a new active contract for `amount` rupiah: `proposal` (by default a new one
    for that amount) accepted by the owner who posted its job."""

    class Meta:
        model = Milestone

    amount = 1_000_000
    proposal = factory.SubFactory(ProposalFactory, amount=factory.SelfAttribute("..amount"))

    @classmethod
    def _create(cls, model_class, *, proposal, amount):
        return ContractFactory(proposal=proposal, amounts=(amount,)).milestones.get()


class ConversationFactory(factory.Factory):
    """The conversation of `proposal` (by default a new one), opened through `chat.services.
    conversation_open_for_proposal` by `user` (by default the owner who posted the job): the company's members
    and the freelancer take part."""

    class Meta:
        model = Conversation

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.LazyAttribute(lambda o: o.proposal.job.posted_by)

    @classmethod
    def _create(cls, model_class, **fields):
        return conversation_open_for_proposal(**fields)[0]


class MessageFactory(factory.Factory):
    """A message sent through `chat.services.message_send` into `conversation` (by default a new one) by
    `sender` (by default the freelancer of the conversation)."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.LazyAttribute(lambda o: o.conversation.freelancer)
    body = "Halo, kapan bisa mulai?"
    client_id = factory.LazyFunction(uuid.uuid4)

    @classmethod
    def _create(cls, model_class, **fields):
        fields["conversation_id"] = fields.pop("conversation").pk
        return message_send(**fields)[0]


class CompletedContractFactory(factory.Factory):
    """A contract completed through the money flow (PRODUCT.md §2.6): the company's owner funds its one milestone
    through the sandbox gateway and approves it, which completes the contract and its job. `company`, `owner` (a
    manager of it) and `freelancer` (a user with a profile) may be given."""

    class Meta:
        model = Contract

    company = factory.SubFactory(CompanyFactory)
    owner = factory.LazyAttribute(lambda o: MembershipFactory(company=o.company, role=Membership.Role.OWNER).user)
    freelancer = factory.LazyAttribute(lambda o: FreelancerProfileFactory().user)
    amount = 1_000_000

    @classmethod
    def _create(cls, model_class, *, company, owner, freelancer, amount):
        from tests.payments.helpers import make_contract, release

        contract = make_contract(company, owner, freelancer, amounts=(amount,))
        release(owner, contract.milestones.get().pk)
        contract.refresh_from_db()
        assert contract.status == Contract.Status.COMPLETED
        return contract

def operator_in(group: str | None, **fields) -> User:
    """A staff user in the operator group `group` ("support", "moderator", "finance"; None: no group)."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **fields)
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    return user
