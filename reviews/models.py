"""Double-blind reviews of a completed contract (PRODUCT.md §2.9).

Each side of a contract reviews the other once: the freelancer reviews the company, the company (its owners and
admins) reviews the freelancer, with 1-5 stars for communication, quality and timeliness too. A review stays
`pending`, seen by its own side only, until the other side's review is in or the review window (REVIEW_WINDOW_DAYS
after the contract completed) closes; then it is `published` for good and counts in the reviewed party's rating.
Operators may hide a review (moderation): it leaves public lists and ratings until they unhide it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bantu.core.models import BaseModel
from proposals.models import Side

MIN_STARS, MAX_STARS = 1, 5
MAX_COMMENT = 5_000
MAX_REPLY = 2_000
SUB_RATINGS = ("communication", "quality", "timeliness")


def _stars(name: str) -> Q:
    return Q(**{f"{name}__gte": MIN_STARS, f"{name}__lte": MAX_STARS})


class Review(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending"  # written; only its own side sees it
        PUBLISHED = "published"  # both are in, or the window closed: public for good, never edited again

    # The one map of allowed moves. Publication is a compare-and-set under the contract's lock.
    ALLOWED_TRANSITIONS = {Status.PENDING: {Status.PUBLISHED}, Status.PUBLISHED: set()}

    contract = models.ForeignKey("proposals.Contract", on_delete=models.PROTECT, related_name="reviews")
    # Who wrote it: the freelancer (reviewing the company) or the company (reviewing the freelancer).
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written")
    # The contract's two parties, copied so that each profile's list is one index range.
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(help_text="Overall, 1-5 stars.")
    comment = models.TextField(max_length=MAX_COMMENT)
    # The company rates the freelancer on these too (1-5); empty on the freelancer's review of a company.
    communication = models.PositiveSmallIntegerField(null=True, blank=True)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    timeliness = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    published_at = models.DateTimeField(null=True, blank=True)
    # The reviewed party's one answer, shown under the published review.
    reply = models.TextField(max_length=MAX_REPLY, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Moderation: a hidden review is out of public lists and ratings.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One review per side of a contract, whatever races the API sees (a second one answers 409).
            models.UniqueConstraint(fields=["contract", "side"], name="reviews_one_per_side_per_contract"),
            models.CheckConstraint(condition=_stars("rating"), name="reviews_rating_range"),
            models.CheckConstraint(
                condition=(Q(side=Side.COMPANY) & _stars("communication") & _stars("quality") & _stars("timeliness"))
                | (Q(side=Side.FREELANCER, communication__isnull=True, quality__isnull=True, timeliness__isnull=True)),
                name="reviews_sub_ratings_by_the_company_only",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="reviews_published_at_when_published",
            ),
        ]
        indexes = [
            # The public lists: a freelancer's (written by companies) and a company's (written by freelancers).
            models.Index(
                fields=["freelancer", "-published_at", "-id"],
                name="reviews_freelancer_public_idx",
                condition=Q(side="company", status="published", hidden_at__isnull=True),
            ),
            models.Index(
                fields=["company", "-published_at", "-id"],
                name="reviews_company_public_idx",
                condition=Q(side="freelancer", status="published", hidden_at__isnull=True),
            ),
            models.Index(fields=["author", "-created_at"], name="reviews_author_idx"),
            models.Index(fields=["contract"], name="reviews_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.side} review of contract {self.contract_id}: {self.rating}★ ({self.status})"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
