"""Helpers of the backoffice tests: rows backdated into the dashboard's window, and what each figure counts."""

import datetime

from django.utils import timezone

from accounts.models import User
from chat.models import MessageReport
from companies.models import Company
from freelancers.models import FreelancerProfile
from jobs.models import Job
from payments.models import Account, Dispute, Entry, Transaction
from proposals.models import Contract, Proposal

AMOUNTS = (1_000_000, 500_000, 250_000)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def backdate(model, pk, days: int, field: str = "created_at") -> None:
    model.objects.filter(pk=pk).update(**{field: days_ago(days)})


def by_day(values) -> tuple[int, int]:
    """(today, last 30 days) of aware datetimes, counted in Python on the operators' calendar."""
    today = timezone.localdate()
    days = [timezone.localtime(value).date() for value in values if value is not None]
    return (sum(day == today for day in days), sum(today - datetime.timedelta(days=29) <= day <= today for day in days))


COUNTED = {  # series key → (the model its changelist lists, the date field, an extra filter on the rows)
    "users": (User, "date_joined", {}),
    "freelancers": (FreelancerProfile, "created_at", {}),
    "companies": (Company, "created_at", {}),
    "jobs": (Job, "published_at", {}),
    "proposals": (Proposal, "created_at", {}),
    "contracts": (Contract, "created_at", {}),
    "disputes": (Dispute, "created_at", {}),
    "reports": (MessageReport, "created_at", {}),
    "gmv_funded": (Transaction, "created_at", {"kind": Transaction.Kind.ESCROW_FUNDED}),
    "gmv_released": (Transaction, "created_at", {"kind": Transaction.Kind.ESCROW_RELEASED}),
    "fees": (Entry, "created_at", {"account__kind": Account.Kind.PLATFORM_FEES}),
}
