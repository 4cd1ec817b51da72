"""The moderation API of the contract (remove and restore a job): for operators who moderate jobs (the moderator
group, superusers), through the same service, with the same notification and audit row."""

import pytest
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry
from companies.models import Company, Membership
from jobs.models import Job
from notifications.models import Notification
from tests.factories import MembershipFactory, operator_in
from tests.problems import assert_problem
from tests.proposals.helpers import make_job

Action = AuditEntry.Action


@pytest.fixture
def job(db):
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    return make_job(Company.objects.get(memberships__user=owner), owner)


def remove_url(job) -> str:
    return f"/api/v1/jobs/{job.pk}/remove/"


def restore_url(job) -> str:
    return f"/api/v1/jobs/{job.pk}/restore/"


def audit_of(job) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Job), target_id=str(job.pk)
        ).values_list("action", "actor__email", "reason")
    )


@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_a_job_moderator_removes_and_restores_through_the_api(
    as_user, job, role, django_capture_on_commit_callbacks, superuser, moderator
):
    operator = superuser if role == "superuser" else moderator
    client = as_user(operator)

    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(remove_url(job), {"reason": "Iklan judi online"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        restored = client.post(restore_url(job), {"reason": "Salah paham"}, format="json")

    assert (removed.status_code, removed.json()["is_removed"], removed.json()["removed_reason"]) == (
        200,
        True,
        "Iklan judi online",
    )
    assert (restored.status_code, restored.json()["is_removed"]) == (200, False)
    assert audit_of(job) == [
        (Action.JOB_RESTORE, operator.email, "Salah paham"),
        (Action.JOB_REMOVE, operator.email, "Iklan judi online"),
    ]
    assert sorted(Notification.objects.filter(user=job.posted_by).values_list("kind", flat=True)) == [
        "job.removed",
        "job.restored",
    ]


def test_restore_needs_no_reason(as_user, moderator, job):
    as_user(moderator).post(remove_url(job), {"reason": "Iklan palsu"}, format="json")

    response = as_user(moderator).post(restore_url(job), format="json")

    assert response.status_code == 200
    assert audit_of(job)[0] == (Action.JOB_RESTORE, moderator.email, "")


@pytest.mark.parametrize("group", ["support", "finance", None])
def test_other_operators_are_refused_and_nothing_changes(as_user, job, group):
    response = as_user(operator_in(group)).post(remove_url(job), {"reason": "Iklan palsu"}, format="json")

    assert_problem(response, 403)
    assert Job.objects.get(pk=job.pk).removed_at is None
    assert AuditEntry.objects.count() == 0
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x"}, "reason"),
        ({"reason": 12345}, "reason"),
        ({"reason": "Spam", "extra": 1}, "extra"),
    ],
)
def test_a_bad_restore_body_is_a_400(as_user, moderator, job, body, field):
    as_user(moderator).post(remove_url(job), {"reason": "Iklan palsu"}, format="json")

    response = as_user(moderator).post(restore_url(job), body, format="json")

    assert_problem(response, 400)
    assert field in response.json()["errors"]
    assert Job.objects.get(pk=job.pk).removed_at is not None
