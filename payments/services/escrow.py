"""Funding, escrow, submission, approval, auto-approval, disputes and their resolution (PRODUCT.md §2.6).

Lock order, everywhere: contract → milestone → payment/dispute → ledger accounts (by primary key). Functions that
can settle a milestone (and so complete the contract) lock the contract first; the others lock only the
milestone. Gateway calls never run under a lock or inside a transaction: the intent is committed first, the
gateway is called, and the outcome is recorded in a new short transaction.

Amounts are integer rupiah; times are aware UTC.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Action, audit_record
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden, NotFound
from bantu.core.money import fee_for
from bantu.core.permissions import is_manager
from proposals.models import Contract, Milestone
from proposals.services import contract_complete_if_settled, milestone_lock, milestone_move

from .. import errors, events, ledger
from ..gateways import funding_gateway_name, funding_gateways_available, get_gateway
from ..gateways.base import CheckoutRequest, GatewayError, GatewayEvent, PaymentStatus
from ..models import Dispute, Payment, Transaction
from . import refunds
from .common import gateway_failure, require_same_money

logger = logging.getLogger(__name__)

# A view's check of the caller on the locked milestone (its `contract` loaded), run before anything changes; it
# raises to refuse (Http404, PermissionDenied). The transaction then rolls back with nothing written.
Authorize = Callable[[Milestone], None]

# A pending payment whose checkout was never recorded after this long was interrupted between our two
# transactions (the payer never saw a link): the next fund attempt marks it failed instead of answering 409.
CHECKOUT_CREATE_GRACE = datetime.timedelta(minutes=2)


def _require_manager(actor: User, contract: Contract) -> None:
    if not is_manager(actor, contract.company_id):
        raise Forbidden("Only the owners and admins of the contract's company may do this.",
                        code=errors.NOT_COMPANY_MANAGER)


def _require_active(contract: Contract) -> None:
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(f"The contract is {contract.status}.", code=errors.CONTRACT_NOT_ACTIVE)


# --- Funding --------------------------------------------------------------------------------------------------


def _close_stale_pending(milestone: Milestone, now: datetime.datetime) -> Payment | None:
    """The milestone's pending payment if it is still live; a lapsed or interrupted one is closed here."""
    pending = (Payment.objects.select_for_update(no_key=True)
               .filter(milestone=milestone, status=Payment.Status.PENDING).first())
    if pending is None:
        return None
    if pending.expires_at and pending.expires_at <= now:
        _lapse(pending, Payment.Status.EXPIRED, "The checkout expired.")
        return None
    if not pending.checkout_url and pending.created_at <= now - CHECKOUT_CREATE_GRACE:
        _lapse(pending, Payment.Status.FAILED, "Checkout creation was interrupted.")
        return None
    return pending


@transaction.atomic
def _payment_open(*, milestone_id, actor: User, gateway: str) -> Payment:
    milestone = milestone_lock(milestone_id=milestone_id)
    contract = milestone.contract
    _require_manager(actor, contract)
    _require_active(contract)
    if milestone.status != Milestone.Status.PENDING:
        raise Conflict(f"This milestone is already {milestone.status}.", code=errors.MILESTONE_NOT_FUNDABLE)
    now = timezone.now()
    pending = _close_stale_pending(milestone, now)
    if pending is not None:
        raise Conflict(f"A payment for this milestone is already open (payment {pending.pk}); pay it or wait "
                       f"until it expires.", code=errors.PAYMENT_PENDING)
    payment = Payment(milestone=milestone, contract=contract, company_id=contract.company_id, payer=actor,
                      payee_id=contract.freelancer_id, gateway=gateway, amount=milestone.amount,
                      expires_at=now + datetime.timedelta(hours=settings.BANTU["PAYMENT_EXPIRY_HOURS"]))
    payment.external_id = str(payment.pk)
    payment.save()
    return payment


def milestone_fund(*, milestone_id, actor: User, gateway: str | None = None) -> Payment:
    """Open a checkout for a milestone's amount and return the pending Payment with its `checkout_url`.

    Only owners/admins of the contract's company (Forbidden otherwise), on an active contract, for a milestone
    that is `pending` with no live checkout (Conflict: milestone_already_funded, payment_pending). The payment
    row is committed before the gateway is called, so a callback can always find it. Raises GatewayUnavailable
    (503) when the gateway cannot be reached and GatewayRefused (502) when it refuses; the payment is then
    marked failed and the milestone can be funded again. ApplicationError gateway_not_configured (400) for a
    `gateway` that is not available (`funding_gateways_available`).
    """
    gateway = gateway or funding_gateway_name()
    if gateway not in funding_gateways_available():
        raise ApplicationError(f"The {gateway} gateway is not available here.", code=errors.GATEWAY_NOT_CONFIGURED,
                               errors={"gateway": [f"Choose one of: {', '.join(funding_gateways_available())}."]})
    payment = _payment_open(milestone_id=milestone_id, actor=actor, gateway=gateway)
    milestone = payment.milestone
    adapter = get_gateway(gateway)
    request = CheckoutRequest(
        reference=payment.external_id, amount=payment.amount, currency=payment.currency,
        description=f"Bantu: {milestone.contract.job.title} — {milestone.title}"[:255],
        payer_email=actor.email, payer_name=actor.full_name or actor.email,
        success_url=settings.BANTU["PAYMENT_SUCCESS_URL"].format(payment=payment.pk),
        failure_url=settings.BANTU["PAYMENT_FAILURE_URL"].format(payment=payment.pk),
        expires_in=payment.expires_at - timezone.now())
    try:
        checkout = adapter.create_checkout(request)
    except GatewayError as error:
        logger.warning("Checkout for payment %s failed at %s: %s", payment.pk, gateway, error.detail)
        with transaction.atomic():
            locked = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
            if locked.status == Payment.Status.PENDING:
                locked.status = Payment.Status.FAILED
                locked.failure_reason = f"Checkout could not be created: {error.detail}"[:300]
                locked.save(update_fields=["status", "failure_reason", "updated_at"])
        raise gateway_failure(error, "checkout") from None
    Payment.objects.filter(pk=payment.pk).update(
        gateway_reference=checkout.gateway_reference[:255], checkout_url=checkout.checkout_url,
        expires_at=checkout.expires_at or payment.expires_at, updated_at=timezone.now())
    payment.refresh_from_db()
    return payment


def _lapse(payment: Payment, status: str, reason: str) -> None:
    """Close a pending payment the caller has locked (expired or failed) and tell the payer."""
    payment.status = status
    payment.failure_reason = reason[:300]
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    events.payment_lapsed(payment)


def payment_event_apply(event: GatewayEvent) -> str:
    """Apply a payment callback: "applied" when it moved money or state, "ignored" when there was nothing to do.

    PAID captures the money into the company's funding account and, when the milestone still waits for it, moves
    it into the milestone's escrow (milestone → funded). Money that arrives for a milestone that no longer needs
    it (paid twice, or after the checkout lapsed and another payment funded it) is refunded at once. PAID is
    accepted for an expired or failed payment too: the gateway took the money, so it must be accounted for.
    EXPIRED/FAILED close a pending payment. Runs inside the caller's transaction.

    Raises NotFound (unknown_reference), ApplicationError 422 (amount_mismatch, currency_mismatch).
    Locks: milestone → payment → ledger accounts.
    """
    payment = Payment.objects.filter(external_id=event.reference, gateway=event.gateway).first()
    if payment is None:
        raise NotFound(f"No {event.gateway} payment {event.reference!r}.", code=errors.UNKNOWN_REFERENCE)
    require_same_money(event, payment.amount, payment.currency, required=event.status == PaymentStatus.PAID)
    if event.status == PaymentStatus.PENDING:
        return "ignored"
    milestone = milestone_lock(milestone_id=payment.milestone_id)
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
    if event.status in (PaymentStatus.EXPIRED, PaymentStatus.FAILED):
        if payment.status != Payment.Status.PENDING:
            return "ignored"
        _lapse(payment, event.status, event.failure_reason or f"The gateway reported {event.status}.")
        return "applied"
    if payment.status == Payment.Status.PAID:
        return "ignored"
    payment.status = Payment.Status.PAID
    payment.paid_at = timezone.now()
    payment.gateway_reference = payment.gateway_reference or event.gateway_reference[:255]
    company_funding = ledger.company_funding_account(payment.company_id)
    ledger.post(kind=Transaction.Kind.PAYMENT_CAPTURED, idempotency_key=f"payment:{payment.pk}:capture",
                legs=[ledger.Leg(ledger.gateway_clearing_account(payment.gateway), -payment.amount),
                      ledger.Leg(company_funding, payment.amount)],
                description=f"{payment.gateway} payment {payment.gateway_reference}",
                payment=payment, contract_id=payment.contract_id, milestone=milestone)
    fundable = (milestone.status == Milestone.Status.PENDING and milestone.contract.status == Contract.Status.ACTIVE
                and milestone.amount == payment.amount)
    if fundable:
        ledger.post(kind=Transaction.Kind.ESCROW_FUNDED, idempotency_key=f"milestone:{milestone.pk}:escrow",
                    legs=[ledger.Leg(company_funding, -payment.amount),
                          ledger.Leg(ledger.escrow_account(milestone), payment.amount)],
                    description=f"Escrow for “{milestone.title}”", payment=payment,
                    contract_id=payment.contract_id, milestone=milestone)
        milestone_move(milestone=milestone, to_status=Milestone.Status.FUNDED, actor=None,
                       note=f"paid through {payment.gateway} ({payment.pk})", funded_at=payment.paid_at)
        events.milestone_funded(milestone, payment)
    payment.applied_to_escrow = fundable
    payment.save(update_fields=["status", "paid_at", "gateway_reference", "applied_to_escrow", "updated_at"])
    if not fundable:
        logger.warning("Payment %s arrived for milestone %s that is %s: refunding it", payment.pk, milestone.pk,
                       milestone.status)
        refunds.refund_start(payment=payment, milestone=milestone, amount=payment.amount, actor=None,
                             reason="Paid twice: the milestone was already funded.", source=company_funding)
    return "applied"


def payments_expire_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Close pending payments whose checkout has expired (Celery beat). Returns how many it closed.

    A later PAID callback for one of them is still captured (see `payment_event_apply`)."""
    now = now or timezone.now()
    closed = 0
    due = Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lte=now).values_list("pk", flat=True)
    for payment_id in list(due[:limit]):
        with transaction.atomic():
            payment = Payment.objects.select_for_update(no_key=True).get(pk=payment_id)
            if payment.status == Payment.Status.PENDING:
                _lapse(payment, Payment.Status.EXPIRED, "The checkout expired.")
                closed += 1
    return closed


# --- Submission, approval, auto-approval ----------------------------------------------------------------------


@transaction.atomic
def milestone_submit(*, milestone_id, actor: User, note: str = "", authorize: Authorize | None = None) -> Milestone:
    """The freelancer delivers a funded milestone; the company then approves it, or it is approved automatically
    MILESTONE_REVIEW_DAYS later. Raises Milestone.DoesNotExist, whatever `authorize` raises, Forbidden (not the
    contract's freelancer), Conflict (not funded). Locks the milestone."""
    milestone = milestone_lock(milestone_id=milestone_id)
    if authorize is not None:
        authorize(milestone)
    if milestone.contract.freelancer_id != actor.pk:
        raise Forbidden("Only the contract's freelancer may submit work.", code=errors.NOT_CONTRACT_FREELANCER)
    _require_active(milestone.contract)
    if milestone.status != Milestone.Status.FUNDED:
        code = errors.MILESTONE_NOT_FUNDED if milestone.status == Milestone.Status.PENDING else \
            errors.MILESTONE_NOT_SUBMITTABLE
        raise Conflict(f"A milestone that is {milestone.status} cannot be submitted.", code=code)
    now = timezone.now()
    milestone_move(milestone=milestone, to_status=Milestone.Status.SUBMITTED, actor=actor, note="work submitted",
                   submitted_at=now, submission_note=note,
                   auto_approve_at=now + datetime.timedelta(days=settings.BANTU["MILESTONE_REVIEW_DAYS"]))
    events.milestone_submitted(milestone, actor.pk)
    return milestone


def _release(milestone: Milestone, gross: int, actor: User | None, note: str) -> tuple[int, int]:
    """Pay `gross` rupiah of a locked milestone's escrow to the freelancer's wallet minus the contract's fee.
    Returns (net, fee). Locks the escrow and the wallet (ledger.post)."""
    contract = milestone.contract
    net, fee = _split(gross, contract)
    legs = [ledger.Leg(ledger.escrow(milestone), -gross), ledger.Leg(ledger.wallet(contract.freelancer_id), net)]
    if fee:
        legs.append(ledger.Leg(ledger.platform_fees(), fee))
    # serialized: every caller holds the milestone's lock and found it funded, submitted or disputed (unreleased).
    ledger.post(kind=Transaction.Kind.ESCROW_RELEASED, idempotency_key=f"milestone:{milestone.pk}:release",
                legs=legs, description=f"“{milestone.title}”: {note}", contract=contract, milestone=milestone,
                actor=actor, serialized=True)
    return net, fee


def _split(gross: int, contract) -> tuple[int, int]:
    """(net, fee) of releasing `gross` rupiah under the contract's fee (bantu.core.money.fee_for: rounded down)."""
    fee = fee_for(gross, contract.platform_fee_bps)
    return gross - fee, fee


@transaction.atomic
def milestone_approve(*, milestone_id, actor: User | None, automatic: bool = False,
                      authorize: Authorize | None = None) -> Milestone:
    """Release a funded or submitted milestone's escrow to the freelancer's wallet, minus the platform fee that
    the contract agreed (rounded down: the platform's disfavour). Completes the contract and its job when this
    was the last open milestone.

    `automatic` is the review period running out (no actor). Raises Milestone.DoesNotExist, whatever
    `authorize` raises, Forbidden (not an owner/admin of the contract's company), Conflict (not funded,
    disputed, already released). Locks contract → milestone → escrow and wallet accounts.
    """
    milestone = milestone_lock(milestone_id=milestone_id, with_contract=True)
    if authorize is not None:
        authorize(milestone)
    contract = milestone.contract
    if not automatic:
        _require_manager(actor, contract)
    if milestone.status not in (Milestone.Status.FUNDED, Milestone.Status.SUBMITTED):
        code = errors.MILESTONE_NOT_FUNDED if milestone.status == Milestone.Status.PENDING else \
            errors.MILESTONE_NOT_APPROVABLE
        raise Conflict(f"A milestone that is {milestone.status} cannot be approved.", code=code)
    if automatic and (milestone.status != Milestone.Status.SUBMITTED or milestone.auto_approve_at > timezone.now()):
        raise Conflict("This milestone is not due for automatic approval.", code=errors.MILESTONE_NOT_APPROVABLE)
    note = "approved automatically after the review period" if automatic else "approved"
    milestone_move(milestone=milestone, to_status=Milestone.Status.RELEASED, actor=actor, note=note)
    contract_complete_if_settled(contract=contract, actor=actor)
    net, fee = _split(milestone.amount, contract)
    events.milestone_released(milestone, net=net, fee=fee, actor_id=getattr(actor, "pk", None), automatic=automatic)
    # The ledger last: the freelancer's wallet is the lock every release and payout of theirs shares, so it is
    # taken when everything else of this approval (its reads included) is done (docs/benchmarks.md, escrow).
    _release(milestone, milestone.amount, actor, note)
    return milestone


def milestones_auto_approve_due(*, limit: int = 500) -> int:
    """Approve submitted milestones whose review period has passed (Celery beat). Each in its own transaction;
    one that changed meanwhile (disputed, approved) is skipped. Returns how many it approved."""
    due = Milestone.objects.filter(status=Milestone.Status.SUBMITTED, auto_approve_at__lte=timezone.now())
    approved = 0
    for milestone_id in list(due.values_list("pk", flat=True)[:limit]):
        try:
            milestone_approve(milestone_id=milestone_id, actor=None, automatic=True)
            approved += 1
        except Conflict:
            continue
    return approved


# --- Disputes -------------------------------------------------------------------------------------------------


@transaction.atomic
def milestone_dispute(*, milestone_id, actor: User, reason: str, authorize: Authorize | None = None) -> Dispute:
    """Either party freezes a funded or submitted milestone for operators (no approval, no auto-approval until
    resolved). The company side is its owners and admins. Raises Milestone.DoesNotExist, whatever `authorize`
    raises, Forbidden, Conflict. Locks the milestone."""
    milestone = milestone_lock(milestone_id=milestone_id)
    if authorize is not None:
        authorize(milestone)
    contract = milestone.contract
    if contract.freelancer_id == actor.pk:
        side = "freelancer"
    elif is_manager(actor, contract.company_id):
        side = "company"
    else:
        raise Forbidden("Only the contract's freelancer or its company's owners and admins may open a dispute.",
                        code=errors.NOT_A_PARTY)
    if milestone.status not in (Milestone.Status.FUNDED, Milestone.Status.SUBMITTED):
        raise Conflict(f"A milestone that is {milestone.status} cannot be disputed.",
                       code=errors.MILESTONE_NOT_DISPUTABLE)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(milestone=milestone, raised_by=actor, side=side, reason=reason)
    except IntegrityError:
        raise Conflict("This milestone already has an open dispute.", code=errors.MILESTONE_NOT_DISPUTABLE) from None
    milestone_move(milestone=milestone, to_status=Milestone.Status.DISPUTED, actor=actor,
                   note=f"disputed by the {side}: {reason}")
    events.milestone_disputed(milestone, dispute, actor.pk)
    return dispute


@transaction.atomic
def dispute_resolve(*, dispute_id, operator: User, resolution: str, note: str,
                    released_amount: int | None = None) -> Dispute:
    """An operator settles a dispute: release all to the freelancer, refund all to the company (through the
    gateway that took the payment), or split (`released_amount` to the freelancer, the rest refunded).

    The platform fee applies to the released part only. `note` (why) is required and shown to both parties.
    Raises ApplicationError (invalid_resolution) and Conflict (dispute_already_resolved). Locks contract →
    milestone → dispute → accounts. Completes the contract when this settles its last milestone. Writes one
    audit row with the amounts (integer rupiah: at stake, released, platform fee, refunded).
    """
    dispute = Dispute.objects.filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("No such dispute.")
    milestone = milestone_lock(milestone_id=dispute.milestone_id, with_contract=True)
    dispute = Dispute.objects.select_for_update(no_key=True).get(pk=dispute_id)
    if dispute.status != Dispute.Status.OPEN:
        raise Conflict("This dispute is already resolved.", code=errors.DISPUTE_RESOLVED)
    if not note.strip():
        raise ApplicationError("Say why: the note is shown to both parties.", code=errors.INVALID_RESOLUTION,
                               errors={"note": ["This field is required."]})
    gross = milestone.amount
    released = {Dispute.Resolution.RELEASE: gross, Dispute.Resolution.REFUND: 0}.get(resolution, released_amount)
    if resolution not in Dispute.Resolution.values or released is None or not 0 <= released <= gross or (
            resolution == Dispute.Resolution.SPLIT and released in (0, gross)):
        raise ApplicationError(f"A split releases between 1 and {gross - 1} IDR; use release or refund otherwise.",
                               code=errors.INVALID_RESOLUTION,
                               errors={"released_amount": [f"Between 1 and {gross - 1} for a split."]})
    refunded = gross - released
    summary = f"dispute resolved by an operator ({resolution}): {note}"
    if released:
        _release(milestone, released, operator, summary)
    if refunded:
        escrow_refund(milestone=milestone, amount=refunded, actor=operator, reason=summary)
    milestone_move(milestone=milestone, actor=operator, note=summary,
                   to_status=Milestone.Status.RELEASED if released else Milestone.Status.REFUNDED)
    dispute.status = Dispute.Status.RESOLVED
    dispute.resolution = resolution
    dispute.released_amount, dispute.refunded_amount = released, refunded
    dispute.resolved_by, dispute.resolved_at, dispute.resolution_note = operator, timezone.now(), note[:1000]
    dispute.save()
    audit_record(actor=operator, action=Action.DISPUTE_RESOLVE, target=dispute, reason=note, amount=gross,
                 currency=milestone.contract.currency,
                 details={"resolution": resolution, "milestone": str(milestone.pk), "released": released,
                          "platform_fee": _split(released, milestone.contract)[1] if released else 0,
                          "refunded": refunded})
    contract_complete_if_settled(contract=milestone.contract, actor=operator)
    events.dispute_resolved(milestone, dispute)
    return dispute


def escrow_refund(*, milestone: Milestone, amount: int, actor: User | None, reason: str) -> None:
    """Return `amount` of a locked milestone's escrow to the company and refund it through the gateway that took
    the milestone's payment (the refund itself is sent after commit)."""
    company_funding = ledger.company_funding_account(milestone.contract.company_id)
    ledger.post(kind=Transaction.Kind.ESCROW_REFUNDED, idempotency_key=f"milestone:{milestone.pk}:refund",
                legs=[ledger.Leg(ledger.escrow_account(milestone), -amount), ledger.Leg(company_funding, amount)],
                description=reason, contract=milestone.contract, milestone=milestone, actor=actor)
    payment = Payment.objects.get(milestone=milestone, status=Payment.Status.PAID, applied_to_escrow=True)
    refunds.refund_start(payment=payment, milestone=milestone, amount=amount, actor=actor, reason=reason,
                         source=company_funding)
