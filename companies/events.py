"""What the companies app announces; scheduled on commit, carrying ids and strings only."""

from django.db import transaction

from notifications.models import Notification
from notifications.services import notify

from .selectors import company_member_ids


def company_verification_changed(company, verified: bool, reason: str) -> None:
    recipients = company_member_ids(company_id=company.pk)
    title = f"{company.name} is now verified" if verified else f"{company.name} is no longer verified"
    kind = Notification.Kind.COMPANY_VERIFIED if verified else Notification.Kind.COMPANY_UNVERIFIED
    transaction.on_commit(
        lambda: notify(user_ids=recipients, kind=kind, title=title, body=reason, data={"company": str(company.pk)})
    )
