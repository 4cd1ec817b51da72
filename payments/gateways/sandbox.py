"""The built-in sandbox gateway: no keys, no network, the same code path as a real gateway.

Its checkout page (`payments/sandbox/{id}/pay/`) posts a callback signed with HMAC-SHA256 over the body under a
key derived from SECRET_KEY, which `parse_callback` verifies like a real gateway's token or signature; the
webhook service then applies it exactly as it applies Xendit's and Midtrans's. Payouts and refunds settle at
once (their results are terminal, which the services process as callbacks).

Test values: a payout to an account number ending in "000" is refused by the "bank" (it fails and the money
returns to the wallet).
"""

import hashlib
import hmac
import json
from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .base import (
    CallbackRejected,
    Checkout,
    CheckoutRequest,
    EventKind,
    GatewayEvent,
    PaymentStatus,
    PayoutRequest,
    RefundRequest,
    TransferResult,
    TransferStatus,
)
from .callbacks import MalformedJSON, header, load_callback_json, same_secret

SIGNATURE_HEADER = "X-Sandbox-Signature"
FAILING_ACCOUNT_SUFFIX = "000"
_STATUSES = {EventKind.PAYMENT: {PaymentStatus.PAID, PaymentStatus.FAILED},
             EventKind.PAYOUT: {TransferStatus.SUCCEEDED, TransferStatus.FAILED},
             EventKind.REFUND: {TransferStatus.SUCCEEDED, TransferStatus.FAILED}}


def _key() -> bytes:
    return hashlib.sha256(f"bantu-sandbox-callbacks:{settings.SECRET_KEY}".encode()).digest()


def sign(body: bytes) -> str:
    return hmac.new(_key(), body, hashlib.sha256).hexdigest()


def callback(*, kind: str, reference: str, status: str, amount: int, event_id: str) -> tuple[dict, bytes]:
    """A signed sandbox callback delivery: (headers, body)."""
    body = json.dumps({"event_id": event_id, "kind": kind, "reference": reference, "status": status,
                       "amount": amount, "currency": "IDR"}).encode()
    return {SIGNATURE_HEADER: sign(body)}, body


class SandboxGateway:
    name = "sandbox"
    supports_payouts = True

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        path = reverse("payments:sandbox-checkout", kwargs={"pk": request.reference})
        return Checkout(gateway_reference=f"sandbox-{request.reference}",
                        checkout_url=f"{settings.BANTU['PUBLIC_BASE_URL'].rstrip('/')}{path}",
                        expires_at=timezone.now() + request.expires_in)

    def create_payout(self, request: PayoutRequest) -> TransferResult:
        if request.account_number.endswith(FAILING_ACCOUNT_SUFFIX):
            return TransferResult(gateway_reference=f"sandbox-payout-{request.reference}",
                                  status=TransferStatus.FAILED, failure_reason="INVALID_DESTINATION")
        return TransferResult(gateway_reference=f"sandbox-payout-{request.reference}",
                              status=TransferStatus.SUCCEEDED)

    def create_refund(self, request: RefundRequest) -> TransferResult:
        return TransferResult(gateway_reference=f"sandbox-refund-{request.reference}",
                              status=TransferStatus.SUCCEEDED)

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes) -> list[GatewayEvent]:
        if not same_secret(header(headers, SIGNATURE_HEADER), sign(body)):
            raise CallbackRejected("The sandbox signature is missing or wrong.", status=401,
                                   code="invalid_signature")
        try:
            data = load_callback_json(body)
            kind, status = data["kind"], data["status"]
            if status not in _STATUSES[kind] or not isinstance(data["amount"], int):
                raise ValueError(status)
            return [GatewayEvent(gateway=self.name, event_id=str(data["event_id"]), kind=kind,
                                 reference=str(data["reference"]), status=status, amount=data["amount"],
                                 currency=str(data["currency"]), raw=data)]
        except (MalformedJSON, KeyError, TypeError, ValueError):
            raise CallbackRejected("Malformed sandbox callback.", status=400, code="malformed_callback") from None
