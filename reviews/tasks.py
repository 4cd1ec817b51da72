"""Celery entry points of the reviews app: they call one service and own the retry policy."""

from celery import shared_task

from . import services


@shared_task(name="reviews.publish_due", acks_late=True)
def reviews_publish_due_task() -> int:
    """Hourly: publish the reviews whose review window (REVIEW_WINDOW_DAYS after completion) has closed. Idempotent:
    publication is a compare-and-set per review."""
    return services.reviews_publish_due()
