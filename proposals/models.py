from django.conf import settings
from django.db import models
from django.db.models import Q

from bantu.core.models import BaseModel, StatusChange
from jobs.models import MAX_BUDGET

MAX_DURATION_DAYS = 730
MAX_ATTACHMENTS = 10


class Side(models.TextChoices):
    FREELANCER = "freelancer"
    COMPANY = "company"


class Proposal(BaseModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted"
        SHORTLISTED = "shortlisted"
        NEGOTIATING = "negotiating"
        ACCEPTED = "accepted"
        DECLINED = "declined"
        WITHDRAWN = "withdrawn"

    # The one map of allowed moves (PRODUCT.md §2.4). A counter offer moves to (or stays in) negotiating.
    ALLOWED_TRANSITIONS = {
        Status.SUBMITTED: {Status.SHORTLISTED, Status.NEGOTIATING, Status.ACCEPTED, Status.DECLINED,
                           Status.WITHDRAWN},
        Status.SHORTLISTED: {Status.NEGOTIATING, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.NEGOTIATING: {Status.NEGOTIATING, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
    }
    ACTIVE_STATUSES = (Status.SUBMITTED, Status.SHORTLISTED, Status.NEGOTIATING)

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="proposals")
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals")
    cover_letter = models.TextField(max_length=10_000)
    attachments = models.JSONField(default=list, blank=True, help_text="Links (URLs) to work samples.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    # The terms on the table: a copy of the latest offer, kept by the services under the row lock so that lists
    # can filter and sort by amount without a subquery per row. The offers table is the history.
    amount = models.PositiveBigIntegerField(help_text="Integer rupiah: the latest offer.")
    duration_days = models.PositiveIntegerField(help_text="Estimated duration of the latest offer.")
    currency = models.CharField(max_length=3, default="IDR", editable=False)
    last_offer_side = models.CharField(max_length=10, choices=Side.choices, default=Side.FREELANCER)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "freelancer"], name="proposals_one_per_freelancer_per_job"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(amount__lte=MAX_BUDGET),
                                   name="proposals_amount_range"),
        ]
        indexes = [
            models.Index(fields=["job", "status", "-created_at"], name="proposals_job_status_idx"),
            models.Index(fields=["freelancer", "-created_at"], name="proposals_freelancer_idx"),
        ]

    def __str__(self):
        return f"{self.freelancer_id} → {self.job_id} ({self.status})"


class Offer(BaseModel):
    """One set of terms proposed by one side. Append-only: the negotiation history."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="offers")
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.PositiveBigIntegerField()
    duration_days = models.PositiveIntegerField()
    message = models.TextField(max_length=5_000, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="proposals_offer_amount_positive")]

    def __str__(self):
        return f"{self.side} offer {self.amount} on {self.proposal_id}"


class ProposalStatusChange(StatusChange):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        pass


class Contract(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    # One contract per proposal and per job: the database refuses a second, whatever the code does.
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="contract")
    job = models.OneToOneField("jobs.Job", on_delete=models.PROTECT, related_name="contract")
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="contracts")
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts")
    accepted_offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(help_text="Agreed integer rupiah.")
    currency = models.CharField(max_length=3, default="IDR", editable=False)
    duration_days = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The platform fee agreed when the contract started, in basis points (1000 = 10%): a later change of
    # PLATFORM_FEE_PERCENT applies to new contracts only.
    platform_fee_bps = models.PositiveSmallIntegerField(default=1000)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(platform_fee_bps__lt=10_000), name="contracts_fee_below_100_percent"),
        ]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="contracts_company_idx"),
            models.Index(fields=["freelancer", "-created_at"], name="contracts_freelancer_idx"),
        ]

    def __str__(self):
        return f"Contract {self.id} ({self.amount} {self.currency})"


class Milestone(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending"  # not funded yet (a checkout may be open)
        FUNDED = "funded"  # the amount is in escrow
        SUBMITTED = "submitted"  # the freelancer delivered; the company reviews (auto-approved after a period)
        DISPUTED = "disputed"  # frozen until an operator resolves it
        RELEASED = "released"  # escrow paid to the freelancer's wallet (all, or the released part of a split)
        REFUNDED = "refunded"  # escrow returned to the company

    # The one map of allowed moves (PRODUCT.md §2.6). Only payments services move a milestone, under its lock.
    ALLOWED_TRANSITIONS = {
        Status.PENDING: {Status.FUNDED},
        Status.FUNDED: {Status.SUBMITTED, Status.RELEASED, Status.DISPUTED},
        Status.SUBMITTED: {Status.RELEASED, Status.DISPUTED},
        Status.DISPUTED: {Status.RELEASED, Status.REFUNDED},
        Status.RELEASED: set(),
        Status.REFUNDED: set(),
    }
    SETTLED_STATUSES = (Status.RELEASED, Status.REFUNDED)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    amount = models.PositiveBigIntegerField()
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    funded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_note = models.TextField(max_length=5_000, blank=True)
    # When a submitted milestone is approved if the company does nothing (MILESTONE_REVIEW_DAYS after submit).
    auto_approve_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="milestones_position_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestones_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["auto_approve_at"], condition=Q(status="submitted"),
                         name="milestones_auto_approve_idx"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class MilestoneStatusChange(StatusChange):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        pass
