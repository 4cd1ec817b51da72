import os
import time
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7).

    Public ids must not be guessable, and random v4 keys scatter B-tree inserts; v7 keeps 74 random bits
    while new rows land at the right edge of the index.
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68) << 64  # 12 bits rand_a
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


class BaseModel(models.Model):
    """UUID public id plus creation/update times, for every domain entity."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """Audit row for a status change (or a moderation act) of the entity the subclass points at."""

    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an `Idempotency-Key` header (PRODUCT.md §3)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key_unique")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
