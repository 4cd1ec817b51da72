"""Reads of the audit log."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry


def audit_trail_of(obj: models.Model) -> QuerySet[AuditEntry]:
    """The audit rows about `obj`, newest first, with their actors (one query when evaluated)."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), target_id=str(obj.pk)
    ).select_related("actor")
