"""Xendit, through the official xendit-python SDK (7.x): invoices fund payments, v2 Payouts pay freelancers,
Refunds return invoice payments.

Every SDK instance is private to one gateway object (its own `Configuration` and `ApiClient`), because
`xendit.set_api_key()` rewrites a process-wide default and resets its host. Every call carries a
(connect, read) timeout: the SDK has none by default. Nothing the SDK raises leaves this module: calls raise
`GatewayError`, callbacks raise `CallbackRejected`.

"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Mapping

import urllib3
import xendit
from django.conf import settings
from xendit.apis import InvoiceApi, PayoutApi, RefundApi
from xendit.invoice.model import CreateInvoiceRequest
from xendit.payout.model import CreatePayoutRequest, DigitalPayoutChannelProperties
from xendit.refund.model import CreateRefund

from payments.banks import BANKS

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
from .callbacks import MalformedJSON, header, load_callback_json, plain_json, same_secret, whole_rupiah

logger = logging.getLogger(__name__)

CALLBACK_TOKEN_HEADER = "x-callback-token"
WEBHOOK_ID_HEADER = "webhook-id"

# --- the adapter ---

_PAYOUT_STATUSES = {
    "ACCEPTED": TransferStatus.PENDING,
    "REQUESTED": TransferStatus.PENDING,
    "LOCKED": TransferStatus.PENDING,
    # Documented by Xendit, yet the SDK's payout model refuses it: it surfaces as a transient unreadable_response.
    "PENDING": TransferStatus.PENDING,
    "SUCCEEDED": TransferStatus.SUCCEEDED,
    "FAILED": TransferStatus.FAILED,
    "CANCELLED": TransferStatus.FAILED,
    "REVERSED": TransferStatus.REVERSED,
}
_REFUND_STATUSES = {
    "PENDING": TransferStatus.PENDING,
    "SUCCEEDED": TransferStatus.SUCCEEDED,
    "FAILED": TransferStatus.FAILED,
    "CANCELLED": TransferStatus.FAILED,
}
_INVOICE_STATUSES = {
    "PAID": PaymentStatus.PAID,
    "SETTLED": PaymentStatus.PAID,  # PAID then SETTLED share an event_id, so the second delivery is a duplicate
    "EXPIRED": PaymentStatus.EXPIRED,
    "PENDING": PaymentStatus.PENDING,
}
# v2 events: the kind and status each event name means.
_EVENTS = {
    "payout.succeeded": (EventKind.PAYOUT, TransferStatus.SUCCEEDED),
    "payout.failed": (EventKind.PAYOUT, TransferStatus.FAILED),
    "payout.reversed": (EventKind.PAYOUT, TransferStatus.REVERSED),
    "refund.succeeded": (EventKind.REFUND, TransferStatus.SUCCEEDED),
    "refund.failed": (EventKind.REFUND, TransferStatus.FAILED),
}
# The reasons Xendit's CreateRefund accepts (xendit/refund/model/create_refund.py, allowed_values).
REFUND_REASONS = {"FRAUDULENT", "DUPLICATE", "REQUESTED_BY_CUSTOMER", "CANCELLATION", "OTHERS"}
_MAX_WEBHOOK_ID = 200


def _malformed(detail: str) -> CallbackRejected:
    return CallbackRejected(f"Malformed Xendit callback: {detail}", status=400, code="malformed_callback")


def _text(data: Mapping, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedJSON(f"{name} is missing or not a string")
    return value


def _optional_text(data: Mapping, name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedJSON(f"{name} is not a string")
    return value


def _utc(moment: datetime.datetime) -> datetime.datetime:
    # The SDK parses "…Z" with dateutil, which answers tzlocal() when the machine runs in UTC; naive means UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


class XenditGateway:
    """The Xendit adapter (see payments.gateways.base.Gateway). Thread-safe: one urllib3 pool per instance."""

    name = "xendit"
    supports_payouts = True

    def __init__(self, *, secret_key: str, callback_token: str = "", api_url: str = "https://api.xendit.co",
                 connect_timeout: float = 5.0, read_timeout: float = 20.0):
        configuration = xendit.Configuration(host=api_url.rstrip("/"))
        configuration.api_key = secret_key
        self._client = xendit.ApiClient(configuration)
        self._invoices = InvoiceApi(self._client)
        self._payouts = PayoutApi(self._client)
        self._refunds = RefundApi(self._client)
        self._callback_token = callback_token
        self._timeout = (float(connect_timeout), float(read_timeout))

    @classmethod
    def from_settings(cls) -> XenditGateway:
        """An adapter configured from settings.BANTU (XENDIT_* and GATEWAY_*_TIMEOUT_SECONDS)."""
        config = settings.BANTU
        return cls(secret_key=config["XENDIT_SECRET_KEY"], callback_token=config["XENDIT_CALLBACK_TOKEN"],
                   api_url=config["XENDIT_API_URL"],
                   connect_timeout=config["GATEWAY_CONNECT_TIMEOUT_SECONDS"],
                   read_timeout=config["GATEWAY_READ_TIMEOUT_SECONDS"])

    # --- calls ---

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Create an invoice for `request.amount` rupiah whose external_id is `request.reference`.

        Returns the invoice id, its payment page and its expiry (aware UTC, as Xendit computed it from
        `request.expires_in`, whole seconds, at least 1). Raises GatewayError. Xendit has no idempotency key for
        invoices: a retry after a transient error may leave an unused invoice behind, which simply expires.
        """
        body = self._build(lambda: CreateInvoiceRequest(
            external_id=request.reference,
            amount=float(request.amount),  # the SDK's model is typed float; rupiah amounts are exact in a float
            payer_email=request.payer_email,
            description=request.description,
            invoice_duration=float(max(1, math.ceil(request.expires_in.total_seconds()))),
            success_redirect_url=request.success_url,
            failure_redirect_url=request.failure_url,
            currency=request.currency,
        ))
        invoice = self._call(self._invoices.create_invoice, create_invoice_request=body)
        try:
            invoice_id, invoice_url = invoice.get("id"), invoice["invoice_url"]
            if not isinstance(invoice_id, str) or not invoice_id or not isinstance(invoice_url, str):
                raise ValueError("invoice without an id or url")
            return Checkout(gateway_reference=invoice_id, checkout_url=invoice_url,
                            expires_at=_utc(invoice["expiry_date"]))
        except (KeyError, AttributeError, TypeError, ValueError) as error:
            raise _unreadable(error) from error

    def create_payout(self, request: PayoutRequest) -> TransferResult:
        """Pay `request.amount` rupiah to a bank account through the v2 Payouts API, with `request.reference` as
        both reference_id and Idempotency-key (a retried call pays once).

        Returns the payout id and its status (usually PENDING: the outcome comes by callback). Raises
        GatewayError, with transient=False and code "unsupported_bank" for a bank outside payments.banks.BANKS.
        """
        bank = BANKS.get(request.bank_code)
        if bank is None:
            raise GatewayError(f"No Xendit payout channel for bank {request.bank_code!r}.", transient=False,
                               code="unsupported_bank")
        body = self._build(lambda: CreatePayoutRequest(
            reference_id=request.reference,
            channel_code=bank.xendit_channel,
            channel_properties=DigitalPayoutChannelProperties(account_number=request.account_number,
                                                              account_holder_name=request.account_holder_name),
            amount=float(request.amount),
            currency=request.currency,
            description=request.description,
        ))
        payout = self._call(self._payouts.create_payout, idempotency_key=request.reference,
                            create_payout_request=body)
        return self._transfer_result(payout, _PAYOUT_STATUSES)

    def create_refund(self, request: RefundRequest) -> TransferResult:
        """Refund `request.amount` rupiah of the invoice `request.payment_gateway_reference`, with
        `request.reference` as reference_id and Idempotency-key.

        `request.reason` is sent when it is one of REFUND_REASONS, else as "OTHERS" (the SDK refuses other values);
        the free text stays on our side. Returns the refund id and status. Raises GatewayError.
        """
        reason = request.reason if request.reason in REFUND_REASONS else "OTHERS"
        body = self._build(lambda: CreateRefund(
            invoice_id=request.payment_gateway_reference,
            reference_id=request.reference,
            amount=float(request.amount),
            currency=request.currency,
            reason=reason,
        ))
        refund = self._call(self._refunds.create_refund, idempotency_key=request.reference, create_refund=body)
        return self._transfer_result(refund, _REFUND_STATUSES)

    @staticmethod
    def _build(make):
        """Build an SDK request model; its validation errors mean our request is wrong, not the network."""
        try:
            return make()
        except Exception as error:
            raise GatewayError(f"Xendit request refused by the SDK: {error}", transient=False,
                               code="invalid_request") from error

    def _call(self, method, **kwargs):
        try:
            return method(**kwargs, _request_timeout=self._timeout)
        except xendit.XenditSdkException as error:
            raise _from_sdk_exception(error) from error
        except urllib3.exceptions.HTTPError as error:
            raise _from_network_error(error) from error
        except Exception as error:
            # After a request went out, anything else is the SDK failing to read the answer (an unexpected
            # status value, a non-JSON error page it tried to parse): whether Xendit acted is unknown.
            raise _unreadable(error) from error

    @staticmethod
    def _transfer_result(result, statuses: Mapping[str, str]) -> TransferResult:
        try:
            raw_status = str(result.get("status") or "")
            gateway_reference = str(result["id"])
            failure_reason = str(result.get("failure_code") or "")
        except (KeyError, TypeError, AttributeError) as error:
            raise _unreadable(error) from error
        status = statuses.get(raw_status.upper())
        if status is None:
            raise GatewayError(f"Xendit answered an unknown status {raw_status!r}.", transient=True,
                               code="unknown_status")
        return TransferResult(gateway_reference=gateway_reference, status=status, failure_reason=failure_reason)

    # --- callbacks ---

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes) -> list[GatewayEvent]:
        """Authenticate one Xendit callback by its `x-callback-token` header, then read it.

        Invoice callbacks (top-level `external_id`, `status` PAID/SETTLED/EXPIRED/PENDING) give one payment event
        with event_id "invoice:<invoice id>:<normalised status>"; v2 events (`event` payout.succeeded/failed/
        reversed, refund.succeeded/failed) give one payout or refund event with event_id the `webhook-id` header
        or "<event>:<data.id>". Amounts are integer rupiah.

        Raises CallbackRejected: 401 invalid_callback_token (missing or wrong token, or none configured),
        400 malformed_callback (bad or ambiguous JSON, wrong types, missing fields, fractional amounts),
        400 unsupported_callback (another callback type or status).
        """
        if not same_secret(header(headers, CALLBACK_TOKEN_HEADER), self._callback_token):
            raise CallbackRejected("The Xendit callback token is missing or wrong.", status=401,
                                   code="invalid_callback_token")
        try:
            data = load_callback_json(body)
            if "event" in data:
                return [self._v2_event(data, header(headers, WEBHOOK_ID_HEADER))]
            return [self._invoice_event(data)]
        except MalformedJSON as error:
            raise _malformed(str(error)) from None

    def _invoice_event(self, data: dict) -> GatewayEvent:
        invoice_id, external_id = _text(data, "id"), _text(data, "external_id")
        raw_status = _text(data, "status")
        status = _INVOICE_STATUSES.get(raw_status)
        if status is None:
            raise CallbackRejected(f"Unsupported Xendit invoice status {raw_status!r}.", status=400,
                                   code="unsupported_callback")
        # What arrived, not what was asked: a difference shows up in the amount check of the payment service.
        amount_field = "paid_amount" if status == PaymentStatus.PAID and "paid_amount" in data else "amount"
        if amount_field not in data:
            raise MalformedJSON("amount is missing")
        return GatewayEvent(gateway=self.name, event_id=f"invoice:{invoice_id}:{status}", kind=EventKind.PAYMENT,
                            reference=external_id, status=status, amount=whole_rupiah(data[amount_field]),
                            currency=_text(data, "currency"), gateway_reference=invoice_id, raw=plain_json(data))

    def _v2_event(self, data: dict, webhook_id: str | None) -> GatewayEvent:
        event = data["event"]
        if not isinstance(event, str):
            raise MalformedJSON("event is not a string")
        if event not in _EVENTS:
            raise CallbackRejected(f"Unsupported Xendit event {event[:100]!r}.", status=400,
                                   code="unsupported_callback")
        kind, status = _EVENTS[event]
        payload = data.get("data")
        if not isinstance(payload, dict):
            raise MalformedJSON("data is missing or not an object")
        gateway_id = _text(payload, "id")
        statuses = _PAYOUT_STATUSES if kind == EventKind.PAYOUT else _REFUND_STATUSES
        # The event name decides; a body whose own status contradicts it is not one we can trust either way.
        if "status" in payload and statuses.get(str(payload["status"]).upper()) != status:
            raise MalformedJSON(f"status {payload['status']!r} contradicts event {event}")
        if webhook_id is not None and not (0 < len(webhook_id) <= _MAX_WEBHOOK_ID and webhook_id.isprintable()
                                           and webhook_id.isascii()):
            raise MalformedJSON("webhook-id header is not a usable id")
        if "amount" not in payload:
            raise MalformedJSON("amount is missing")
        return GatewayEvent(gateway=self.name, event_id=webhook_id or f"{event}:{gateway_id}", kind=kind,
                            reference=_text(payload, "reference_id"), status=status,
                            amount=whole_rupiah(payload["amount"]), currency=_text(payload, "currency"),
                            gateway_reference=gateway_id, failure_reason=_optional_text(payload, "failure_code"),
                            raw=plain_json(data))


# --- error mapping ---

def _status_of(error: xendit.XenditSdkException) -> int | None:
    try:
        return int(error.status)
    except (TypeError, ValueError):
        return None


def _from_sdk_exception(error: xendit.XenditSdkException) -> GatewayError:
    status = _status_of(error)
    code = str(error.errorCode or "")
    message = str(error.errorMessage or "")
    # The SDK reports TLS failures as status "0": no answer from Xendit, so the outcome is unknown.
    transient = status is None or status in {0, 408, 429} or status >= 500
    return GatewayError(f"Xendit answered {status}: {code} {message}".strip(), transient=transient,
                        status=status or None, code=code or ("network_error" if not status else f"http_{status}"))


def _from_network_error(error: urllib3.exceptions.HTTPError) -> GatewayError:
    reason = getattr(error, "reason", None) or error
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first so a refusal is not a timeout.
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        code = "network_error"
    elif isinstance(reason, urllib3.exceptions.TimeoutError):
        code = "timeout"
    else:
        code = "network_error"
    return GatewayError(f"Xendit unreachable: {type(reason).__name__}", transient=True, code=code)


def _unreadable(error: BaseException) -> GatewayError:
    logger.warning("Unreadable answer from Xendit: %r", error)
    return GatewayError(f"Xendit's answer could not be read: {type(error).__name__}", transient=True,
                        code="unreadable_response")
