from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import IdempotencyRecord

IDEMPOTENCY_RETENTION = timedelta(hours=24)


@shared_task
def idempotency_cleanup_task() -> int:
    """Forget Idempotency-Key records older than a day (clients retry within minutes, not days)."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_RETENTION).delete()
    return deleted
