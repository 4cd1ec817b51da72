"""What the jobs app announces; scheduled on commit, carrying ids only."""

from django.db import transaction

from companies.selectors import company_member_ids
from notifications.models import Notification
from notifications.services import notify


def job_removed(job, reason: str) -> None:
    recipients = company_member_ids(company_id=job.company_id)
    transaction.on_commit(lambda: notify(
        user_ids=recipients, kind=Notification.Kind.JOB_REMOVED,
        title=f"Your job “{job.title}” was removed by an operator", body=reason, data={"job": str(job.pk)},
    ))


def job_restored(job, reason: str) -> None:
    recipients = company_member_ids(company_id=job.company_id)
    transaction.on_commit(lambda: notify(
        user_ids=recipients, kind=Notification.Kind.JOB_RESTORED,
        title=f"Your job “{job.title}” was restored by an operator", body=reason, data={"job": str(job.pk)},
    ))
