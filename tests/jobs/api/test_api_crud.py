"""Posting, reading, editing, deleting and moderating jobs, with who may do what (PRODUCT.md §1, §2.1, §3)."""

import pytest

from companies.models import Membership
from jobs import services
from jobs.models import Job, JobStatusChange
from tests.factories import CompanyFactory, MembershipFactory
from tests.problems import assert_problem

from ..helpers import JOBS, detail_url, job_body, remove_url, restore_url

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "freelancer", "other_company_owner", "recruiter", "company_admin", "owner", "operator"]


@pytest.fixture
def actor(request, as_user):
    """`actor(role)` → (user or None, client authenticated as that user)."""

    def get(role):
        user = None if role == "anonymous" else request.getfixturevalue(role)
        return user, as_user(user)

    return get


def audit(job) -> list[tuple]:
    return list(JobStatusChange.objects.filter(job_id=job.pk).order_by("created_at", "id")
                .values_list("from_status", "to_status", "actor_id"))


def snapshot(job) -> dict:
    return Job.objects.filter(pk=job.pk).values(
        "title", "status", "budget_min", "budget_max", "published_at", "updated_at", "removed_at").get()


# --- POST jobs/ ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status", "code"), [
    ("anonymous", 401, "not_authenticated"),
    ("freelancer", 403, "permission_denied"),
    ("operator", 403, "permission_denied"),
])
def test_post_job_is_refused_to_non_members(actor, role, status, code):
    _, client = actor(role)

    response = client.post(JOBS, job_body(), format="json")

    assert_problem(response, status, code)
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", ["recruiter", "company_admin", "owner", "other_company_owner"])
def test_post_job_by_a_company_member_creates_it_open(actor, role):
    user, client = actor(role)
    membership = Membership.objects.get(user=user)

    response = client.post(JOBS, job_body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    job = Job.objects.get()
    assert body["id"] == str(job.pk)
    assert job.posted_by == user
    assert job.company_id == membership.company_id
    assert job.skills_text == "Adobe Illustrator Figma"
    assert job.published_at is not None
    assert {key: body[key] for key in ("title", "status", "job_type", "budget_min", "budget_max", "currency",
                                       "location_type", "province", "city", "experience_level", "deadline",
                                       "is_removed", "removed_reason")} == {
        "title": "Desain Logo untuk Kedai Kopi", "status": "open", "job_type": "fixed", "budget_min": 1_000_000,
        "budget_max": 5_000_000, "currency": "IDR", "location_type": "remote", "province": "", "city": "",
        "experience_level": "intermediate", "deadline": None, "is_removed": False, "removed_reason": "",
    }
    assert body["company"] == {"id": str(membership.company_id), "name": membership.company.name,
                               "slug": membership.company.slug, "verified": False}
    assert body["category"] == {"slug": "logo-brand-identity", "name": "Logo & Identitas Merek",
                                "parent": "design-creative"}
    assert body["skills"] == [{"slug": "adobe-illustrator", "name": "Adobe Illustrator"},
                              {"slug": "figma", "name": "Figma"}]
    assert body["description"] == "Kami mencari desainer untuk membuat logo kedai kopi di Bandung."
    assert audit(job) == [("", "open", user.pk)]


def test_post_job_as_draft_is_not_published(as_user, owner):
    response = as_user(owner).post(JOBS, job_body(status="draft"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["published_at"] is None
    job = Job.objects.get()
    assert (job.status, job.published_at) == ("draft", None)
    assert audit(job) == [("", "draft", owner.pk)]


def test_post_job_with_a_later_status_is_409_and_stores_nothing(as_user, owner):
    response = as_user(owner).post(JOBS, job_body(status="closed"), format="json")

    assert_problem(response, 409, "illegal_status_transition")
    assert Job.objects.count() == 0


def test_member_of_two_companies_must_name_the_company(as_user, owner, company):
    second = MembershipFactory(user=owner, role=Membership.Role.RECRUITER).company
    client = as_user(owner)

    without = client.post(JOBS, job_body(), format="json")
    named = client.post(JOBS, job_body(company=str(second.pk)), format="json")

    body = assert_problem(without, 400, "company_required")
    assert body["errors"] == {"company": ["Required when you belong to more than one company."]}
    assert named.status_code == 201, named.content
    assert named.json()["company"]["id"] == str(second.pk)
    assert list(Job.objects.values_list("company_id", flat=True)) == [second.pk]


def test_member_of_two_companies_naming_a_company_they_are_not_in_is_403(as_user, owner):
    MembershipFactory(user=owner)
    stranger = CompanyFactory()

    response = as_user(owner).post(JOBS, job_body(company=str(stranger.pk)), format="json")

    assert_problem(response, 403, "not_a_member_of_company")
    assert Job.objects.count() == 0


def test_member_of_one_company_naming_another_company_is_403(as_user, recruiter, other_company_owner):
    other = Membership.objects.get(user=other_company_owner).company

    response = as_user(recruiter).post(JOBS, job_body(company=str(other.pk)), format="json")

    assert_problem(response, 403, "not_a_member_of_company")
    assert Job.objects.count() == 0


def test_member_naming_their_own_company_posts_there(as_user, recruiter, company):
    response = as_user(recruiter).post(JOBS, job_body(company=str(company.pk)), format="json")

    assert response.status_code == 201, response.content
    assert Job.objects.get().company_id == company.pk


# --- GET jobs/{id}/ ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_open_job_is_public(actor, role, open_job):
    _, client = actor(role)

    response = client.get(detail_url(open_job))

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(open_job.pk)
    assert response.json()["status"] == "open"


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 404), ("freelancer", 404), ("other_company_owner", 404),
    ("recruiter", 200), ("company_admin", 200), ("owner", 200), ("operator", 200),
])
def test_draft_is_visible_only_to_its_company_and_operators(actor, role, status, draft_job):
    _, client = actor(role)

    response = client.get(detail_url(draft_job))

    if status == 404:
        assert_problem(response, 404, "not_found")
    else:
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["published_at"]) == ("draft", None)


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 404), ("freelancer", 404), ("other_company_owner", 404),
    ("recruiter", 200), ("company_admin", 200), ("owner", 200), ("operator", 200),
])
def test_removed_job_is_visible_only_to_its_company_and_operators(actor, role, status, open_job, operator):
    services.job_remove(job=open_job, operator=operator, reason="Penipuan: meminta transfer di luar platform")
    _, client = actor(role)

    response = client.get(detail_url(open_job))

    if status == 404:
        assert_problem(response, 404, "not_found")
    else:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["is_removed"], body["removed_reason"]) == (True, "Penipuan: meminta transfer di luar platform")


def test_unknown_job_is_404(api):
    assert_problem(api.get(f"{JOBS}01890000-0000-7000-8000-000000000000/"), 404, "not_found")


# --- PATCH jobs/{id}/ ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("freelancer", 403), ("other_company_owner", 403), ("recruiter", 403),
    ("company_admin", 200), ("owner", 200), ("operator", 403),
])
def test_patch_job_authorization(actor, role, status, open_job):
    """The job was posted by the owner: a recruiter who did not post it may not edit it; operators moderate
    through remove, they do not edit."""
    before = snapshot(open_job)
    _, client = actor(role)

    response = client.patch(detail_url(open_job), {"title": "Desain Logo Baru untuk Kedai"}, format="json")

    if status == 200:
        assert response.status_code == 200, response.content
        assert response.json()["title"] == "Desain Logo Baru untuk Kedai"
        assert Job.objects.get(pk=open_job.pk).title == "Desain Logo Baru untuk Kedai"
    else:
        assert_problem(response, status, "not_authenticated" if status == 401 else "permission_denied")
        assert snapshot(open_job) == before


def test_recruiter_may_edit_the_job_they_posted(as_user, make_job, recruiter):
    job = make_job(recruiter)

    response = as_user(recruiter).patch(detail_url(job), {"budget_max": 7_500_000, "skills": ["django"]},
                                        format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["budget_max"], response.json()["skills"]) == (7_500_000,
                                                                         [{"slug": "django", "name": "Django"}])
    job.refresh_from_db()
    assert (job.budget_max, job.skills_text) == (7_500_000, "Django")


def test_recruiter_who_left_the_company_may_no_longer_edit_their_job(as_user, make_job, recruiter):
    job = make_job(recruiter)
    Membership.objects.filter(user=recruiter).delete()

    response = as_user(recruiter).patch(detail_url(job), {"title": "Judul yang Diubah"}, format="json")

    assert_problem(response, 403)
    assert Job.objects.get(pk=job.pk).title == "Desain Logo untuk Kedai Kopi"


def test_outsider_patching_a_draft_gets_404(as_user, other_company_owner, draft_job):
    before = snapshot(draft_job)

    response = as_user(other_company_owner).patch(detail_url(draft_job), {"title": "Diambil alih"}, format="json")

    assert_problem(response, 404, "not_found")
    assert snapshot(draft_job) == before


# --- status transitions --------------------------------------------------------------------------------------

def test_draft_to_open_publishes_the_job(as_user, owner, draft_job):
    response = as_user(owner).patch(detail_url(draft_job), {"status": "open"}, format="json")

    assert response.status_code == 200, response.content
    draft_job.refresh_from_db()
    assert draft_job.status == "open"
    assert draft_job.published_at is not None
    assert response.json()["published_at"] is not None
    assert audit(draft_job) == [("", "draft", owner.pk), ("draft", "open", owner.pk)]


def test_open_to_closed_and_back_keeps_the_first_publication_time(as_user, owner, company_admin, open_job):
    published_at = open_job.published_at

    closed = as_user(owner).patch(detail_url(open_job), {"status": "closed"}, format="json")
    reopened = as_user(company_admin).patch(detail_url(open_job), {"status": "open"}, format="json")

    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert (reopened.status_code, reopened.json()["status"]) == (200, "open")
    open_job.refresh_from_db()
    assert (open_job.status, open_job.published_at) == ("open", published_at)
    assert audit(open_job) == [("", "open", owner.pk), ("open", "closed", owner.pk),
                               ("closed", "open", company_admin.pk)]


def test_patch_with_the_current_status_records_no_transition(as_user, owner, open_job):
    response = as_user(owner).patch(detail_url(open_job), {"status": "open"}, format="json")

    assert response.status_code == 200, response.content
    assert audit(open_job) == [("", "open", owner.pk)]


@pytest.mark.parametrize("target", ["in_progress", "completed"])
def test_contract_managed_statuses_cannot_be_set_by_patch(as_user, owner, open_job, target):
    before = snapshot(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"status": target}, format="json")

    assert_problem(response, 409, "status_managed_by_contracts")
    assert snapshot(open_job) == before


@pytest.mark.parametrize("target", ["in_progress", "completed"])
def test_contract_managed_statuses_are_refused_and_change_nothing(as_user, owner, open_job, target):
    """Such a PATCH, even with other edits in it, is refused as a whole."""
    before = snapshot(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"status": target, "title": "Judul Baru Sekali"},
                                    format="json")

    assert_problem(response, 409, "status_managed_by_contracts")
    assert snapshot(open_job) == before
    assert audit(open_job) == [("", "open", owner.pk)]


def test_closed_to_draft_is_an_illegal_transition(as_user, owner, open_job):
    services.job_update(job=open_job, actor=owner, data={"status": "closed"})
    before = snapshot(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"status": "draft"}, format="json")

    assert_problem(response, 409, "illegal_status_transition")
    assert snapshot(open_job) == before
    assert audit(open_job) == [("", "open", owner.pk), ("open", "closed", owner.pk)]


def test_illegal_transition_also_discards_the_field_edits_of_the_same_request(as_user, owner, open_job):
    services.job_update(job=open_job, actor=owner, data={"status": "closed"})
    before = snapshot(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"title": "Judul yang Tidak Boleh Tersimpan",
                                                           "budget_max": 9_000_000, "skills": ["react"],
                                                           "status": "draft"}, format="json")

    assert_problem(response, 409, "illegal_status_transition")
    assert snapshot(open_job) == before
    assert list(open_job.skills.values_list("slug", flat=True)) == []
    assert Job.objects.get(pk=open_job.pk).skills_text == ""


@pytest.mark.parametrize("data", [{"title": "Judul Setelah Dibatalkan"}, {"skills": ["figma"]},
                                  {"budget_max": 9_000_000}])
def test_cancelled_job_is_not_editable(as_user, owner, open_job, data):
    services.job_delete(job=open_job, actor=owner)
    before = snapshot(open_job)

    response = as_user(owner).patch(detail_url(open_job), data, format="json")

    assert_problem(response, 409, "job_not_editable")
    assert snapshot(open_job) == before
    assert open_job.skills.count() == 0


def test_cancelled_job_cannot_be_reopened(as_user, owner, open_job):
    services.job_delete(job=open_job, actor=owner)
    before = snapshot(open_job)

    response = as_user(owner).patch(detail_url(open_job), {"status": "open"}, format="json")

    assert_problem(response, 409, "illegal_status_transition")
    assert snapshot(open_job) == before


# --- DELETE jobs/{id}/ ---------------------------------------------------------------------------------------

def test_delete_draft_deletes_it(as_user, owner, draft_job):
    response = as_user(owner).delete(detail_url(draft_job))

    assert response.status_code == 204
    assert response.content == b""
    assert not Job.objects.filter(pk=draft_job.pk).exists()
    assert not JobStatusChange.objects.filter(job_id=draft_job.pk).exists()


def test_delete_open_job_cancels_it_and_keeps_the_row(as_user, owner, company_admin, open_job):
    response = as_user(company_admin).delete(detail_url(open_job))

    assert response.status_code == 204
    open_job.refresh_from_db()
    assert open_job.status == "cancelled"
    assert JobStatusChange.objects.filter(job=open_job).order_by("created_at", "id").last().note \
        == "deleted by the company"
    assert audit(open_job) == [("", "open", owner.pk), ("open", "cancelled", company_admin.pk)]


def test_delete_cancelled_job_is_409(as_user, owner, open_job):
    services.job_delete(job=open_job, actor=owner)

    response = as_user(owner).delete(detail_url(open_job))

    assert_problem(response, 409, "illegal_status_transition")
    assert Job.objects.get(pk=open_job.pk).status == "cancelled"


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("freelancer", 403), ("other_company_owner", 403), ("recruiter", 403), ("operator", 403),
])
def test_delete_is_refused_to_non_editors(actor, role, status, open_job):
    before = snapshot(open_job)
    _, client = actor(role)

    response = client.delete(detail_url(open_job))

    assert_problem(response, status)
    assert snapshot(open_job) == before


# --- operator remove / restore ---------------------------------------------------------------------------

def test_operator_removes_a_job_with_a_reason(as_user, operator, open_job):
    response = as_user(operator).post(remove_url(open_job), {"reason": "Iklan judi online"}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["is_removed"], response.json()["removed_reason"]) == (True, "Iklan judi online")
    assert response.json()["status"] == "open"
    open_job.refresh_from_db()
    assert (open_job.removed_by, open_job.removed_reason, open_job.removed_at is not None) \
        == (operator, "Iklan judi online", True)
    last = JobStatusChange.objects.filter(job=open_job).order_by("created_at", "id").last()
    assert (last.from_status, last.to_status, last.actor, last.note) \
        == ("open", "open", operator, "removed: Iklan judi online")


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("freelancer", 403), ("owner", 403), ("company_admin", 403), ("other_company_owner", 403),
])
def test_only_operators_remove_jobs(actor, role, status, open_job):
    _, client = actor(role)

    response = client.post(remove_url(open_job), {"reason": "Saya tidak suka"}, format="json")

    assert_problem(response, status)
    assert Job.objects.get(pk=open_job.pk).removed_at is None


@pytest.mark.parametrize(("body", "field"), [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "ab"}, "reason"),
                                             ({"reason": "x" * 501}, "reason"), ({"reason": 42}, "reason"),
                                             ({"reason": "Spam iklan", "extra": 1}, "extra")])
def test_remove_needs_a_valid_reason(as_user, operator, open_job, body, field):
    response = as_user(operator).post(remove_url(open_job), body, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == [field]
    assert Job.objects.get(pk=open_job.pk).removed_at is None


def test_remove_twice_is_409(as_user, operator, open_job):
    client = as_user(operator)
    client.post(remove_url(open_job), {"reason": "Iklan judi online"}, format="json")

    response = client.post(remove_url(open_job), {"reason": "Lagi"}, format="json")

    assert_problem(response, 409, "already_removed")
    assert Job.objects.get(pk=open_job.pk).removed_reason == "Iklan judi online"


def test_restore_then_restore_again(as_user, operator, open_job, owner):
    client = as_user(operator)
    client.post(remove_url(open_job), {"reason": "Iklan judi online"}, format="json")

    restored = client.post(restore_url(open_job))
    again = client.post(restore_url(open_job))

    assert restored.status_code == 200, restored.content
    assert (restored.json()["is_removed"], restored.json()["removed_reason"]) == (False, "")
    assert_problem(again, 409, "not_removed")
    open_job.refresh_from_db()
    assert (open_job.removed_at, open_job.removed_by, open_job.removed_reason) == (None, None, "")
    assert list(JobStatusChange.objects.filter(job=open_job).order_by("created_at", "id")
                .values_list("note", flat=True)) == ["", "removed: Iklan judi online", "restored"]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("owner", 403), ("freelancer", 403)])
def test_only_operators_restore_jobs(actor, role, status, open_job, operator):
    services.job_remove(job=open_job, operator=operator, reason="Iklan judi online")
    _, client = actor(role)

    assert_problem(client.post(restore_url(open_job)), status)
    assert Job.objects.get(pk=open_job.pk).removed_at is not None


def test_remove_unknown_job_is_404(as_user, operator):
    response = as_user(operator).post(f"{JOBS}01890000-0000-7000-8000-000000000000/remove/", {"reason": "Spam"},
                                      format="json")

    assert_problem(response, 404, "not_found")


def test_removed_job_can_still_be_edited_by_its_company_but_stays_removed(as_user, owner, operator, open_job):
    services.job_remove(job=open_job, operator=operator, reason="Iklan judi online")

    response = as_user(owner).patch(detail_url(open_job), {"title": "Judul yang Sudah Diperbaiki"}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["is_removed"]) == ("Judul yang Sudah Diperbaiki", True)
