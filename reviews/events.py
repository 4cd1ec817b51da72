"""What the reviews app announces. Every function schedules on commit and carries ids and strings, never
instances that could change before the commit; nothing is announced for work that rolled back."""

from django.db import transaction

from companies.selectors import company_manager_ids
from notifications.models import Notification
from notifications.services import notify
from proposals.models import Side

Kind = Notification.Kind


def _on_commit(**kwargs) -> None:
    transaction.on_commit(lambda: notify(**kwargs))


def _data(review) -> dict:
    return {"review": str(review.pk), "contract": str(review.contract_id)}


def _reviewed_party(review) -> list:
    """The freelancer, or the owners and admins of the company (who may reply)."""
    if review.side == Side.COMPANY:
        return [review.freelancer_id]
    return company_manager_ids(company_id=review.company_id)


def _author_side(review) -> list:
    if review.side == Side.FREELANCER:
        return [review.freelancer_id]
    return company_manager_ids(company_id=review.company_id)


def review_published(review, job_title: str) -> None:
    _on_commit(
        user_ids=_reviewed_party(review),
        kind=Kind.REVIEW_PUBLISHED,
        title=f"New review: {review.rating}★ for “{job_title}”",
        body=review.comment[:1000],
        data={**_data(review), "rating": review.rating},
    )


def review_replied(review, actor_id) -> None:
    _on_commit(
        user_ids=_author_side(review),
        exclude_user_id=actor_id,
        kind=Kind.REVIEW_REPLIED,
        title="Your review has a reply",
        body=review.reply[:1000],
        data=_data(review),
    )


def review_hidden(review, reason: str) -> None:
    _on_commit(
        user_ids=[review.author_id],
        kind=Kind.REVIEW_HIDDEN,
        title="Your review was hidden by an operator",
        body=reason,
        data=_data(review),
    )


def review_restored(review) -> None:
    _on_commit(
        user_ids=[review.author_id],
        kind=Kind.REVIEW_RESTORED,
        title="Your review is shown again",
        body="An operator undid the hiding of your review.",
        data=_data(review),
    )
