"""Celery entry points for push. They take ids, call one service, and own the retry policy."""

from celery import shared_task

from . import services
from .delivery import SEND_PUSH_TASK


class TransientPushError(Exception):
    """The push service failed in a way worth retrying (5xx, 429, unreachable)."""


@shared_task(name=SEND_PUSH_TASK, bind=True, acks_late=True, max_retries=5, autoretry_for=(TransientPushError,),
             retry_backoff=2, retry_backoff_max=600, retry_jitter=True)
def send_push_task(self, notification_id: str, device_id: str) -> str:
    """Push one notification to one device. Idempotent enough for at-least-once delivery: it reads current
    state, sends, and records the outcome; a redelivered task may at worst push twice."""
    outcome = services.push_to_device(notification_id=notification_id, device_id=device_id)
    if outcome == "transient":
        raise TransientPushError(f"notification {notification_id} → device {device_id}")
    return outcome
