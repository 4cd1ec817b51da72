from django.conf import settings
from django.db import models
from django.db.models import Q

from bantu.core.models import BaseModel


class Notification(BaseModel):
    class Kind(models.TextChoices):
        PROPOSAL_SUBMITTED = "proposal.submitted", "New proposal"
        OFFER_COUNTERED = "proposal.countered", "Counter offer"
        PROPOSAL_SHORTLISTED = "proposal.shortlisted", "Shortlisted"
        PROPOSAL_ACCEPTED = "proposal.accepted", "Proposal accepted"
        PROPOSAL_DECLINED = "proposal.declined", "Proposal declined"
        PROPOSAL_WITHDRAWN = "proposal.withdrawn", "Proposal withdrawn"
        JOB_REMOVED = "job.removed", "Job removed by an operator"
        MESSAGE_RECEIVED = "message.received", "New message while offline"
        CONTRACT_COMPLETED = "contract.completed", "Contract completed"
        MILESTONE_FUNDED = "milestone.funded", "Milestone funded"
        MILESTONE_SUBMITTED = "milestone.submitted", "Work submitted"
        MILESTONE_RELEASED = "milestone.released", "Payment released"
        MILESTONE_AUTO_APPROVED = "milestone.auto_approved", "Milestone approved automatically"
        MILESTONE_DISPUTED = "milestone.disputed", "Milestone disputed"
        DISPUTE_RESOLVED = "dispute.resolved", "Dispute resolved"
        MILESTONE_REFUNDED = "milestone.refunded", "Refund completed"
        PAYMENT_EXPIRED = "payment.expired", "Payment expired or failed"
        PAYOUT_COMPLETED = "payout.completed", "Payout completed"
        PAYOUT_FAILED = "payout.failed", "Payout failed"
        REVIEW_PUBLISHED = "review.published", "New review"
        REVIEW_REPLIED = "review.replied", "Reply to your review"
        REVIEW_HIDDEN = "review.hidden", "Review hidden by an operator"
        REVIEW_RESTORED = "review.restored", "Review shown again by an operator"
        ACCOUNT_SUSPENDED = "account.suspended", "Account suspended by an operator"
        ACCOUNT_REACTIVATED = "account.reactivated", "Account reactivated by an operator"
        COMPANY_VERIFIED = "company.verified", "Company verified"
        COMPANY_UNVERIFIED = "company.unverified", "Company verification removed"
        JOB_RESTORED = "job.restored", "Job restored by an operator"
        REPORT_CLOSED = "report.closed", "Message report closed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # A validated string, not a database choice: a new kind is a line in `Kind` (the registry, which `notify()`
    # checks and the API schema lists), never a migration of this app.
    kind = models.CharField(max_length=40, help_text="One of Notification.Kind.")
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=1000, blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="Ids of what it is about (job, proposal, ...).")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_recent_idx"),
            models.Index(fields=["user"], name="notif_user_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.title}"


class Device(BaseModel):
    """Where to push: a browser's Web Push subscription or a mobile app's FCM registration token."""

    class Kind(models.TextChoices):
        WEBPUSH = "webpush", "Web Push"
        FCM = "fcm", "Firebase Cloud Messaging"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    endpoint = models.URLField(max_length=1000, blank=True, help_text="Web Push subscription endpoint.")
    p256dh = models.CharField(max_length=200, blank=True, help_text="Web Push: the browser's public key.")
    auth = models.CharField(max_length=100, blank=True, help_text="Web Push: the auth secret.")
    token = models.CharField(max_length=4096, blank=True, help_text="FCM registration token.")
    active = models.BooleanField(default=True, help_text="Off once the push service says it is gone (404/410).")
    last_error = models.CharField(max_length=500, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint"], condition=Q(kind="webpush"), name="device_webpush_unique"),
            models.UniqueConstraint(fields=["token"], condition=Q(kind="fcm"), name="device_fcm_unique"),
        ]
        indexes = [models.Index(fields=["user"], condition=Q(active=True), name="device_user_active_idx")]

    def __str__(self):
        return f"{self.kind} device of {self.user_id}"
