"""The one small interface every payment gateway implements (Xendit, Midtrans, the built-in sandbox).

Domain services talk only to this module's types. Adapters translate them to an SDK and back; they never touch
the database, never take locks and never schedule work. Amounts are integer rupiah, times are aware UTC.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Protocol


class PaymentStatus:
    """Normalised states of a checkout, as a callback reports them."""

    PAID = "paid"  # the money arrived (Xendit PAID/SETTLED, Midtrans settlement or accepted capture)
    PENDING = "pending"  # nothing to do yet (Midtrans pending, or a capture under fraud review)
    EXPIRED = "expired"  # the payer never paid and the invoice lapsed
    FAILED = "failed"  # refused, cancelled or denied


class TransferStatus:
    """Normalised states of a payout or a refund."""

    PENDING = "pending"  # accepted by the gateway, the outcome comes later by callback
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REVERSED = "reversed"  # a payout that had succeeded came back (the bank returned it)


class EventKind:
    PAYMENT = "payment"
    PAYOUT = "payout"
    REFUND = "refund"


@dataclasses.dataclass(frozen=True)
class CheckoutRequest:
    reference: str  # our id for the payment (Payment.external_id); the gateway echoes it in callbacks
    amount: int  # integer rupiah
    currency: str  # "IDR"
    description: str
    payer_email: str
    payer_name: str
    success_url: str  # where the gateway sends the payer after paying
    failure_url: str  # ... and after failing or giving up
    expires_in: datetime.timedelta


@dataclasses.dataclass(frozen=True)
class Checkout:
    gateway_reference: str  # the gateway's id for it (Xendit invoice id; Midtrans order id / Snap token)
    checkout_url: str  # the page the payer opens
    expires_at: datetime.datetime | None


@dataclasses.dataclass(frozen=True)
class PayoutRequest:
    reference: str  # our id (Payout id): also the gateway idempotency key, so a retried call pays once
    amount: int
    currency: str
    bank_code: str  # one of payments.banks.BANKS (e.g. "BCA"); adapters map it to their channel codes
    account_number: str
    account_holder_name: str
    description: str


@dataclasses.dataclass(frozen=True)
class RefundRequest:
    reference: str  # our id (Refund id): also the idempotency key
    payment_reference: str  # our id of the refunded payment (Payment.external_id)
    payment_gateway_reference: str  # the gateway's id of the refunded payment (Checkout.gateway_reference)
    amount: int
    currency: str
    reason: str


@dataclasses.dataclass(frozen=True)
class TransferResult:
    """What a payout or refund call answered. A terminal status here is processed like a callback."""

    gateway_reference: str
    status: str  # TransferStatus
    failure_reason: str = ""


@dataclasses.dataclass(frozen=True)
class GatewayEvent:
    """One callback (or one terminal call result), normalised. `event_id` is unique per gateway and event, so a
    redelivery of the same callback has the same `event_id` and is applied once."""

    gateway: str
    event_id: str
    kind: str  # EventKind
    reference: str  # our id: Payment.external_id, Payout id or Refund id
    status: str  # PaymentStatus for payments, TransferStatus for payouts and refunds
    amount: int | None = None  # integer rupiah, as the gateway reports it (None when the event carries none)
    currency: str | None = None
    gateway_reference: str = ""
    failure_reason: str = ""
    raw: Mapping = dataclasses.field(default_factory=dict, compare=False, repr=False)


class GatewayError(Exception):
    """A gateway call failed.

    `transient` is True when the outcome is unknown or worth retrying (network error, timeout, 5xx, 429): a retry
    with the same reference is safe because adapters send it as the idempotency key. It is False when the gateway
    refused the request (4xx): nothing happened there and retrying the same request will not help.
    """

    def __init__(self, detail: str, *, transient: bool, status: int | None = None, code: str = ""):
        super().__init__(detail)
        self.detail = detail
        self.transient = transient
        self.status = status
        self.code = code


class CallbackRejected(Exception):
    """A callback that must not move money: forged, malformed, or unconfirmable right now.

    `status` is the HTTP status to answer (401 forged token/signature, 400 malformed, 503 when confirmation with
    the gateway failed and the gateway should retry). `code` is a stable snake_case error code.
    """

    def __init__(self, detail: str, *, status: int, code: str):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.code = code


class Gateway(Protocol):
    name: str  # "xendit", "midtrans", "sandbox"
    supports_payouts: bool

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Create an invoice / Snap transaction. Raises GatewayError."""

    def create_payout(self, request: PayoutRequest) -> TransferResult:
        """Send money to a bank account. Raises GatewayError (and NotImplementedError where unsupported)."""

    def create_refund(self, request: RefundRequest) -> TransferResult:
        """Return (part of) a paid payment to the payer. Raises GatewayError."""

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes) -> list[GatewayEvent]:
        """Authenticate and parse one callback delivery. Raises CallbackRejected. May call the gateway to confirm
        (Midtrans: the status API) before returning events."""
