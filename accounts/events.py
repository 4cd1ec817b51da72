"""What the accounts app announces; scheduled on commit, carrying ids and strings only."""

from django.db import transaction

from notifications.models import Notification
from notifications.services import notify


def user_suspended(user_id, reason: str) -> None:
    transaction.on_commit(
        lambda: notify(
            user_ids=[user_id],
            kind=Notification.Kind.ACCOUNT_SUSPENDED,
            title="Your account was suspended by an operator",
            body=reason,
            data={"user": str(user_id)},
        )
    )


def user_reactivated(user_id, reason: str) -> None:
    transaction.on_commit(
        lambda: notify(
            user_ids=[user_id],
            kind=Notification.Kind.ACCOUNT_REACTIVATED,
            title="Your account is active again",
            body=reason,
            data={"user": str(user_id)},
        )
    )
