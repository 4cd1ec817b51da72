from django.conf import settings
from django.db import models
from django.db.models import Q

from bantu.core.models import BaseModel

MAX_BODY = 5_000


class Conversation(BaseModel):
    """Between a company (any member may take part) and a freelancer; opened from a proposal or directly."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="conversations")
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    proposal = models.OneToOneField("proposals.Proposal", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="conversation")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept by message_send under the conversation's row lock: sequence numbers follow commit order, so
    # "?after=" never skips a message that committed late.
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [models.F("last_message_at").desc(nulls_last=True), "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "freelancer"], condition=Q(proposal__isnull=True),
                                    name="chat_one_direct_conversation"),
        ]

    def __str__(self):
        return f"{self.company_id} ↔ {self.freelancer_id}"


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    last_read_message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="chat_participant_unique")]
        indexes = [models.Index(fields=["user", "conversation"], name="chat_participant_user_idx")]

    def __str__(self):
        return f"{self.user_id} in {self.conversation_id}"


class Message(BaseModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(help_text="Position in the conversation, in commit order.")
    body = models.TextField(max_length=MAX_BODY)
    client_id = models.UUIDField(help_text="Made by the client; a resend with the same id stores nothing new.")

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "client_id"], name="chat_message_client_id_unique"),
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq_unique"),
        ]

    def __str__(self):
        return f"{self.conversation_id}#{self.seq}"


class MessageReport(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"
        DISMISSED = "dismissed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="chat_report_once")]

    def __str__(self):
        return f"Report on {self.message_id} by {self.reporter_id}"
