"""Builders of `rows` rows for each list endpoint (tests/test_list_query_counts.py): each returns the users who
read the list by role ({"anonymous": None} for a public list), the URL, and how many rows the list then holds
for each of them.

They go through the services where those are cheap, and bulk_create plain rows where the service path would
cost seconds at 50 rows and is not what the list reads (sessions, notifications, devices, taxonomy, and the
job → proposal → offer → contract → milestone chain of `contract_rows`). The factories for jobs, proposals,
contracts and conversations are being added on another branch; these builders are the one place to swap them
in."""

import datetime
import uuid

from django.utils import timezone

from accounts.models import AuthSession
from chat import services as chat_services
from companies.models import Membership
from jobs.models import Job
from notifications.models import Device, Notification
from payments.services import escrow, payouts
from proposals import services as proposal_services
from proposals.models import Contract, Milestone, Offer, Proposal, Side
from reviews import services as review_services
from taxonomy.models import Category, Skill
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory, operator_in
from tests.payments.helpers import make_contract, release
from tests.proposals.helpers import make_job, submit
from tests.reviews.helpers import COMPANY_REVIEW, FREELANCER_REVIEW

API = "/api/v1"
PAYOUT = {"bank_code": "BCA", "account_number": "1234567890", "account_holder_name": "Budi Santoso"}


def contract_rows(company, owner, freelancers, *, milestones: int = 1, completed: bool = False) -> list[Contract]:
    """One contract per freelancer between `company` and them, each with its job, proposal, accepted offer and
    `milestones` pending milestones of 100,000 rupiah, written with bulk_create: proposal_accept makes the same
    rows one contract at a time (seconds at 50), and the lists read rows, not how they came to be."""
    now = timezone.now()
    category = Category.objects.get(slug="logo-brand-identity")
    amount = 100_000 * milestones
    jobs = Job.objects.bulk_create(
        Job(company=company, posted_by=owner, title=f"Logo {n}", description="Logo untuk kedai kopi.",
            category=category, budget_min=amount, budget_max=amount, published_at=now,
            status=Job.Status.COMPLETED if completed else Job.Status.IN_PROGRESS)
        for n in range(len(freelancers)))
    proposals = Proposal.objects.bulk_create(
        Proposal(job=job, freelancer=freelancer, cover_letter="Saya siap.", amount=amount, duration_days=14,
                 status=Proposal.Status.ACCEPTED)
        for job, freelancer in zip(jobs, freelancers, strict=True))
    offers = Offer.objects.bulk_create(
        Offer(proposal=proposal, side=Side.FREELANCER, author=proposal.freelancer, amount=amount, duration_days=14)
        for proposal in proposals)
    contracts = Contract.objects.bulk_create(
        Contract(proposal=proposal, job=proposal.job, company=company, freelancer=proposal.freelancer,
                 accepted_offer=offer, amount=amount, duration_days=14,
                 status=Contract.Status.COMPLETED if completed else Contract.Status.ACTIVE,
                 completed_at=now if completed else None)
        for proposal, offer in zip(proposals, offers, strict=True))
    Milestone.objects.bulk_create(
        Milestone(contract=contract, position=position, title=f"Tahap {position}", amount=100_000)
        for contract in contracts for position in range(1, milestones + 1))
    return contracts


def company_with_owner():
    company = CompanyFactory()
    return company, MembershipFactory(company=company, role=Membership.Role.OWNER).user


def sessions(rows: int):
    """`rows` live sessions: the reader's client signs in with one more, so `rows - 1` here."""
    user = UserFactory()
    now = timezone.now()
    AuthSession.objects.bulk_create(
        AuthSession(user=user, refresh_jti=uuid.uuid4().hex, last_used_at=now - datetime.timedelta(minutes=n),
                    expires_at=now + datetime.timedelta(days=7))
        for n in range(rows - 1))
    return {"user": user}, f"{API}/me/sessions/", rows


def conversations(rows: int):
    """`rows` direct conversations of a company with as many freelancers, each with a message from the freelancer
    (unread by the owner)."""
    company, owner = company_with_owner()
    for _ in range(rows):
        freelancer = FreelancerProfileFactory().user
        conversation, _ = chat_services.conversation_open_direct(user=owner, company=company, freelancer=freelancer)
        chat_services.message_send(conversation_id=conversation.pk, sender=freelancer, body="Halo.",
                                   client_id=uuid.uuid4())
    return {"owner": owner}, f"{API}/conversations/", rows


def messages(rows: int):
    """One conversation with `rows` messages, from both sides."""
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    conversation, _ = chat_services.conversation_open_direct(user=owner, company=company, freelancer=freelancer)
    for n in range(rows):
        chat_services.message_send(conversation_id=conversation.pk, sender=(owner, freelancer)[n % 2],
                                   body=f"Pesan {n}", client_id=uuid.uuid4())
    return {"owner": owner, "freelancer": freelancer}, f"{API}/conversations/{conversation.pk}/messages/", rows


def companies(rows: int):
    for _ in range(rows):
        company_with_owner()
    return {"anonymous": None}, f"{API}/companies/", rows


def members(rows: int):
    """The owner and `rows - 1` more members, of every role."""
    company, owner = company_with_owner()
    roles = [Membership.Role.ADMIN, Membership.Role.RECRUITER]
    for n in range(rows - 1):
        MembershipFactory(company=company, role=roles[n % 2])
    return {"owner": owner}, f"{API}/companies/{company.pk}/members/", rows


def freelancers(rows: int):
    """`rows` profiles, each with two skills."""
    skills = list(Skill.objects.order_by("slug")[:2])
    for _ in range(rows):
        FreelancerProfileFactory().skills.set(skills)
    return {"anonymous": None}, f"{API}/freelancers/", rows


def notifications(rows: int):
    user = UserFactory()
    Notification.objects.bulk_create(
        Notification(user=user, kind=Notification.Kind.PROPOSAL_SUBMITTED, title=f"Proposal {n}",
                     read_at=timezone.now() if n % 2 else None)
        for n in range(rows))
    return {"user": user}, f"{API}/notifications/", rows


def devices(rows: int):
    user = UserFactory()
    Device.objects.bulk_create(Device(user=user, kind=Device.Kind.FCM, token=f"fcm-token-{n}") for n in range(rows))
    return {"user": user}, f"{API}/devices/", rows


def payments(rows: int):
    """One contract with `rows` milestones, each funded (an open sandbox checkout: one payment each)."""
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    contract = make_contract(company, owner, freelancer, amounts=[100_000] * rows)
    for milestone in contract.milestones.order_by("position"):
        escrow.milestone_fund(milestone_id=milestone.pk, actor=owner)
    return {"owner": owner, "freelancer": freelancer}, f"{API}/payments/", rows


def _paid_freelancer():
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    release(owner, make_contract(company, owner, freelancer, amounts=(10_000_000,)).milestones.get().pk)
    return freelancer


def wallet_transactions(rows: int):
    """A release into the wallet and `rows - 1` payouts: `rows` ledger lines of the wallet."""
    freelancer = _paid_freelancer()
    for n in range(rows - 1):
        payouts.payout_request(user=freelancer, amount=50_000 + n, **PAYOUT)
    return {"freelancer": freelancer}, f"{API}/wallet/transactions/", rows


def payout_list(rows: int):
    freelancer = _paid_freelancer()
    for n in range(rows):
        payouts.payout_request(user=freelancer, amount=50_000 + n, **PAYOUT)
    return {"freelancer": freelancer}, f"{API}/payouts/", rows


def job_proposals(rows: int):
    company, owner = company_with_owner()
    job = make_job(company, owner)
    for _ in range(rows):
        submit(job, FreelancerProfileFactory().user)
    return {"owner": owner}, f"{API}/jobs/{job.pk}/proposals/", rows


def proposals(rows: int):
    """A freelancer's proposals to `rows` jobs of one company."""
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    for n in range(rows):
        submit(make_job(company, owner, title=f"Logo {n}"), freelancer)
    return {"freelancer": freelancer, "owner": owner}, f"{API}/proposals/", rows


def offers(rows: int):
    """A proposal's own offer, then counter offers from alternating sides: `rows` in all."""
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    proposal = submit(make_job(company, owner), freelancer)
    for n in range(rows - 1):
        proposal_services.offer_counter(proposal=proposal, actor=(owner, freelancer)[n % 2], amount=2_000_000 + n,
                                        duration_days=14)
    return {"owner": owner, "freelancer": freelancer}, f"{API}/proposals/{proposal.pk}/offers/", rows


def contracts(rows: int):
    """`rows` contracts between one company and one freelancer, three milestones each; an operator sees them
    too."""
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    contract_rows(company, owner, [freelancer] * rows, milestones=3)
    return {"owner": owner, "freelancer": freelancer, "operator": operator_in("moderator")}, f"{API}/contracts/", rows


def milestones(rows: int):
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    [contract] = contract_rows(company, owner, [freelancer], milestones=rows)
    readers = {"owner": owner, "freelancer": freelancer, "operator": operator_in("moderator")}
    return readers, f"{API}/contracts/{contract.pk}/milestones/", rows


def _reviewed_contracts(reviewed: int, pending: int = 0):
    """`reviewed` completed contracts between one company and one freelancer reviewed by both sides (published,
    a reply on every other one), then `pending` more reviewed by the freelancer only (pending)."""
    company, owner = company_with_owner()
    freelancer = FreelancerProfileFactory().user
    contracts = contract_rows(company, owner, [freelancer] * (reviewed + pending), completed=True)
    for n, contract in enumerate(contracts):
        by_freelancer = review_services.review_create(contract_id=contract.pk, author=freelancer, **FREELANCER_REVIEW)
        if n >= reviewed:
            continue
        review_services.review_create(contract_id=contract.pk, author=owner, **COMPANY_REVIEW)
        if n % 2:
            review_services.review_reply(review_id=by_freelancer.pk, actor=owner, body="Terima kasih.")
    return company, owner, freelancer


def reviews_mine(rows: int):
    """The freelancer's: both reviews of each fully reviewed contract (written and received), and their own
    pending review of one more contract when `rows` is odd."""
    _, _, freelancer = _reviewed_contracts(rows // 2, pending=rows % 2)
    return {"freelancer": freelancer}, f"{API}/reviews/", rows


def freelancer_reviews(rows: int):
    _, _, freelancer = _reviewed_contracts(rows)
    return {"anonymous": None}, f"{API}/freelancers/{freelancer.freelancer_profile.pk}/reviews/", rows


def company_reviews(rows: int):
    company, _, _ = _reviewed_contracts(rows)
    return {"anonymous": None}, f"{API}/companies/{company.pk}/reviews/", rows


def _replace_taxonomy(rows: int) -> None:
    """The seeded taxonomy replaced by `rows` top-level categories, each with one sub-category and one skill."""
    Skill.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    parents = Category.objects.bulk_create(Category(slug=f"kategori-{n}", name=f"Kategori {n}",
                                                    name_en=f"Category {n}", position=n) for n in range(rows))
    children = Category.objects.bulk_create(Category(slug=f"sub-{n}", name=f"Sub {n}", name_en=f"Sub {n}",
                                                     parent=parent) for n, parent in enumerate(parents))
    Skill.objects.bulk_create(Skill(slug=f"skill-{n}", name=f"Skill {n}", category=child)
                              for n, child in enumerate(children))


def categories(rows: int):
    _replace_taxonomy(rows)
    return {"anonymous": None}, f"{API}/categories/", rows


def skills(rows: int):
    _replace_taxonomy(rows)
    return {"anonymous": None}, f"{API}/skills/", rows
