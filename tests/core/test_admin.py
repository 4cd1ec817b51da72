import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import User
from audit.models import AuditEntry
from jobs.models import Job
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="ops@bantu.local")
    client.force_login(superuser)
    client.superuser = superuser
    return client


def test_admin_pages_render(admin_client):
    for url in ("/admin/", "/admin/accounts/user/", "/admin/companies/company/", "/admin/companies/membership/",
                "/admin/freelancers/freelancerprofile/", "/admin/taxonomy/category/", "/admin/taxonomy/skill/",
                "/admin/jobs/job/", "/admin/proposals/proposal/", "/admin/proposals/contract/",
                "/admin/notifications/notification/", "/admin/notifications/device/", "/admin/chat/conversation/",
                "/admin/chat/message/", "/admin/chat/messagereport/"):
        assert admin_client.get(url).status_code == 200, url


def test_user_admin_filters_by_role(admin_client):
    FreelancerProfileFactory(user__email="free@example.id")
    MembershipFactory(user__email="member@example.id")

    freelancers = admin_client.get("/admin/accounts/user/", {"role": "freelancer"}).context["cl"].result_list
    members = admin_client.get("/admin/accounts/user/", {"role": "company"}).context["cl"].result_list

    assert [user.email for user in freelancers] == ["free@example.id"]
    assert [user.email for user in members] == ["member@example.id"]


def test_suspend_and_reactivate_actions_call_the_services_and_are_audited(admin_client):
    target = UserFactory(email="spammer@example.id")

    admin_client.post("/admin/accounts/user/", {"action": "suspend", "_selected_action": [target.pk],
                                                "reason": "Spam berulang"})
    target.refresh_from_db()
    assert (target.is_active, target.auth_version) == (False, 1)
    assert target.suspension_reason == "Spam berulang"

    admin_client.post("/admin/accounts/user/", {"action": "reactivate", "_selected_action": [target.pk],
                                                "reason": "Banding diterima"})
    target.refresh_from_db()
    assert target.is_active is True
    assert list(LogEntry.objects.filter(object_id=str(target.pk)).values_list("change_message", flat=True)) \
        == ["Reactivated: Banding diterima", "Suspended: Spam berulang"]
    assert list(AuditEntry.objects.filter(target_id=str(target.pk)).values_list("action", flat=True)) == [
        "user.reactivate", "user.suspend"]


def test_operator_cannot_suspend_themselves(admin_client):
    response = admin_client.post("/admin/accounts/user/", {
        "action": "suspend", "_selected_action": [admin_client.superuser.pk], "reason": "Coba"}, follow=True)

    assert User.objects.get(pk=admin_client.superuser.pk).is_active is True
    assert [str(message) for message in response.context["messages"]] == [
        "ops@bantu.local: An operator cannot suspend themselves.", "Suspended: 0 of 1."]


def test_verify_company_action(admin_client):
    company = CompanyFactory()

    admin_client.post("/admin/companies/company/", {"action": "verify", "_selected_action": [company.pk],
                                                    "reason": "NIB sudah dicek"})

    company.refresh_from_db()
    assert company.verified is True
    assert company.verified_at is not None


@pytest.fixture
def job(db):
    from django.core.management import call_command

    with open("/dev/null", "w") as sink:
        call_command("seed_demo", stdout=sink)
    return Job.objects.order_by("title").first()


def test_remove_job_action_asks_for_a_reason_then_removes(admin_client, job):
    form = admin_client.post("/admin/jobs/job/", {"action": "remove_jobs", "_selected_action": [job.pk]})
    assert form.status_code == 200
    assert b"reason" in form.content
    job.refresh_from_db()
    assert job.removed_at is None

    admin_client.post("/admin/jobs/job/", {"action": "remove_jobs", "_selected_action": [job.pk],
                                           "reason": "Penipuan: meminta biaya pendaftaran"})
    job.refresh_from_db()
    assert job.removed_reason == "Penipuan: meminta biaya pendaftaran"
    assert job.removed_by == admin_client.superuser

    admin_client.post("/admin/jobs/job/", {"action": "restore_jobs", "_selected_action": [job.pk],
                                           "reason": "Sudah diklarifikasi"})
    job.refresh_from_db()
    assert job.removed_at is None


def test_set_or_not_filters_split_the_changelist(admin_client):
    """The removed-jobs filter (bantu.core.admin.set_or_not_filter): `yes` the set rows, `no` the others."""
    from jobs.models import Job
    from taxonomy.models import Category
    from tests.factories import CompanyFactory, JobFactory, MembershipFactory

    company = CompanyFactory()
    owner = MembershipFactory(company=company).user

    category = Category.objects.filter(parent__isnull=False).first()
    _kept, removed = (JobFactory(company=company, posted_by=owner, title=title, description="Deskripsi.",
                                 budget_min=1, budget_max=2, category=category.slug) for title in ("Tetap", "Dihapus"))
    Job.objects.filter(pk=removed.pk).update(removed_at="2026-12-01T00:00:00Z")

    shown = {answer: admin_client.get("/admin/jobs/job/", {"removed": answer}).content.decode()
             for answer in ("yes", "no")}

    assert "Dihapus" in shown["yes"] and "Tetap" not in shown["yes"]
    assert "Tetap" in shown["no"] and "Dihapus" not in shown["no"]
