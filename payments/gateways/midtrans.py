"""Midtrans, through the official midtransclient SDK (1.4.x): Snap funds payments, the Core API refunds them and
confirms notifications. Midtrans does no payouts here.

midtransclient calls `requests.request` without a timeout, so each SDK client gets a stand-in for the `requests`
module that adds ours. Base URLs are class attributes of the SDK's `ApiConfig`; they are overridden on this
adapter's instances only. Notifications are authenticated by their SHA-512 signature and then confirmed with the
status API, whose answer (not the notification) becomes the event; the SDK's `transactions.notification()` is
not used (in 1.4.2 it shifts its positional arguments: the custom headers go out as query parameters and the
proxies as headers; transactions.py:111-116).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import midtransclient
import requests
from django.conf import settings

from .base import (
    CallbackRejected,
    Checkout,
    CheckoutRequest,
    EventKind,
    GatewayError,
    GatewayEvent,
    PaymentStatus,
    PayoutRequest,
    RefundRequest,
    TransferResult,
    TransferStatus,
)
from .callbacks import MalformedJSON, load_callback_json, same_secret, whole_rupiah

logger = logging.getLogger(__name__)

# Midtrans's order_id alphabet and length. Checked before an id goes into a URL path: the SDK concatenates it
# unescaped, so "a/../b" would reach another endpoint.
_ORDER_ID = re.compile(r"[A-Za-z0-9._~-]{1,50}")
_AMOUNT = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,4})?")
_ITEM_NAME_LENGTH = 50  # Snap refuses longer item names
_CUSTOMER_NAME_LENGTH = 255
_SETTLED_REFUND_CODE = "200"
_PENDING_CODES = {"201"}
# Statuses that need an operator rather than an automatic event (money taken back by the card network).
_CHARGEBACK_STATUSES = {"chargeback", "partial_chargeback"}
_REFUND_STATUSES = {"refund", "partial_refund"}


class _TimeoutRequests:
    """Stands in for the `requests` module inside midtransclient's HttpClient (its `http_client` attribute), adding
    our (connect, read) timeout to every call; the SDK passes everything else."""

    def __init__(self, timeout: tuple[float, float]):
        self._timeout = timeout

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.pop("timeout", None)  # ours wins, should a later SDK version pass its own
        return requests.request(method, url, timeout=self._timeout, **kwargs)


def _valid_order_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_ORDER_ID.fullmatch(value)) and value not in {".", ".."}


def rupiah_from_string(value: Any) -> int:
    """Midtrans's decimal-string amount ("150000.00") as integer rupiah. Raises MalformedJSON for anything but
    such a string, and for fractions ("150000.50")."""
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise MalformedJSON("gross_amount is not a decimal string")
    try:
        return whole_rupiah(Decimal(value))
    except InvalidOperation:
        raise MalformedJSON("gross_amount is not a decimal string") from None


def signature_for(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    """Midtrans's notification signature: hex SHA-512 of order_id + status_code + gross_amount + server key."""
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


_SIMPLE_STATUSES = {
    "settlement": PaymentStatus.PAID,
    "pending": PaymentStatus.PENDING,
    "authorize": PaymentStatus.PENDING,  # a card hold not captured yet
    "deny": PaymentStatus.FAILED,
    "cancel": PaymentStatus.FAILED,
    "failure": PaymentStatus.FAILED,
    "expire": PaymentStatus.EXPIRED,
}
# A card capture is money only once fraud review accepted it; "challenge" (or no verdict) waits for a decision.
_CAPTURE_STATUSES = {"accept": PaymentStatus.PAID, "deny": PaymentStatus.FAILED}


def _payment_status(transaction_status: str, fraud_status: Any) -> str | None:
    """The normalised status of a status-API answer; None for refunds and chargebacks (no payment event). Raises
    MalformedJSON for a status Midtrans does not document."""
    if transaction_status == "capture":
        return _CAPTURE_STATUSES.get(fraud_status if isinstance(fraud_status, str) else "", PaymentStatus.PENDING)
    if transaction_status in _SIMPLE_STATUSES:
        return _SIMPLE_STATUSES[transaction_status]
    if transaction_status in _REFUND_STATUSES | _CHARGEBACK_STATUSES:
        return None
    raise MalformedJSON(f"unknown transaction_status {transaction_status[:50]!r}")


class MidtransGateway:
    """The Midtrans adapter (see payments.gateways.base.Gateway). Payouts are not supported."""

    name = "midtrans"
    supports_payouts = False

    def __init__(self, *, server_key: str, is_production: bool = False, api_url: str = "", snap_url: str = "",
                 connect_timeout: float = 5.0, read_timeout: float = 20.0):
        self._server_key = server_key
        http = _TimeoutRequests((float(connect_timeout), float(read_timeout)))
        # Fresh dicts: the SDK's defaults for these are shared mutable objects across all its instances.
        self._snap = midtransclient.Snap(is_production=is_production, server_key=server_key, custom_headers={},
                                         proxies={})
        self._core = midtransclient.CoreApi(is_production=is_production, server_key=server_key,
                                            custom_headers={}, proxies={})
        for client in (self._snap, self._core):
            client.http_client.http_client = http
            config = client.api_config
            environment = "PRODUCTION" if is_production else "SANDBOX"
            if api_url:
                setattr(config, f"CORE_{environment}_BASE_URL", api_url.rstrip("/"))
            if snap_url:
                setattr(config, f"SNAP_{environment}_BASE_URL", snap_url.rstrip("/"))

    @classmethod
    def from_settings(cls) -> MidtransGateway:
        """An adapter configured from settings.BANTU (MIDTRANS_* and GATEWAY_*_TIMEOUT_SECONDS)."""
        config = settings.BANTU
        return cls(server_key=config["MIDTRANS_SERVER_KEY"], is_production=config["MIDTRANS_IS_PRODUCTION"],
                   api_url=config["MIDTRANS_API_URL"], snap_url=config["MIDTRANS_SNAP_URL"],
                   connect_timeout=config["GATEWAY_CONNECT_TIMEOUT_SECONDS"],
                   read_timeout=config["GATEWAY_READ_TIMEOUT_SECONDS"])

    # --- calls ---

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Create a Snap transaction whose order_id is `request.reference`, for `request.amount` rupiah as one item.

        Returns gateway_reference = the order id (Midtrans names the transaction by it), the Snap redirect URL,
        and expires_at = the time of Midtrans's answer + the expiry in whole minutes (`expires_in` rounded up,
        at least 1): by then Midtrans no longer takes the payment. Raises GatewayError (transient=False,
        code "invalid_request" for an order id Midtrans would refuse).
        """
        _check_order_id(request.reference)
        minutes = max(1, math.ceil(request.expires_in.total_seconds() / 60))
        parameters = {
            "transaction_details": {"order_id": request.reference, "gross_amount": request.amount},
            "customer_details": {"email": request.payer_email,
                                 "first_name": request.payer_name[:_CUSTOMER_NAME_LENGTH]},
            "item_details": [{"id": request.reference, "price": request.amount, "quantity": 1,
                              "name": (request.description or request.reference)[:_ITEM_NAME_LENGTH]}],
            "callbacks": {"finish": request.success_url, "error": request.failure_url},
            "expiry": {"unit": "minute", "duration": minutes},
        }
        answer = self._call(self._snap.create_transaction, parameters)
        redirect_url = answer.get("redirect_url")
        if not isinstance(redirect_url, str) or not redirect_url:
            raise _unreadable("Snap answered without a redirect_url")
        answered_at = datetime.datetime.now(datetime.UTC)
        return Checkout(gateway_reference=request.reference, checkout_url=redirect_url,
                        expires_at=answered_at + datetime.timedelta(minutes=minutes))

    def create_payout(self, request: PayoutRequest) -> TransferResult:
        """Not supported: Midtrans Snap does no payouts (payouts go through Xendit or the sandbox)."""
        raise NotImplementedError("Midtrans does not do payouts in Bantu.")

    def create_refund(self, request: RefundRequest) -> TransferResult:
        """Refund `request.amount` rupiah of the order `request.payment_reference`, with `request.reference` as the
        refund_key (Midtrans's idempotency key).

        Midtrans answers synchronously: status_code "200" → SUCCEEDED, "201" → PENDING, any other answer it does
        not raise for (e.g. "407" expired) → FAILED with its status message. gateway_reference is Midtrans's
        refund_chargeback_id (the refund_key when absent). Raises GatewayError for refusals (4xx,
        transient=False) and for network errors, timeouts, 429 and 5xx (transient=True).
        """
        _check_order_id(request.payment_reference)
        parameters = {"refund_key": request.reference, "amount": request.amount, "reason": request.reason}
        answer = self._call(self._core.transactions.refund, request.payment_reference, parameters)
        status_code = str(answer.get("status_code", ""))
        gateway_reference = str(answer.get("refund_chargeback_id") or request.reference)
        if status_code == _SETTLED_REFUND_CODE:
            return TransferResult(gateway_reference=gateway_reference, status=TransferStatus.SUCCEEDED)
        if status_code in _PENDING_CODES:
            return TransferResult(gateway_reference=gateway_reference, status=TransferStatus.PENDING)
        return TransferResult(gateway_reference=gateway_reference, status=TransferStatus.FAILED,
                              failure_reason=f"{status_code} {answer.get('status_message', '')}".strip()[:200])

    @staticmethod
    def _call(method, *args) -> dict:
        try:
            answer = method(*args)
        except midtransclient.MidtransAPIError as error:
            raise _from_api_error(error) from error
        except requests.Timeout as error:
            raise GatewayError(f"Midtrans timed out: {type(error).__name__}", transient=True,
                               code="timeout") from error
        except requests.RequestException as error:
            raise GatewayError(f"Midtrans unreachable: {type(error).__name__}", transient=True,
                               code="network_error") from error
        except Exception as error:
            # The request went out; the SDK choked on the answer (a non-JSON error page, a JSON list, a
            # non-numeric status_code): whether Midtrans acted is unknown.
            raise _unreadable(repr(error)[:300]) from error
        if not isinstance(answer, dict):
            raise _unreadable("the answer is not a JSON object")
        return answer

    # --- notifications ---

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes) -> list[GatewayEvent]:
        """Authenticate, confirm and read one Midtrans HTTP notification.

        The body must be a JSON object with string `order_id`, `status_code`, `gross_amount` (a whole number of
        rupiah, "150000.00") and `signature_key`; the signature is checked over those strings exactly as received.
        The transaction is then fetched from the status API and the event built from that answer: settlement, or
        capture accepted by fraud review → PAID; pending, authorize or capture under review → PENDING;
        deny/cancel/failure (or capture denied) → FAILED; expire → EXPIRED; refund, partial_refund, chargeback and
        partial_chargeback → no event (refunds are recorded when we call refund; chargebacks are logged for an
        operator). event_id is
        "<transaction_id>:<transaction_status>"; reference and gateway_reference are the order id.

        Raises CallbackRejected: 400 malformed_callback, 401 invalid_signature (missing or wrong signature, or no
        server key configured), 503 gateway_unavailable (the status API failed or answered something unusable:
        Midtrans retries non-2xx deliveries).
        """
        try:
            notification = load_callback_json(body)
            fields = {name: notification.get(name) for name in ("order_id", "status_code", "gross_amount")}
            if not all(isinstance(value, str) and value for value in fields.values()):
                raise MalformedJSON("order_id, status_code and gross_amount must be strings")
            rupiah_from_string(fields["gross_amount"])
            signature = notification.get("signature_key")
            if signature is not None and not isinstance(signature, str):
                raise MalformedJSON("signature_key is not a string")
        except MalformedJSON as error:
            raise CallbackRejected(f"Malformed Midtrans notification: {error}", status=400,
                                   code="malformed_callback") from None
        expected = signature_for(server_key=self._server_key, **fields) if self._server_key else ""
        if not same_secret(signature, expected):
            raise CallbackRejected("The Midtrans signature is missing or wrong.", status=401,
                                   code="invalid_signature")
        order_id = fields["order_id"]
        if not _valid_order_id(order_id):
            raise CallbackRejected("Malformed Midtrans notification: order_id", status=400,
                                   code="malformed_callback")
        try:
            answer = self._call(self._core.transactions.status, order_id)
        except GatewayError as error:
            raise CallbackRejected(f"Could not confirm with Midtrans: {error.detail}", status=503,
                                   code="gateway_unavailable") from error
        try:
            return self._events_from_status(order_id, answer)
        except MalformedJSON as error:
            raise CallbackRejected(f"Midtrans's status answer is unusable: {error}", status=503,
                                   code="gateway_unavailable") from None

    def _events_from_status(self, order_id: str, answer: dict) -> list[GatewayEvent]:
        if answer.get("order_id") != order_id:
            raise MalformedJSON("the status answer is about another order")
        transaction_id, transaction_status = answer.get("transaction_id"), answer.get("transaction_status")
        if not isinstance(transaction_id, str) or not transaction_id or not isinstance(transaction_status, str):
            raise MalformedJSON("transaction_id or transaction_status missing")
        status = _payment_status(transaction_status, answer.get("fraud_status"))
        if status is None:
            if transaction_status in _CHARGEBACK_STATUSES:
                logger.warning("Midtrans reports %s for order %s: needs an operator.", transaction_status, order_id)
            return []
        currency = answer.get("currency") or "IDR"
        if not isinstance(currency, str):
            raise MalformedJSON("currency is not a string")
        return [GatewayEvent(gateway=self.name, event_id=f"{transaction_id}:{transaction_status}",
                             kind=EventKind.PAYMENT, reference=order_id, status=status,
                             amount=rupiah_from_string(answer.get("gross_amount")), currency=currency,
                             gateway_reference=order_id, raw=answer)]


def _check_order_id(order_id: str) -> None:
    if not _valid_order_id(order_id):
        raise GatewayError(f"{order_id!r} is not a Midtrans order id (1-50 of A-Z a-z 0-9 . _ ~ -).",
                           transient=False, code="invalid_request")


def _from_api_error(error: midtransclient.MidtransAPIError) -> GatewayError:
    """Midtrans reports errors by HTTP status, or by HTTP 200 with a `status_code` in the body (Core API)."""
    body = error.api_response_dict if isinstance(error.api_response_dict, dict) else {}
    try:
        status = int(body.get("status_code") or error.http_status_code)
    except (TypeError, ValueError):
        status = error.http_status_code
    transient = status in {408, 429} or status >= 500
    messages = body.get("status_message") or body.get("error_messages") or ""
    return GatewayError(f"Midtrans answered {status}: {messages}", transient=transient, status=status,
                        code=str(status))


def _unreadable(detail: str) -> GatewayError:
    logger.warning("Unreadable answer from Midtrans: %s", detail)
    return GatewayError(f"Midtrans's answer could not be read: {detail}", transient=True,
                        code="unreadable_response")
