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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
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
