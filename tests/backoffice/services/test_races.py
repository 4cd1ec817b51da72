"""Moderation races on PostgreSQL: operators acting on one object at the same moment act once, write one audit
row and send one notification (threads with their own connections; `select_for_update` is a no-op on SQLite)."""

from collections import Counter

import pytest

from accounts.services import user_suspend
from audit.models import AuditEntry
from bantu.core.exceptions import Conflict
from chat.models import MessageReport
from chat.services import conversation_open_for_proposal, message_report, message_send, report_close
from companies.models import Company, Membership
from companies.services import company_set_verified
from notifications.models import Notification
from tests.concurrency import run_at_once
from tests.conftest import client_for
from tests.factories import FreelancerProfileFactory, MembershipFactory, UserFactory, operator_in
from tests.proposals.helpers import make_job, submit

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("thread_races"),
]

THREADS = 10


def outcome(call):
    def run(index):
        try:
            call(index)
        except Conflict as conflict:
            return conflict.code
        return "done"

    return run


def test_ten_operators_suspending_one_user_suspend_once():
    target, operators = UserFactory(), [operator_in("support") for _ in range(THREADS)]

    results = run_at_once(THREADS, outcome(lambda i: user_suspend(user=target, operator=operators[i], reason="Spam")))

    assert Counter(results) == {"done": 1, "already_suspended": THREADS - 1}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.USER_SUSPEND).count() == 1
    assert Notification.objects.filter(user=target, kind=Notification.Kind.ACCOUNT_SUSPENDED).count() == 1


def test_ten_operators_verifying_one_company_verify_once():
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    company = Company.objects.get(memberships__user=owner)
    operators = [operator_in("support") for _ in range(THREADS)]

    results = run_at_once(
        THREADS,
        outcome(
            lambda i: company_set_verified(
                company=Company.objects.get(pk=company.pk), verified=True, operator=operators[i], reason="NIB dicek"
            )
        ),
    )

    assert Counter(results) == {"done": 1, "already_verified": THREADS - 1}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.COMPANY_VERIFY).count() == 1
    assert Notification.objects.filter(user=owner, kind=Notification.Kind.COMPANY_VERIFIED).count() == 1


def test_ten_operators_closing_one_report_close_it_once():
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    freelancer = FreelancerProfileFactory().user
    proposal = submit(make_job(Company.objects.get(memberships__user=owner), owner), freelancer)
    conversation, _ = conversation_open_for_proposal(user=owner, proposal=proposal)
    message, _ = message_send(
        conversation_id=conversation.pk,
        sender=owner,
        body="Transfer langsung saja.",
        client_id="01900000-0000-7000-8000-000000000002",
    )
    report = message_report(message=message, reporter=freelancer, reason="Di luar platform.")
    operators = [operator_in("moderator") for _ in range(THREADS)]

    results = run_at_once(
        THREADS,
        outcome(
            lambda i: report_close(
                report=MessageReport.objects.get(pk=report.pk),
                operator=operators[i],
                status=MessageReport.Status.RESOLVED if i % 2 else MessageReport.Status.DISMISSED,
                reason="Ditinjau",
            )
        ),
    )

    assert Counter(results) == {"done": 1, "report_not_open": THREADS - 1}
    assert AuditEntry.objects.filter(target_id=str(report.pk)).count() == 1
    assert Notification.objects.filter(user=freelancer, kind=Notification.Kind.REPORT_CLOSED).count() == 1


def test_ten_moderators_removing_one_job_through_the_api_remove_it_once():
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    job = make_job(Company.objects.get(memberships__user=owner), owner)
    clients = [client_for(operator_in("moderator")) for _ in range(THREADS)]

    statuses = run_at_once(
        THREADS,
        lambda i: (
            clients[i].post(f"/api/v1/jobs/{job.pk}/remove/", {"reason": "Iklan palsu"}, format="json").status_code
        ),
    )

    assert Counter(statuses) == {200: 1, 409: THREADS - 1}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.JOB_REMOVE).count() == 1
    assert Notification.objects.filter(user=owner, kind=Notification.Kind.JOB_REMOVED).count() == 1
