"""Celery entry points of the payments app: they take ids, call one service, and own the retry policy.

Every task is idempotent (acks_late): a redelivered submission reuses the same gateway idempotency key, and
settlement posts under deterministic ledger keys, so nothing is paid or refunded twice.
"""

import datetime

from celery import shared_task
from django.utils import timezone

from .gateways.base import GatewayError
from .services import escrow, payouts, refunds

# Work whose task was lost (broker down at commit, worker killed) is sent again after this long.
STALE_AFTER = datetime.timedelta(minutes=10)
RETRY = {"bind": True, "acks_late": True, "max_retries": 8, "retry_backoff": 5, "retry_backoff_max": 1800,
         "retry_jitter": True}


class TransientGatewayError(Exception):
    """The gateway could not be reached; Celery retries with backoff."""


@shared_task(name=payouts.SUBMIT_TASK, **RETRY, autoretry_for=(TransientGatewayError,))
def payout_submit_task(self, payout_id: str) -> str:
    try:
        return payouts.payout_submit(payout_id=payout_id)
    except GatewayError as error:
        raise TransientGatewayError(f"payout {payout_id}: {error.detail}") from None


@shared_task(name=refunds.SUBMIT_TASK, **RETRY, autoretry_for=(TransientGatewayError,))
def refund_submit_task(self, refund_id: str) -> str:
    try:
        return refunds.refund_submit(refund_id=refund_id)
    except GatewayError as error:
        raise TransientGatewayError(f"refund {refund_id}: {error.detail}") from None


@shared_task(name="payments.sweep", acks_late=True)
def payments_sweep_task() -> dict:
    """Every few minutes: close expired checkouts; send again payouts and refunds whose task was lost."""
    stale = timezone.now() - STALE_AFTER
    return {"expired": escrow.payments_expire_due(),
            "payouts_resubmitted": payouts.payouts_resubmit_stale(older_than=stale),
            "refunds_resubmitted": refunds.refunds_resubmit_stale(older_than=stale)}


@shared_task(name="payments.auto_approve", acks_late=True)
def milestones_auto_approve_task() -> int:
    """Hourly: approve submitted milestones whose review period (MILESTONE_REVIEW_DAYS) has passed."""
    return escrow.milestones_auto_approve_due()
