"""Each moderation act of the console goes through its service: it changes the state, notifies the affected users
and writes one audit row (who, what, which object, why; amounts for money). Operators without the duty are
refused and change nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from audit.models import AuditEntry
from chat.models import MessageReport
from chat.services import conversation_open_for_proposal, message_report, message_send
from companies.models import Company, Membership
from jobs.models import Job
from notifications.models import Notification
from payments.models import Dispute
from payments.services import escrow
from proposals.models import Milestone
from tests.factories import FreelancerProfileFactory, MembershipFactory, UserFactory
from tests.payments.helpers import make_contract
from tests.proposals.helpers import make_job, submit
from tests.world import _pay as pay

Action = AuditEntry.Action
Kind = Notification.Kind
REASON = "Penipuan: meminta biaya pendaftaran."


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def act(client, changelist: str, action: str, objects, reason: str | None = REASON):
    """Run an admin action on `objects`: the first POST asks why; with `reason`, the second acts."""
    selected = [str(obj.pk) for obj in objects]
    form = client.post(changelist, {"action": action, "_selected_action": selected})
    if reason is None:
        return form
    assert form.status_code == 200, form.status_code
    assert "reason" in form.context["form"].fields
    return client.post(changelist, {"action": action, "_selected_action": selected, "reason": reason})


def act_refused(client, changelist: str, action: str, objects) -> None:
    """An operator who may read the list but holds no action on it: the list is shown without any action, and
    neither step of the action runs."""
    selected = [str(obj.pk) for obj in objects]
    for data in ({}, {"reason": REASON}):
        response = client.post(changelist, {"action": action, "_selected_action": selected, **data})
        assert response.status_code == 200
        assert (response.context["cl"].model._meta.label_lower, response.context["action_form"]) == (
            response.context["opts"].label_lower,
            None,
        )


def audit_rows(target) -> list[tuple]:
    rows = AuditEntry.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
    return list(rows.values_list("action", "actor_id", "reason", "amount", "details"))


def notified(kind) -> list:
    return sorted(str(user_id) for user_id in Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def ids(*users) -> list:
    return sorted(str(user.pk) for user in users)


# --- Users ------------------------------------------------------------------------------------------------


def test_support_suspends_a_user_after_saying_why(admin_as, support, commit):
    client, target = admin_as(support), UserFactory(email="spammer@example.id")

    # The first step only asks why: nothing changed yet
    act(client, "/admin/accounts/user/", "suspend", [target], reason=None)
    target.refresh_from_db()
    assert target.is_active is True
    assert AuditEntry.objects.count() == 0

    with commit():
        act(client, "/admin/accounts/user/", "suspend", [target])

    target.refresh_from_db()
    assert (target.is_active, target.auth_version, target.suspension_reason) == (False, 1, REASON)
    assert notified(Kind.ACCOUNT_SUSPENDED) == ids(target)
    assert Notification.objects.get(kind=Kind.ACCOUNT_SUSPENDED).body == REASON
    assert audit_rows(target) == [(Action.USER_SUSPEND, support.pk, REASON, None, {})]


def test_support_reactivates_a_suspended_user(admin_as, support, commit):
    target = UserFactory()
    target.is_active = False
    target.save(update_fields=["is_active"])

    with commit():
        act(admin_as(support), "/admin/accounts/user/", "reactivate", [target], reason="Banding diterima.")

    target.refresh_from_db()
    assert target.is_active is True
    assert notified(Kind.ACCOUNT_REACTIVATED) == ids(target)
    assert audit_rows(target) == [(Action.USER_REACTIVATE, support.pk, "Banding diterima.", None, {})]


def test_a_blank_reason_is_asked_again_and_changes_nothing(admin_as, support):
    target = UserFactory()

    response = act(admin_as(support), "/admin/accounts/user/", "suspend", [target], reason="  ")

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert User.objects.get(pk=target.pk).is_active is True
    assert AuditEntry.objects.count() == 0


def test_support_cannot_suspend_another_operator(admin_as, support, finance):
    act(admin_as(support), "/admin/accounts/user/", "suspend", [finance])

    assert User.objects.get(pk=finance.pk).is_active is True
    assert AuditEntry.objects.count() == 0


def test_an_operator_cannot_suspend_themselves(admin_as, superuser):
    act(admin_as(superuser), "/admin/accounts/user/", "suspend", [superuser])

    assert User.objects.get(pk=superuser.pk).is_active is True
    assert AuditEntry.objects.count() == 0


def test_a_moderator_cannot_suspend_users(admin_as, moderator):
    target = UserFactory()

    act_refused(admin_as(moderator), "/admin/accounts/user/", "suspend", [target])

    assert User.objects.get(pk=target.pk).is_active is True
    assert AuditEntry.objects.count() == 0


def test_support_cannot_grant_themselves_power(admin_as, support):
    client = admin_as(support)
    target = UserFactory(email="biasa@example.id")

    client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {"email": target.email, "full_name": "Nama Baru", "phone": "", "is_staff": "on", "is_superuser": "on"},
    )
    password = client.get(f"/admin/accounts/user/{target.pk}/password/")
    staff_form = client.post(
        f"/admin/accounts/user/{support.pk}/change/", {"email": support.email, "full_name": "x", "is_superuser": "on"}
    )

    target.refresh_from_db()
    support.refresh_from_db()
    assert (target.full_name, target.is_staff, target.is_superuser) == ("Nama Baru", False, False)
    assert (password.status_code, staff_form.status_code) == (403, 403)
    assert (support.is_superuser, support.full_name) == (False, User.objects.get(pk=support.pk).full_name)


# --- Companies --------------------------------------------------------------------------------------------


def test_support_verifies_and_unverifies_a_company(admin_as, support, commit):
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    company = Company.objects.get(memberships__user=owner)
    recruiter = MembershipFactory(company=company, role=Membership.Role.RECRUITER).user
    client = admin_as(support)

    with commit():
        act(client, "/admin/companies/company/", "verify", [company], reason="Dokumen NIB sudah dicek.")
    company.refresh_from_db()
    assert company.verified is True
    assert company.verified_at is not None

    with commit():
        act(client, "/admin/companies/company/", "unverify", [company], reason="NIB palsu.")
    company.refresh_from_db()
    assert (company.verified, company.verified_at) == (False, None)

    assert notified(Kind.COMPANY_VERIFIED) == notified(Kind.COMPANY_UNVERIFIED) == ids(owner, recruiter)
    assert audit_rows(company) == [
        (Action.COMPANY_UNVERIFY, support.pk, "NIB palsu.", None, {}),
        (Action.COMPANY_VERIFY, support.pk, "Dokumen NIB sudah dicek.", None, {}),
    ]


# --- Jobs -------------------------------------------------------------------------------------------------


@pytest.fixture
def job(db):
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    return make_job(Company.objects.get(memberships__user=owner), owner)


def test_a_moderator_removes_and_restores_a_job(admin_as, moderator, job, commit):
    client, owner = admin_as(moderator), job.posted_by

    with commit():
        act(client, "/admin/jobs/job/", "remove_jobs", [job])
    job.refresh_from_db()
    assert (job.removed_reason, job.removed_by) == (REASON, moderator)

    with commit():
        act(client, "/admin/jobs/job/", "restore_jobs", [job], reason="Perusahaan sudah klarifikasi.")
    job.refresh_from_db()
    assert (job.removed_at, job.removed_reason) == (None, "")

    assert notified(Kind.JOB_REMOVED) == notified(Kind.JOB_RESTORED) == ids(owner)
    assert audit_rows(job) == [
        (Action.JOB_RESTORE, moderator.pk, "Perusahaan sudah klarifikasi.", None, {}),
        (Action.JOB_REMOVE, moderator.pk, REASON, None, {}),
    ]


@pytest.mark.parametrize("group", ["support", "finance"])
def test_operators_of_other_groups_cannot_remove_jobs(admin_as, request, group, job):
    act_refused(admin_as(request.getfixturevalue(group)), "/admin/jobs/job/", "remove_jobs", [job])

    assert Job.objects.get(pk=job.pk).removed_at is None
    assert AuditEntry.objects.count() == 0


# --- Message reports --------------------------------------------------------------------------------------


@pytest.fixture
def report(db):
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    freelancer = FreelancerProfileFactory().user
    proposal = submit(make_job(Company.objects.get(memberships__user=owner), owner), freelancer)
    conversation, _ = conversation_open_for_proposal(user=owner, proposal=proposal)
    message, _ = message_send(
        conversation_id=conversation.pk,
        sender=owner,
        body="Transfer ke rekening saya saja.",
        client_id="01900000-0000-7000-8000-000000000001",
    )
    return message_report(message=message, reporter=freelancer, reason="Meminta bayar di luar platform.")


@pytest.mark.parametrize(
    ("action", "status", "audited"),
    [
        ("resolve", MessageReport.Status.RESOLVED, Action.REPORT_RESOLVE),
        ("dismiss", MessageReport.Status.DISMISSED, Action.REPORT_DISMISS),
    ],
)
@pytest.mark.parametrize("group", ["support", "moderator"])
def test_an_operator_closes_a_report(admin_as, request, group, report, action, status, audited, commit):
    operator = request.getfixturevalue(group)

    with commit():
        act(admin_as(operator), "/admin/chat/messagereport/", action, [report], reason="Sudah ditinjau.")

    report.refresh_from_db()
    assert (report.status, report.handled_by) == (status, operator)
    assert notified(Kind.REPORT_CLOSED) == ids(report.reporter)
    assert audit_rows(report) == [(audited, operator.pk, "Sudah ditinjau.", None, {})]


def test_finance_cannot_close_reports(admin_as, finance, report):
    response = admin_as(finance).post(
        "/admin/chat/messagereport/", {"action": "resolve", "_selected_action": [report.pk]}
    )

    assert response.status_code == 403
    assert MessageReport.objects.get(pk=report.pk).status == MessageReport.Status.OPEN


# --- Disputes and payouts ---------------------------------------------------------------------------------


@pytest.fixture
def dispute(db):
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    freelancer = FreelancerProfileFactory().user
    contract = make_contract(Company.objects.get(memberships__user=owner), owner, freelancer, amounts=(1_000_000,))
    milestone = contract.milestones.get()
    pay(owner, milestone.pk)
    return escrow.milestone_dispute(milestone_id=milestone.pk, actor=freelancer, reason="Klien tidak membalas.")


def test_finance_resolves_a_dispute_and_the_amounts_are_audited(admin_as, finance, dispute, commit):
    contract = dispute.milestone.contract

    with commit():
        response = admin_as(finance).post(
            f"/admin/payments/dispute/{dispute.pk}/resolve/",
            {"resolution": "split", "released_amount": "400000", "note": "Sebagian logo sudah diserahkan."},
        )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolved_by) == (Dispute.Status.RESOLVED, finance)
    assert Milestone.objects.get(pk=dispute.milestone_id).status == Milestone.Status.RELEASED
    company_managers = list(Membership.objects.filter(company_id=contract.company_id).values_list("user", flat=True))
    assert notified(Kind.DISPUTE_RESOLVED) == sorted(str(pk) for pk in [contract.freelancer_id, *company_managers])
    assert audit_rows(dispute) == [
        (
            Action.DISPUTE_RESOLVE,
            finance.pk,
            "Sebagian logo sudah diserahkan.",
            1_000_000,
            {
                "resolution": "split",
                "milestone": str(dispute.milestone_id),
                "released": 400_000,
                "platform_fee": 40_000,
                "refunded": 600_000,
            },
        )
    ]
    assert AuditEntry.objects.get().currency == "IDR"


def test_support_cannot_resolve_a_dispute(admin_as, support, dispute):
    client = admin_as(support)

    page = client.get(f"/admin/payments/dispute/{dispute.pk}/resolve/")
    post = client.post(
        f"/admin/payments/dispute/{dispute.pk}/resolve/", {"resolution": "release", "note": "Tidak berwenang."}
    )

    assert (page.status_code, post.status_code) == (403, 403)
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN
    assert AuditEntry.objects.count() == 0
    assert client.get(f"/admin/payments/dispute/{dispute.pk}/change/").status_code == 200  # reading is fine


def test_a_moderator_cannot_see_payouts_or_any_money(admin_as, moderator):
    client = admin_as(moderator)

    pages = [
        "/admin/payments/payout/",
        "/admin/payments/payment/",
        "/admin/payments/transaction/",
        "/admin/payments/dispute/",
        "/admin/proposals/contract/",
    ]

    assert [client.get(url).status_code for url in pages] == [403] * len(pages)
    assert "payments" not in client.get("/admin/").content.decode().split('id="content-main"', 1)[1]


def test_an_action_across_every_page_lists_a_preview_and_acts_on_all(admin_as, support):
    # Given 105 users matching a search, all selected across pages
    targets = [UserFactory(email=f"bot{index}@spam.example") for index in range(105)]
    data = {
        "action": "suspend",
        "select_across": "1",
        "index": "0",
        "_selected_action": [str(user.pk) for user in targets[:100]],
    }
    client = admin_as(support)

    form = client.post("/admin/accounts/user/?q=spam.example", data)
    # the form posts back what it lists (no "index": it is not the changelist's own form)
    sent_back = {
        "action": "suspend",
        "select_across": "1",
        "reason": "Akun bot.",
        "_selected_action": [str(obj.pk) for obj in form.context["objects"]],
    }
    client.post("/admin/accounts/user/?q=spam.example", sent_back)

    assert (len(form.context["objects"]), form.context["more"]) == (100, 5)
    assert "and 5 more" in form.content.decode()
    assert User.objects.filter(email__endswith="@spam.example", is_active=False).count() == 105
    assert AuditEntry.objects.filter(action=Action.USER_SUSPEND).count() == 105
