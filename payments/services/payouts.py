"""Payouts: a freelancer withdraws from their wallet to an Indonesian bank account.

The request holds the money first (wallet → payouts in transit) under the wallet's row lock, so concurrent
withdrawals can never overdraw it; that commits before the gateway is called. The gateway's answer or callback
then settles the payout: completed (in transit → the gateway's clearing account) or failed (a reversing
transaction returns the money to the wallet). Amounts are integer rupiah.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bantu.core.exceptions import ApplicationError, Conflict, NotFound
from bantu.core.ids import uuid_or_none
from bantu.core.rowlock import db_value, locked_rows
from bantu.core.tasks import enqueue_on_commit

from .. import errors, events, ledger
from ..gateways import get_gateway, payout_gateway_name
from ..gateways.base import EventKind, GatewayError, GatewayEvent, PayoutRequest, TransferStatus
from ..ledger import InsufficientFunds
from ..models import Payout, Transaction
from .common import require_same_money, transfer_event, transfer_send

logger = logging.getLogger(__name__)

SUBMIT_TASK = "payments.payout_submit"


@transaction.atomic
def _payout_hold(*, user: User, amount: int, bank_code: str, account_number: str,
                 account_holder_name: str) -> Payout:
    minimum, maximum = settings.BANTU["PAYOUT_MINIMUM"], settings.BANTU["PAYOUT_MAXIMUM"]
    if not minimum <= amount <= maximum:
        raise ApplicationError(f"A payout is between {minimum} and {maximum} IDR.", code=errors.PAYOUT_AMOUNT,
                               errors={"amount": [f"Must be between {minimum} and {maximum}."]})
    payout = Payout.objects.create(user=user, gateway=payout_gateway_name(), amount=amount, bank_code=bank_code,
                                   account_number=account_number, account_holder_name=account_holder_name)
    try:
        ledger.post(kind=Transaction.Kind.PAYOUT_REQUESTED, idempotency_key=f"payout:{payout.pk}:request",
                    legs=[ledger.Leg(ledger.wallet(user.pk), -amount), ledger.Leg(ledger.payouts_in_transit(), amount)],
                    description=f"Payout to {bank_code} ••••{account_number[-4:]}", payout=payout, actor=user,
                    serialized=True)  # the payout (the key's subject) was created in this transaction
    except InsufficientFunds as short:
        raise Conflict(f"Your available balance is {short.available} IDR.",
                       code=errors.INSUFFICIENT_BALANCE) from None
    return payout


def payout_request(*, user: User, amount: int, bank_code: str, account_number: str,
                   account_holder_name: str) -> Payout:
    """Withdraw `amount` from `user`'s wallet to a bank account and return the Payout.

    The money leaves the available balance at once (locks the wallet; Conflict insufficient_balance when it does
    not hold `amount`; ApplicationError payout_amount_out_of_range outside PAYOUT_MINIMUM..PAYOUT_MAXIMUM). Then
    the gateway is called: the payout comes back `processing` (the bank's answer arrives by callback),
    `completed`, or `failed` with the money back in the wallet. When the gateway cannot be reached it stays
    `pending` and a task retries with the same idempotency key, so it is never paid twice.
    """
    payout = _payout_hold(user=user, amount=amount, bank_code=bank_code, account_number=account_number,
                          account_holder_name=account_holder_name)
    try:
        return _submit(payout)
    except GatewayError as error:
        logger.warning("Payout %s not submitted yet (%s); retrying in the background", payout.pk, error.detail)
        enqueue_on_commit(SUBMIT_TASK, str(payout.pk), countdown=30)
    payout.refresh_from_db()
    return payout


def payout_submit(*, payout_id) -> str:
    """Send a pending payout to its gateway (also the Celery task's body; safe to repeat: the payout id is the
    gateway's idempotency key). Returns the payout's status afterwards. Raises GatewayError when the failure is
    transient; a refusal fails the payout and returns the money to the wallet."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != Payout.Status.PENDING:
        return payout.status
    return _submit(payout).status


def _submit(payout: Payout) -> Payout:
    """payout_submit() of a pending payout the caller has read: returns the payout as it stands afterwards (the
    row its settlement locked and saved, or `payout` moved to processing), so the caller need not read it again.
    Raises GatewayError (transient)."""
    attempts = payout.submit_attempts + 1
    Payout.objects.filter(pk=payout.pk).update(submit_attempts=attempts)
    request = PayoutRequest(
        reference=str(payout.pk), amount=payout.amount, currency=payout.currency, bank_code=payout.bank_code,
        account_number=payout.account_number, account_holder_name=payout.account_holder_name,
        description=f"Bantu payout {payout.pk}")
    result = transfer_send(lambda: get_gateway(payout.gateway).create_payout(request), what=f"Payout {payout.pk}")
    with transaction.atomic():
        if result.status != TransferStatus.PENDING:
            return _apply(transfer_event(gateway=payout.gateway, kind=EventKind.PAYOUT, reference=str(payout.pk),
                                         result=result, amount=payout.amount, currency=payout.currency))[1]
        changes = {"status": Payout.Status.PROCESSING, "gateway_reference": result.gateway_reference[:255],
                   "updated_at": timezone.now()}
        if not Payout.objects.filter(pk=payout.pk, status=Payout.Status.PENDING).update(**changes):
            payout.refresh_from_db()  # a callback settled it meanwhile
            return payout
        for name, value in {**changes, "submit_attempts": attempts}.items():
            setattr(payout, name, value)
        return payout


def payout_event_apply(event: GatewayEvent) -> str:
    """Settle a payout from a callback or a terminal call result: "applied" or "ignored".

    succeeded: pending/processing → completed. failed: pending/processing → failed, the money back in the
    wallet. reversed: completed → reversed (the bank returned it), the money back in the wallet; on a payout not
    yet completed it counts as failed. Runs in the caller's transaction. Locks the payout, then the wallet.
    Raises NotFound (unknown_reference), CallbackMismatch (amount or currency)."""
    return _apply(event)[0]


def _apply(event: GatewayEvent) -> tuple[str, Payout]:
    """payout_event_apply(), and the payout row it locked (saved when applied)."""
    # Locked at once: a callback that turns out not to match rolls back with its caller's transaction.
    # One statement (`bantu.core.rowlock`): every payout passes here, from the request or the gateway's callback.
    payout_id = uuid_or_none(event.reference)
    quote = connection.ops.quote_name
    found = locked_rows(Payout, where=f"{quote('id')} = %s AND {quote('gateway')} = %s",
                        params=[db_value(Payout, "id", payout_id), event.gateway]) if payout_id else []
    if not found:
        raise NotFound(f"No {event.gateway} payout {event.reference!r}.", code=errors.UNKNOWN_REFERENCE)
    payout = found[0]
    require_same_money(event, payout.amount, payout.currency, required=False)
    open_statuses = (Payout.Status.PENDING, Payout.Status.PROCESSING)
    in_transit, wallet = ledger.payouts_in_transit(), ledger.wallet(payout.user_id)
    clearing = ledger.gateway_clearing(payout.gateway)
    reason = (event.failure_reason or "refused by the bank")[:300]
    if event.status == TransferStatus.SUCCEEDED and payout.status in open_statuses:
        _post(payout, Transaction.Kind.PAYOUT_COMPLETED, "settle", in_transit, clearing)
        payout.status, payout.completed_at = Payout.Status.COMPLETED, timezone.now()
    elif event.status in (TransferStatus.FAILED, TransferStatus.REVERSED) and payout.status in open_statuses:
        _post(payout, Transaction.Kind.PAYOUT_FAILED, "settle", in_transit, wallet)
        payout.status, payout.failure_reason = Payout.Status.FAILED, reason
    elif event.status == TransferStatus.REVERSED and payout.status == Payout.Status.COMPLETED:
        _post(payout, Transaction.Kind.PAYOUT_REVERSED, "reverse", clearing, wallet)
        payout.status, payout.failure_reason = Payout.Status.REVERSED, reason
    else:
        return "ignored", payout
    payout.gateway_reference = payout.gateway_reference or event.gateway_reference[:255]
    payout.save(update_fields=["status", "completed_at", "failure_reason", "gateway_reference", "updated_at"])
    events.payout_settled(payout)
    return "applied", payout


def _post(payout: Payout, kind: str, step: str, source: ledger.AccountSpec, destination: ledger.AccountSpec) -> None:
    ledger.post(kind=kind, idempotency_key=f"payout:{payout.pk}:{step}",
                legs=[ledger.Leg(source, -payout.amount), ledger.Leg(destination, payout.amount)],
                description=f"Payout {payout.gateway_reference or payout.pk}", payout=payout,
                serialized=True)  # the caller holds the payout's lock and has checked its status


def payouts_resubmit_stale(*, older_than, limit: int = 200) -> int:
    """Send again pending payouts older than `older_than` (a datetime) whose task was lost. Returns how many."""
    stale = Payout.objects.filter(status=Payout.Status.PENDING, created_at__lt=older_than)
    ids = list(stale.values_list("pk", flat=True)[:limit])
    for payout_id in ids:
        enqueue_on_commit(SUBMIT_TASK, str(payout_id))
    return len(ids)

