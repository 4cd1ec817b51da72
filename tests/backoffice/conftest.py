"""Fixtures of the backoffice tests: the operators of each group, an admin client, the rows of every dashboard
series (`business`) and a few audit entries."""

import uuid

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record
from chat.models import MessageReport
from chat.services import conversation_open_for_proposal, message_report, message_send, report_close
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile
from jobs.models import Job
from payments.models import Dispute
from payments.services import escrow
from proposals.models import Contract, Proposal
from tests.backoffice.helpers import AMOUNTS, backdate
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory, operator_in
from tests.payments.helpers import make_contract
from tests.proposals.helpers import make_job
from tests.world import _pay as pay

Action = AuditEntry.Action
GROUPS = ["support", "moderator", "finance"]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, email="root@bantu.local")


@pytest.fixture
def support(db):
    return operator_in("support", email="support@bantu.local")


@pytest.fixture
def moderator(db):
    return operator_in("moderator", email="moderator@bantu.local")


@pytest.fixture
def finance(db):
    return operator_in("finance", email="finance@bantu.local")


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def admin_as():
    """`admin_as(user)` → a Django test client signed in to the admin as `user`."""
    return admin_client


@pytest.fixture
def business(db):
    """Rows of every series, some today, some earlier in the window, some before it."""
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    company = Company.objects.get(memberships__user=owner)
    freelancer = FreelancerProfileFactory().user
    backdate(User, UserFactory().pk, 10, "date_joined")
    backdate(User, UserFactory().pk, 40, "date_joined")
    backdate(FreelancerProfile, FreelancerProfileFactory().pk, 5)
    backdate(Company, CompanyFactory().pk, 28)
    backdate(Company, CompanyFactory().pk, 31)
    backdate(Job, make_job(company, owner).pk, 3, "published_at")
    backdate(Job, make_job(company, owner).pk, 45, "published_at")
    make_job(company, owner, status=Job.Status.DRAFT)
    contract = make_contract(company, owner, freelancer, amounts=AMOUNTS, title="Logo berbayar")
    old_contract = make_contract(company, owner, FreelancerProfileFactory().user, title="Logo lama")
    backdate(Contract, old_contract.pk, 20)
    backdate(Proposal, old_contract.proposal_id, 21)
    first, second, third = contract.milestones.order_by("position")
    for milestone in (first, second, third):
        pay(owner, milestone.pk)
    escrow.milestone_approve(milestone_id=first.pk, actor=owner)
    escrow.milestone_dispute(milestone_id=second.pk, actor=freelancer, reason="Klien tidak membalas.")
    old_dispute = escrow.milestone_dispute(milestone_id=third.pk, actor=owner, reason="Belum dikirim.")
    backdate(Dispute, old_dispute.pk, 40)
    conversation, _ = conversation_open_for_proposal(user=owner, proposal=contract.proposal)
    for days, body in ((0, "Bayar di luar saja."), (12, "Nomor rekening pribadi saya ...")):
        message, _ = message_send(conversation_id=conversation.pk, sender=owner, body=body, client_id=uuid.uuid4())
        report = message_report(message=message, reporter=freelancer, reason="Meminta bayar di luar platform.")
        backdate(MessageReport, report.pk, days)
    report_close(
        report=MessageReport.objects.order_by("created_at").first(),
        operator=UserFactory(is_staff=True),
        status=MessageReport.Status.RESOLVED,
        reason="Pengguna sudah diperingatkan.",
    )
    return {"contract": contract}


@pytest.fixture
def entries(db, superuser):
    company = CompanyFactory(name="PT Kopi Nusantara")
    user = UserFactory(email="pelanggar@example.id")
    return [
        audit_record(actor=superuser, action=Action.COMPANY_VERIFY, target=company, reason="NIB sudah dicek."),
        audit_record(actor=superuser, action=Action.USER_SUSPEND, target=user, reason="Spam berulang."),
        audit_record(
            actor=None,
            action=Action.REFUND_RETRY,
            target=company,
            reason="Gagal di bank.",
            amount=250_000,
            currency="IDR",
            details={"payment": "x"},
        ),
    ]
