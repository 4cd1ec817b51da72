"""Reads of the reviews app: who sees which review (the double-blind rule), and the lists, each one query for
its page whatever the page size (the joins are selected up front).

Visibility of one review:
- its own side (the freelancer, or the owners and admins of the company) always, pending or not;
- once published, the reviewed side (hidden or not: they see that it was hidden), and everybody else while it is
  not hidden;
- operators, always.
"""

from django.db.models import Q, QuerySet

from bantu.core.permissions import MANAGER_ROLES, company_roles, is_platform_admin
from proposals.models import Side

from .models import Review


def managed_company_ids(user) -> list:
    """The companies whose reviews `user` writes and answers: those where they are an owner or admin."""
    return [company_id for company_id, role in company_roles(user).items() if role in MANAGER_ROLES]


def _reviews() -> QuerySet[Review]:
    return Review.objects.select_related("author", "freelancer", "company", "contract__job")


def _written_by(user) -> Q:
    return Q(side=Side.FREELANCER, freelancer=user) | Q(side=Side.COMPANY, company_id__in=managed_company_ids(user))


def _received_by(user) -> Q:
    return Q(status=Review.Status.PUBLISHED) & (
        Q(side=Side.COMPANY, freelancer=user) | Q(side=Side.FREELANCER, company_id__in=managed_company_ids(user))
    )


PUBLIC = Q(status=Review.Status.PUBLISHED, hidden_at__isnull=True)


def review_visible_to(user) -> QuerySet[Review]:
    """The reviews `user` may open (see the module)."""
    if is_platform_admin(user):
        return _reviews()
    return _reviews().filter(PUBLIC | _written_by(user) | _received_by(user))


def review_list_mine(*, user, direction: str | None = None) -> QuerySet[Review]:
    """Reviews `user`'s side wrote (`written`: pending ones too), reviews of them that are published
    (`received`: hidden ones too, flagged), or both; newest first."""
    condition = {"written": _written_by(user), "received": _received_by(user)}.get(
        direction, _written_by(user) | _received_by(user)
    )
    return _reviews().filter(condition).order_by("-created_at", "-id")


def review_list_of_freelancer(*, user_id) -> QuerySet[Review]:
    """Companies' published, visible reviews of the freelancer whose user id is `user_id`; newest first."""
    return _reviews().filter(PUBLIC, side=Side.COMPANY, freelancer_id=user_id).order_by("-published_at", "-id")


def review_list_of_company(*, company_id) -> QuerySet[Review]:
    """Freelancers' published, visible reviews of the company; newest first."""
    return _reviews().filter(PUBLIC, side=Side.FREELANCER, company_id=company_id).order_by("-published_at", "-id")


def side_of(*, user, review: Review) -> tuple[bool, bool]:
    """(wrote it, is reviewed by it): whether `user` is on the side that wrote `review`, and on the reviewed side."""
    as_freelancer = review.freelancer_id == user.pk
    as_company = review.company_id in managed_company_ids(user)
    if review.side == Side.FREELANCER:
        return as_freelancer, as_company
    return as_company, as_freelancer
