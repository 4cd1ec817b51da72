"""Refunds: money returned to a company through the gateway that took its payment.

A refund is recorded first (company funding → refunds in transit, in the caller's transaction), then sent to the
gateway after commit by a Celery task, outside any lock. The gateway's answer, or its callback, settles it:
succeeded (refunds in transit → the gateway's clearing account: the money left) or failed (back to the
company's funding account, where an operator can retry it). Amounts are integer rupiah.
"""

import logging

from django.db import transaction

from accounts.models import User
from audit.services import Action, audit_record
from bantu.core.exceptions import Conflict, NotFound
from bantu.core.ids import uuid_or_none
from bantu.core.tasks import enqueue_on_commit

from .. import errors, events, ledger
from ..gateways import get_gateway
from ..gateways.base import EventKind, GatewayEvent, RefundRequest, TransferStatus
from ..models import Account, Payment, Refund, Transaction
from .common import require_same_money, transfer_event, transfer_send

logger = logging.getLogger(__name__)

SUBMIT_TASK = "payments.refund_submit"


def refund_start(*, payment: Payment, milestone, amount: int, actor: User | None, reason: str,
                 source: Account, retry_of: Refund | None = None) -> Refund:
    """Record a refund of `amount` of `payment` and move it from `source` (the company's funding account) into
    refunds in transit; the gateway call follows after commit. Runs in the caller's transaction; locks `source`.
    Raises InsufficientFunds if `source` does not hold `amount`."""
    refund = Refund.objects.create(payment=payment, milestone=milestone, amount=amount, reason=reason[:300],
                                   requested_by=actor, retry_of=retry_of)
    ledger.post(kind=Transaction.Kind.REFUND_REQUESTED, idempotency_key=f"refund:{refund.pk}:request",
                legs=[ledger.Leg(source, -amount), ledger.Leg(ledger.refunds_in_transit_account(), amount)],
                description=reason, refund=refund, payment=payment, milestone=milestone,
                contract_id=payment.contract_id, actor=actor)
    enqueue_on_commit(SUBMIT_TASK, str(refund.pk))
    return refund


def refund_submit(*, refund_id) -> str:
    """Send a pending refund to its gateway (a Celery task; safe to repeat: the refund id is the gateway's
    idempotency key). Returns the refund's status afterwards. Raises GatewayError when the failure is
    transient, for the task to retry; a refusal fails the refund and returns the money to the company."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund.status
    Refund.objects.filter(pk=refund.pk).update(submit_attempts=refund.submit_attempts + 1)
    payment = refund.payment
    request = RefundRequest(
        reference=str(refund.pk), payment_reference=payment.external_id,
        payment_gateway_reference=payment.gateway_reference, amount=refund.amount, currency=refund.currency,
        reason=refund.reason)
    result = transfer_send(lambda: get_gateway(payment.gateway).create_refund(request), what=f"Refund {refund.pk}")
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk, gateway_reference="").update(
            gateway_reference=result.gateway_reference[:255])
        if result.status != TransferStatus.PENDING:
            refund_event_apply(transfer_event(gateway=payment.gateway, kind=EventKind.REFUND, reference=str(refund.pk),
                                              result=result, amount=refund.amount, currency=refund.currency))
    return Refund.objects.values_list("status", flat=True).get(pk=refund.pk)


def refund_event_apply(event: GatewayEvent) -> str:
    """Settle a refund from a callback or a terminal call result: "applied" or "ignored" (already settled).
    Runs in the caller's transaction. Locks the refund, then accounts. Raises NotFound, CallbackMismatch."""
    refund = Refund.objects.filter(pk=uuid_or_none(event.reference)).select_related("payment").first()
    if refund is None or refund.payment.gateway != event.gateway:
        raise NotFound(f"No {event.gateway} refund {event.reference!r}.", code=errors.UNKNOWN_REFERENCE)
    require_same_money(event, refund.amount, refund.currency, required=False)
    refund = Refund.objects.select_for_update(no_key=True, of=("self",)).select_related("payment").get(pk=refund.pk)
    if refund.status != Refund.Status.PENDING or event.status == TransferStatus.PENDING:
        return "ignored"
    in_transit = ledger.refunds_in_transit_account()
    causes = {"refund": refund, "payment": refund.payment, "milestone_id": refund.milestone_id,
              "contract_id": refund.payment.contract_id}
    if event.status == TransferStatus.SUCCEEDED:
        ledger.post(kind=Transaction.Kind.REFUND_COMPLETED, idempotency_key=f"refund:{refund.pk}:settle",
                    legs=[ledger.Leg(in_transit, -refund.amount),
                          ledger.Leg(ledger.gateway_clearing_account(refund.payment.gateway), refund.amount)],
                    description=f"Refund {event.gateway_reference or refund.gateway_reference}", **causes)
        refund.status = Refund.Status.SUCCEEDED
        events.refund_completed(refund, refund.payment.company_id)
    else:
        ledger.post(kind=Transaction.Kind.REFUND_FAILED, idempotency_key=f"refund:{refund.pk}:settle",
                    legs=[ledger.Leg(in_transit, -refund.amount),
                          ledger.Leg(ledger.company_funding_account(refund.payment.company_id), refund.amount)],
                    description=f"Refund failed: {event.failure_reason}", **causes)
        refund.status = Refund.Status.FAILED
        refund.failure_reason = (event.failure_reason or "refused by the gateway")[:300]
    refund.gateway_reference = refund.gateway_reference or event.gateway_reference[:255]
    refund.save(update_fields=["status", "failure_reason", "gateway_reference", "updated_at"])
    return "applied"


@transaction.atomic
def refund_retry(*, refund_id, operator: User) -> Refund:
    """An operator sends a failed refund again, once: a new refund of the same amount from the company's funding
    account (where the failed one returned the money). Raises Conflict unless the refund failed
    (refund_not_failed) or when it was sent again already (refund_already_retried: two operators, or one
    clicking twice, would refund the money twice, the second time from whatever else the funding account holds;
    `Refund.retry_of` is unique as well). Locks the failed refund; writes one audit row with the amount (integer
    rupiah)."""
    failed = (Refund.objects.select_for_update(no_key=True, of=("self",)).select_related("payment")
              .filter(pk=refund_id).first())
    if failed is None:
        raise NotFound("No such refund.")
    if failed.status != Refund.Status.FAILED:
        raise Conflict(f"Only a failed refund can be retried; this one is {failed.status}.",
                       code=errors.REFUND_NOT_FAILED)
    retry = Refund.objects.filter(retry_of=failed).values_list("pk", flat=True).first()
    if retry is not None:
        raise Conflict(f"This refund was sent again already, as refund {retry}.", code=errors.REFUND_ALREADY_RETRIED)
    payment = failed.payment
    audit_record(actor=operator, action=Action.REFUND_RETRY, target=failed, reason=failed.reason,
                 amount=failed.amount, currency=failed.currency, details={"payment": str(payment.pk)})
    return refund_start(payment=payment, milestone=failed.milestone, amount=failed.amount, actor=operator,
                        reason=f"Retry of refund {failed.pk}: {failed.reason}",
                        source=ledger.company_funding_account(payment.company_id), retry_of=failed)


def refunds_resubmit_stale(*, older_than, limit: int = 200) -> int:
    """Send again pending refunds that have no gateway reference and are older than `older_than` (a datetime):
    their task was lost (broker down, worker killed). Returns how many were enqueued."""
    stale = Refund.objects.filter(status=Refund.Status.PENDING, gateway_reference="", created_at__lt=older_than)
    ids = list(stale.values_list("pk", flat=True)[:limit])
    for refund_id in ids:
        enqueue_on_commit(SUBMIT_TASK, str(refund_id))
    return len(ids)
