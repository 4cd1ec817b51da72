"""The operators' audit log: one row per moderation or money act, written by the domain service that performed it,
in the same database transaction (so a rolled-back act leaves no row, and a committed one always has its row).

Rows are append-only: the admin shows them read-only, and on PostgreSQL triggers refuse UPDATE and DELETE
(migration 0002), whatever code or SQL tries."""

from django.conf import settings
from django.db import models

from bantu.core.models import uuid7


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        USER_SUSPEND = "user.suspend", "Suspend user"
        USER_REACTIVATE = "user.reactivate", "Reactivate user"
        COMPANY_VERIFY = "company.verify", "Verify company"
        COMPANY_UNVERIFY = "company.unverify", "Remove company verification"
        JOB_REMOVE = "job.remove", "Remove job"
        JOB_RESTORE = "job.restore", "Restore job"
        DISPUTE_RESOLVE = "dispute.resolve", "Resolve dispute"
        REFUND_RETRY = "refund.retry", "Retry refund"
        REPORT_RESOLVE = "report.resolve", "Resolve message report"
        REPORT_DISMISS = "report.dismiss", "Dismiss message report"
        REVIEW_HIDE = "review.hide", "Hide review"
        REVIEW_UNHIDE = "review.unhide", "Show review again"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When (UTC).")
    # PROTECT: an operator who acted is deactivated, never deleted, so that "who" always resolves.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who; empty for the system (schedules, gateways).",
    )
    actor_email = models.CharField(max_length=254, blank=True, help_text="The actor's email at the time.")
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    # Which object: a generic reference, so that the row outlives the object and any app can be audited.
    target_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200, help_text="What the object was called at the time.")
    reason = models.TextField(max_length=2000, blank=True, help_text="Why, in the operator's words.")
    amount = models.BigIntegerField(null=True, blank=True, help_text="Money acts: integer rupiah at stake.")
    currency = models.CharField(max_length=3, blank=True)
    details = models.JSONField(
        default=dict, blank=True, help_text="Money acts: the amounts moved (integer rupiah); other facts of the act."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target_repr}"
