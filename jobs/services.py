"""Writes of the jobs app: posting, editing, status changes, operator removal.

Every write records what changed and, on commit, bumps the cache versions of what it affects (jobs.cache), so
search and detail never serve a job as it was before the write.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Action, audit_record
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden
from bantu.core.permissions import company_roles
from companies.models import Company

from . import cache, errors, events, search
from .models import Job, JobStatusChange

EDITABLE_FIELDS = ("title", "description", "category", "job_type", "budget_min", "budget_max", "location_type",
                   "province", "city", "experience_level", "deadline")
API_SETTABLE_STATUSES = {Job.Status.DRAFT, Job.Status.OPEN, Job.Status.CLOSED, Job.Status.CANCELLED}


def _after_commit_changed(job_id, job: Job | None = None) -> None:
    """On commit: the caches of the job and of every search; and, if `job` is open, its words in the search's
    typo vocabulary."""
    transaction.on_commit(lambda: cache.job_changed(job_id))
    if job is not None:
        search.search_words_add_on_commit(job)


def _check_budget(budget_min: int, budget_max: int) -> None:
    if budget_min > budget_max:
        raise ApplicationError(
            "budget_min must not exceed budget_max.",
            code="budget_range",
            errors={"budget_max": ["Must be greater than or equal to budget_min."]},
        )


def _check_location(location_type: str, province: str) -> None:
    if location_type != Job.LocationType.REMOTE and not province:
        raise ApplicationError(
            "Onsite and hybrid jobs need a province.",
            code="province_required",
            errors={"province": ["Required for onsite and hybrid jobs."]},
        )


def _skills_text(skills) -> str:
    return " ".join(sorted(skill.name for skill in skills))


def _set_skills(job: Job, skills) -> None:
    skills = list(dict.fromkeys(skills))
    job.skills.set(skills)
    job.skills_text = _skills_text(skills)
    job.save(update_fields=["skills_text"])  # the search trigger re-indexes on this column


REFRESH_BATCH = 1000


def jobs_refresh_skills_text(*, skill_id) -> int:
    """A skill was renamed: rewrite the denormalised skill names of every job that has it (the search trigger
    re-indexes them). Batched; returns how many jobs changed."""
    changed = 0
    queryset = Job.objects.filter(skills__id=skill_id).order_by("pk").prefetch_related("skills")
    last_pk = None
    while True:
        page = queryset.filter(pk__gt=last_pk) if last_pk else queryset
        jobs = list(page[:REFRESH_BATCH])
        if not jobs:
            return changed
        for job in jobs:
            job.skills_text = _skills_text(job.skills.all())
        Job.objects.bulk_update(jobs, ["skills_text"])
        changed += len(jobs)
        last_pk = jobs[-1].pk


def _record(job: Job, from_status: str, to_status: str, actor: User | None, note: str = "") -> None:
    JobStatusChange.objects.create(job=job, from_status=from_status, to_status=to_status, actor=actor, note=note)


def posting_company_for(*, user: User, company_id=None) -> Company:
    """The company a job is posted for: the one named, or the user's only company."""
    memberships = company_roles(user)
    if company_id is None:
        if len(memberships) != 1:
            raise ApplicationError(
                "You belong to several companies: name the one this job is for.",
                code=errors.COMPANY_REQUIRED,
                errors={"company": ["Required when you belong to more than one company."]},
            )
        company_id = next(iter(memberships))
    if company_id not in memberships:
        raise Forbidden("You are not a member of that company.", code=errors.NOT_A_MEMBER)
    return Company.objects.get(pk=company_id)


@transaction.atomic
def job_create(*, company: Company, posted_by: User, skills=(), status: str = Job.Status.OPEN, **fields) -> Job:
    """Post a job as `draft` or `open`. The caller has checked that `posted_by` is a member of `company`."""
    if status not in (Job.Status.DRAFT, Job.Status.OPEN):
        raise Conflict("A new job is either a draft or open.", code=errors.ILLEGAL_TRANSITION)
    data = {key: value for key, value in fields.items() if key in EDITABLE_FIELDS}
    _check_budget(data["budget_min"], data["budget_max"])
    _check_location(data.get("location_type", Job.LocationType.REMOTE), data.get("province", ""))
    job = Job.objects.create(
        company=company, posted_by=posted_by, status=status,
        published_at=timezone.now() if status == Job.Status.OPEN else None, **data,
    )
    _set_skills(job, skills)
    _record(job, "", status, posted_by)
    _after_commit_changed(job.pk, job)
    return job


def _locked(job: Job) -> Job:
    return Job.objects.select_for_update().get(pk=job.pk)


@transaction.atomic
def job_update(*, job: Job, actor: User, data: dict) -> Job:
    """Edit fields and/or change status (a `status` key). Locks the job row.

    Raises Conflict when the job is no longer editable or the status change is not allowed.
    """
    job = _locked(job)
    fields = {key: value for key, value in data.items() if key in EDITABLE_FIELDS}
    if (fields or "skills" in data) and job.status not in Job.EDITABLE_STATUSES:
        raise Conflict(f"A job that is {job.status} can no longer be edited.", code=errors.NOT_EDITABLE)
    _check_budget(fields.get("budget_min", job.budget_min), fields.get("budget_max", job.budget_max))
    _check_location(fields.get("location_type", job.location_type), fields.get("province", job.province))
    for key, value in fields.items():
        setattr(job, key, value)
    if fields:
        job.save(update_fields=[*fields, "updated_at"])
    if "skills" in data:
        _set_skills(job, data["skills"])
    if "status" in data and data["status"] != job.status:
        if data["status"] not in API_SETTABLE_STATUSES:
            raise Conflict("This status is set by contracts, not by editing the job.",
                           code=errors.STATUS_MANAGED_BY_CONTRACTS)
        _transition(job, data["status"], actor)
    _after_commit_changed(job.pk, job)
    return job


def _transition(job: Job, to_status: str, actor: User | None, note: str = "") -> None:
    """Change the status of a job the caller has locked."""
    if to_status not in Job.ALLOWED_TRANSITIONS[job.status]:
        raise Conflict(f"A job cannot go from {job.status} to {to_status}.", code=errors.ILLEGAL_TRANSITION)
    from_status = job.status
    job.status = to_status
    update = ["status", "updated_at"]
    if to_status == Job.Status.OPEN and job.published_at is None:
        job.published_at = timezone.now()
        update.append("published_at")
    job.save(update_fields=update)
    _record(job, from_status, to_status, actor, note)


@transaction.atomic
def job_change_status(*, job: Job, to_status: str, actor: User | None = None, note: str = "") -> Job:
    """Status change for other domains (contracts move jobs to in_progress/completed). Locks the job row."""
    job = _locked(job)
    _transition(job, to_status, actor, note)
    _after_commit_changed(job.pk, job)
    return job


@transaction.atomic
def job_delete(*, job: Job, actor: User) -> None:
    """A draft is deleted; an open job is cancelled (it keeps its history). Anything else: 409."""
    job = _locked(job)
    if job.status == Job.Status.DRAFT:
        job_id = job.pk
        job.delete()
        _after_commit_changed(job_id)
        return
    _transition(job, Job.Status.CANCELLED, actor, "deleted by the company")
    _after_commit_changed(job.pk)


@transaction.atomic
def job_remove(*, job: Job, operator: User, reason: str) -> Job:
    """Operator moderation: the job disappears from search and detail for all but its company and operators.

    Locks the job row. Raises Conflict (already_removed). Writes a status-history row and one audit row, and
    notifies the company's members after commit."""
    job = _locked(job)
    if job.is_removed:
        raise Conflict("This job is already removed.", code=errors.ALREADY_REMOVED)
    job.removed_at = timezone.now()
    job.removed_reason = reason
    job.removed_by = operator
    job.save(update_fields=["removed_at", "removed_reason", "removed_by", "updated_at"])
    _record(job, job.status, job.status, operator, f"removed: {reason}"[:500])
    audit_record(actor=operator, action=Action.JOB_REMOVE, target=job, reason=reason)
    _after_commit_changed(job.pk)
    events.job_removed(job, reason)
    return job


@transaction.atomic
def job_restore(*, job: Job, operator: User, reason: str = "") -> Job:
    """Undo a removal. Locks the job row. Raises Conflict (not_removed). Writes a status-history row and one
    audit row, and notifies the company's members after commit."""
    job = _locked(job)
    if not job.is_removed:
        raise Conflict("This job is not removed.", code=errors.NOT_REMOVED)
    job.removed_at = None
    job.removed_reason = ""
    job.removed_by = None
    job.save(update_fields=["removed_at", "removed_reason", "removed_by", "updated_at"])
    _record(job, job.status, job.status, operator, f"restored: {reason}"[:500] if reason else "restored")
    audit_record(actor=operator, action=Action.JOB_RESTORE, target=job, reason=reason)
    _after_commit_changed(job.pk, job)
    events.job_restored(job, reason)
    return job
