"""Writes of the reviews app: write, edit and answer a review, publish (double-blind), hide and unhide.

Locking contract: writing and publishing lock the contract row first (`proposals.services.contract_lock`), so
the two sides writing at the same moment serialize and the second one always sees the first and publishes both;
then review rows; then the reviewed party's rating row (the freelancer's profile before the company, whatever the
caller). Hiding and unhiding lock the review, then the rating row. A rating changes only through
`freelancer_rating_change` / `company_rating_change`: one UPDATE each, correct under any concurrency.

Times are aware UTC; ratings are whole stars 1-5.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden, NotFound
from bantu.core.permissions import is_manager
from companies.services import company_rating_change
from freelancers.services import freelancer_rating_change
from proposals.models import Contract, Side
from proposals.services import contract_lock

from . import errors, events
from .models import SUB_RATINGS, Review
from .selectors import side_of


def review_window() -> datetime.timedelta:
    """How long after a contract completes its reviews may be written, and when pending ones are published."""
    return datetime.timedelta(days=settings.BANTU["REVIEW_WINDOW_DAYS"])


def _invalid(errors_by_field: dict) -> ApplicationError:
    return ApplicationError("The request contains invalid fields.", code="validation_error", errors=errors_by_field)


def _check_sub_ratings(side: str, values: dict) -> None:
    """The company rates communication, quality and timeliness (all three); the freelancer rates none."""
    if side == Side.COMPANY:
        missing = {name: ["The company rates this too (1-5)."] for name in SUB_RATINGS if values.get(name) is None}
        if missing:
            raise _invalid(missing)
    else:
        given = {name: ["Only the company rates this."] for name in SUB_RATINGS if values.get(name) is not None}
        if given:
            raise _invalid(given)


def _rating_add(review: Review, sign: int) -> None:
    """Count (+1) or uncount (-1) a review in its reviewed party's rating: one UPDATE of their row."""
    if review.side == Side.COMPANY:
        freelancer_rating_change(user_id=review.freelancer_id, stars=sign * review.rating, count=sign)
    else:
        company_rating_change(company_id=review.company_id, stars=sign * review.rating, count=sign)


def _publish(contract: Contract, reviews: list[Review], now: datetime.datetime) -> int:
    """Publish the caller-locked pending `reviews` of the caller-locked `contract`; count the visible ones in the
    ratings and notify each reviewed party on commit. Returns how many it published."""
    published = []
    for review in reviews:
        if Review.objects.filter(pk=review.pk, status=Review.Status.PENDING).update(
            status=Review.Status.PUBLISHED, published_at=now, updated_at=now
        ):
            review.status, review.published_at = Review.Status.PUBLISHED, now
            published.append(review)
            events.review_published(review, contract.job.title)
    # The rating rows last, so that their locks are held for as short as possible (a freelancer's row is shared
    # by every publication about them), and always the freelancer's before the company's, so that two
    # publications never wait on each other's rows in opposite orders.
    for review in sorted(published, key=lambda r: r.side != Side.COMPANY):
        if not review.is_hidden:
            _rating_add(review, +1)
    return len(published)


@transaction.atomic
def review_create(
    *,
    contract_id,
    author: User,
    rating: int,
    comment: str,
    communication: int | None = None,
    quality: int | None = None,
    timeliness: int | None = None,
) -> Review:
    """`author` reviews the other side of a completed contract: the contract's freelancer reviews its company, an
    owner or admin of the company reviews the freelancer (with `communication`, `quality` and `timeliness`, each
    1-5, required then and refused otherwise). The review is pending, seen by its own side only; when the other
    side's review is already in, both are published now (ratings counted, reviewed parties notified on commit).

    Raises NotFound (contract_not_found), Forbidden (not_a_reviewer: neither the freelancer nor an owner or admin of
    the company), Conflict (contract_not_completed; review_window_closed, REVIEW_WINDOW_DAYS after completion;
    already_reviewed: this side has a review, also under a race, by the unique constraint), ApplicationError
    (validation_error) for the sub-ratings. Locks the contract, then the other review, then rating rows."""
    try:
        contract = contract_lock(contract_id=contract_id)
    except Contract.DoesNotExist:
        raise NotFound("No such contract.", code=errors.CONTRACT_NOT_FOUND) from None
    if contract.freelancer_id == author.pk:
        side = Side.FREELANCER
    elif is_manager(author, contract.company_id):
        side = Side.COMPANY
    else:
        raise Forbidden(
            "Only the contract's freelancer or its company's owners and admins may review it.",
            code=errors.NOT_A_REVIEWER,
        )
    if contract.status != Contract.Status.COMPLETED:
        raise Conflict(
            f"The contract is {contract.status}: reviews are written once it is completed.",
            code=errors.CONTRACT_NOT_COMPLETED,
        )
    now = timezone.now()
    if now >= contract.completed_at + review_window():
        raise Conflict(
            f"Reviews of this contract closed {settings.BANTU['REVIEW_WINDOW_DAYS']} days after it completed.",
            code=errors.REVIEW_WINDOW_CLOSED,
        )
    sub_ratings = {"communication": communication, "quality": quality, "timeliness": timeliness}
    _check_sub_ratings(side, sub_ratings)
    reviews = {review.side: review for review in Review.objects.select_for_update().filter(contract=contract)}
    if side in reviews:
        raise Conflict("Your side has already reviewed this contract.", code=errors.ALREADY_REVIEWED)
    review = Review(
        contract=contract,
        side=side,
        author=author,
        freelancer_id=contract.freelancer_id,
        company_id=contract.company_id,
        rating=rating,
        comment=comment,
        **sub_ratings,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise Conflict("Your side has already reviewed this contract.", code=errors.ALREADY_REVIEWED) from None
    other = reviews.get(Side.COMPANY if side == Side.FREELANCER else Side.FREELANCER)
    if other is not None:
        _publish(contract, [review, other], now)
    return review


@transaction.atomic
def review_update(*, review_id, actor: User, data: dict) -> Review:
    """Change a pending review's `rating`, `comment` and sub-ratings (`data` holds the fields to change). Only its
    own side may (Forbidden not_the_review_author); a published review is never edited (Conflict
    review_already_published). Raises ApplicationError (validation_error) for sub-ratings its side does not
    give. Locks the review."""
    review = Review.objects.select_for_update().get(pk=review_id)
    wrote, _ = side_of(user=actor, review=review)
    if not wrote:
        raise Forbidden("Only the side that wrote a review may edit it.", code=errors.NOT_THE_AUTHOR)
    if review.is_published:
        raise Conflict("A published review can no longer be edited.", code=errors.REVIEW_PUBLISHED)
    fields = [name for name in ("rating", "comment", *SUB_RATINGS) if name in data]
    _check_sub_ratings(review.side, {name: data.get(name, getattr(review, name)) for name in SUB_RATINGS})
    for name in fields:
        setattr(review, name, data[name])
    if fields:
        review.save(update_fields=[*fields, "updated_at"])
    return review


@transaction.atomic
def review_reply(*, review_id, actor: User, body: str) -> Review:
    """The reviewed party (the freelancer, or an owner or admin of the company) answers a published review, once.

    Raises Forbidden (not_the_reviewed_party), Conflict (review_not_published; already_replied, also under a race:
    a compare-and-set). Notifies the review's side on commit. Takes the review's row lock (the UPDATE)."""
    review = Review.objects.get(pk=review_id)
    _, reviewed = side_of(user=actor, review=review)
    if not reviewed:
        raise Forbidden("Only the reviewed party may reply to a review.", code=errors.NOT_THE_REVIEWED_PARTY)
    if not review.is_published:
        raise Conflict("Only a published review can be answered.", code=errors.REVIEW_NOT_PUBLISHED)
    now = timezone.now()
    if not Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
        reply=body, replied_at=now, replied_by=actor, updated_at=now
    ):
        raise Conflict("This review already has its reply.", code=errors.ALREADY_REPLIED)
    review.refresh_from_db()
    events.review_replied(review, actor.pk)
    return review


@transaction.atomic
def review_hide(review: Review, *, by: User, reason: str) -> Review:
    """Moderation: take a review out of public lists and, when published, out of the reviewed party's rating.
    `by` is the operator, `reason` (why; told to the author) is required. Raises Conflict
    (review_already_hidden), ApplicationError (validation_error: empty reason). Notifies the author on commit and
    writes one audit row. Locks the review, then the rating row."""
    if not reason.strip():
        raise _invalid({"reason": ["Say why: the author is told."]})
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.is_hidden:
        raise Conflict("This review is already hidden.", code=errors.ALREADY_HIDDEN)
    review.hidden_at, review.hidden_by, review.hidden_reason = timezone.now(), by, reason.strip()[:500]
    review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    if review.is_published:
        _rating_add(review, -1)
    audit_record(actor=by, action=AuditEntry.Action.REVIEW_HIDE, target=review, reason=review.hidden_reason)
    events.review_hidden(review, review.hidden_reason)
    return review


@transaction.atomic
def review_unhide(review: Review, *, by: User, reason: str = "") -> Review:
    """Moderation: show a hidden review again (and count it in the rating once published). `by` is the operator,
    `reason` (optional) why. Raises Conflict (review_not_hidden). Notifies the author on commit and writes one
    audit row. Locks the review, then the rating row."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_hidden:
        raise Conflict("This review is not hidden.", code=errors.NOT_HIDDEN)
    review.hidden_at, review.hidden_by, review.hidden_reason = None, None, ""
    review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    if review.is_published:
        _rating_add(review, +1)
    audit_record(actor=by, action=AuditEntry.Action.REVIEW_UNHIDE, target=review, reason=reason)
    events.review_restored(review)
    return review


def reviews_publish_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Publish the pending reviews of contracts whose review window has closed (Celery beat): the other side did not
    review in time. Each contract in its own transaction under its lock. Returns how many reviews it published."""
    now = now or timezone.now()
    due = (
        Review.objects.filter(status=Review.Status.PENDING, contract__completed_at__lte=now - review_window())
        .order_by("contract_id")
        .values_list("contract_id", flat=True)
        .distinct()
    )
    published = 0
    for contract_id in list(due[:limit]):
        with transaction.atomic():
            contract = contract_lock(contract_id=contract_id)
            pending = list(Review.objects.select_for_update().filter(contract=contract, status=Review.Status.PENDING))
            published += _publish(contract, pending, now)
    return published
