"""The Xendit and Midtrans adapters against local fakes of their APIs, through the real SDKs (nothing patched).

No database: adapters never touch it.
"""

import datetime
import json
import time

import pytest

from payments.gateways.base import (
    CallbackRejected,
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
from payments.gateways.midtrans import MidtransGateway
from payments.gateways.xendit import XenditGateway
from tests.payments.fakegateways import (
    MIDTRANS_SERVER_KEY,
    XENDIT_CALLBACK_TOKEN,
    XENDIT_SECRET_KEY,
    FakeMidtrans,
    FakeXendit,
    midtrans_notification,
    midtrans_signature,
    xendit_event_callback,
    xendit_invoice_callback,
)

# Fixtures by assignment: imported names would trip ruff's F811 in every test that takes them as arguments.

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0}
BASIC_XENDIT = "Basic eG5kX2RldmVsb3BtZW50X2JhbnR1X3Rlc3Rfa2V5Og=="  # base64("<XENDIT_SECRET_KEY>:")
BASIC_MIDTRANS = "Basic U0ItTWlkLXNlcnZlci1iYW50dS10ZXN0LWtleTo="  # base64("<MIDTRANS_SERVER_KEY>:")


def checkout_request(**changes) -> CheckoutRequest:
    values = {"reference": "pay-1", "amount": 150_000, "currency": "IDR", "description": "Milestone 1: logo",
              "payer_email": "finance@acme.id", "payer_name": "Acme Finance",
              "success_url": "https://bantu.id/payments/pay-1/done",
              "failure_url": "https://bantu.id/payments/pay-1/failed",
              "expires_in": datetime.timedelta(hours=24)}
    return CheckoutRequest(**values | changes)


def payout_request(**changes) -> PayoutRequest:
    values = {"reference": "payout-1", "amount": 250_000, "currency": "IDR", "bank_code": "BCA",
              "account_number": "1234567890", "account_holder_name": "Budi Santoso",
              "description": "Bantu withdrawal"}
    return PayoutRequest(**values | changes)


def refund_request(**changes) -> RefundRequest:
    values = {"reference": "refund-1", "payment_reference": "pay-1", "payment_gateway_reference": "inv-1",
              "amount": 50_000, "currency": "IDR", "reason": "Milestone cancelled"}
    return RefundRequest(**values | changes)


@pytest.fixture
def xendit_gateway(fake_xendit):
    return XenditGateway(secret_key=XENDIT_SECRET_KEY, callback_token=XENDIT_CALLBACK_TOKEN,
                         api_url=fake_xendit.url, **FAST)


@pytest.fixture
def midtrans_gateway(fake_midtrans):
    return MidtransGateway(server_key=MIDTRANS_SERVER_KEY, api_url=fake_midtrans.api_url,
                           snap_url=fake_midtrans.snap_url, **FAST)


@pytest.fixture
def invoice(xendit_gateway):
    """A Xendit invoice for pay-1 (150,000), for refund tests."""
    return xendit_gateway.create_checkout(checkout_request())


# --- Xendit: calls ---

def test_xendit_checkout_sends_the_invoice_with_amount_reference_payer_urls_currency_and_auth(
        xendit_gateway, fake_xendit):
    xendit_gateway.create_checkout(checkout_request())

    [request] = fake_xendit.requests
    assert (request.method, request.path) == ("POST", "/v2/invoices/")
    assert request.headers["authorization"] == BASIC_XENDIT
    assert request.json == {"external_id": "pay-1", "amount": 150000, "payer_email": "finance@acme.id",
                            "description": "Milestone 1: logo", "invoice_duration": 86400,
                            "success_redirect_url": "https://bantu.id/payments/pay-1/done",
                            "failure_redirect_url": "https://bantu.id/payments/pay-1/failed", "currency": "IDR"}


def test_xendit_checkout_returns_the_invoice_id_page_and_utc_expiry(xendit_gateway, fake_xendit):
    checkout = xendit_gateway.create_checkout(checkout_request(expires_in=datetime.timedelta(minutes=30)))

    invoice = fake_xendit.invoices[checkout.gateway_reference]
    assert checkout.checkout_url == f"https://checkout-staging.xendit.co/web/{invoice['id']}"
    assert checkout.expires_at.tzinfo == datetime.UTC
    assert checkout.expires_at == datetime.datetime.fromisoformat(invoice["expiry_date"])
    assert fake_xendit.requests[0].json["invoice_duration"] == 1800


def test_xendit_payout_sends_channel_account_amount_and_idempotency_key(xendit_gateway, fake_xendit):
    result = xendit_gateway.create_payout(payout_request(bank_code="MANDIRI", account_number="1234567890123"))

    [request] = fake_xendit.requests
    assert (request.method, request.path) == ("POST", "/v2/payouts")
    assert request.headers["idempotency-key"] == "payout-1"
    assert request.headers["authorization"] == BASIC_XENDIT
    assert request.json == {"reference_id": "payout-1", "channel_code": "ID_MANDIRI",
                            "channel_properties": {"account_number": "1234567890123",
                                                   "account_holder_name": "Budi Santoso"},
                            "amount": 250000, "currency": "IDR", "description": "Bantu withdrawal"}
    assert result == TransferResult(gateway_reference=next(iter(fake_xendit.payouts)), status=TransferStatus.PENDING)


def test_xendit_payout_retried_with_the_same_reference_is_the_same_payout(xendit_gateway, fake_xendit):
    first = xendit_gateway.create_payout(payout_request())
    second = xendit_gateway.create_payout(payout_request())

    assert second == first
    assert len(fake_xendit.payouts) == 1


@pytest.mark.parametrize(("xendit_status", "status", "failure_reason"), [
    ("ACCEPTED", TransferStatus.PENDING, ""),
    ("REQUESTED", TransferStatus.PENDING, ""),
    ("SUCCEEDED", TransferStatus.SUCCEEDED, ""),
    ("FAILED", TransferStatus.FAILED, "INVALID_DESTINATION"),
    ("CANCELLED", TransferStatus.FAILED, ""),
    ("REVERSED", TransferStatus.REVERSED, ""),
])
def test_xendit_payout_status_is_normalised(xendit_gateway, fake_xendit, xendit_status, status, failure_reason):
    fake_xendit.payout_status = xendit_status

    result = xendit_gateway.create_payout(payout_request())

    assert (result.status, result.failure_reason) == (status, failure_reason)


def test_xendit_payout_status_the_sdk_cannot_read_is_a_transient_error(xendit_gateway, fake_xendit):
    # The SDK's payout model only knows ACCEPTED/REQUESTED/LOCKED/SUCCEEDED/FAILED/CANCELLED/REVERSED: another
    # value fails after the payout was made, so the outcome is unknown and the caller retries (same key).
    fake_xendit.payout_status = "PENDING"

    with pytest.raises(GatewayError) as caught:
        xendit_gateway.create_payout(payout_request())

    assert (caught.value.transient, caught.value.code) == (True, "unreadable_response")


def test_xendit_payout_to_a_bank_outside_the_list_is_refused_without_a_call(xendit_gateway, fake_xendit):
    with pytest.raises(GatewayError) as caught:
        xendit_gateway.create_payout(payout_request(bank_code="NOBANK"))

    assert (caught.value.transient, caught.value.code) == (False, "unsupported_bank")
    assert fake_xendit.requests == []


def test_xendit_refund_sends_invoice_reference_amount_currency_reason_and_idempotency_key(
        xendit_gateway, fake_xendit, invoice):
    result = xendit_gateway.create_refund(refund_request(payment_gateway_reference=invoice.gateway_reference))

    request = fake_xendit.requests[-1]
    assert (request.method, request.path) == ("POST", "/refunds")
    assert request.headers["idempotency-key"] == "refund-1"
    assert request.headers["authorization"] == BASIC_XENDIT
    assert request.json == {"invoice_id": invoice.gateway_reference, "reference_id": "refund-1", "amount": 50000,
                            "currency": "IDR", "reason": "OTHERS"}
    assert result == TransferResult(gateway_reference=next(iter(fake_xendit.refunds)), status=TransferStatus.PENDING)


def test_xendit_refund_keeps_a_reason_xendit_knows(xendit_gateway, fake_xendit, invoice):
    xendit_gateway.create_refund(refund_request(payment_gateway_reference=invoice.gateway_reference,
                                                reason="REQUESTED_BY_CUSTOMER"))

    assert fake_xendit.requests[-1].json["reason"] == "REQUESTED_BY_CUSTOMER"


@pytest.mark.parametrize(("xendit_status", "status", "failure_reason"), [
    ("PENDING", TransferStatus.PENDING, ""),
    ("SUCCEEDED", TransferStatus.SUCCEEDED, ""),
    ("FAILED", TransferStatus.FAILED, "INSUFFICIENT_BALANCE"),
    ("CANCELLED", TransferStatus.FAILED, ""),
])
def test_xendit_refund_status_is_normalised(xendit_gateway, fake_xendit, invoice, xendit_status, status,
                                            failure_reason):
    fake_xendit.refund_status = xendit_status

    result = xendit_gateway.create_refund(refund_request(payment_gateway_reference=invoice.gateway_reference))

    assert (result.status, result.failure_reason) == (status, failure_reason)


@pytest.mark.parametrize(("status", "code", "transient"), [
    (400, "API_VALIDATION_ERROR", False),
    (401, "INVALID_API_KEY", False),
    (403, "REQUEST_FORBIDDEN_ERROR", False),
    (404, "DATA_NOT_FOUND", False),
    (409, "DUPLICATE_ERROR", False),
    (429, "RATE_LIMIT_EXCEEDED", True),
    (500, "SERVER_ERROR", True),
    (503, "SERVER_ERROR", True),
])
def test_xendit_error_answers_become_gateway_errors(xendit_gateway, fake_xendit, status, code, transient):
    fake_xendit.fail_next(status)

    with pytest.raises(GatewayError) as caught:
        xendit_gateway.create_payout(payout_request())

    assert (caught.value.status, caught.value.code, caught.value.transient) == (status, code, transient)


def test_xendit_wrong_secret_key_is_a_permanent_error(fake_xendit):
    gateway = XenditGateway(secret_key="xnd_development_someone_else", api_url=fake_xendit.url, **FAST)

    with pytest.raises(GatewayError) as caught:
        gateway.create_checkout(checkout_request())

    assert (caught.value.status, caught.value.code, caught.value.transient) == (401, "INVALID_API_KEY", False)
    assert fake_xendit.invoices == {}


def test_xendit_error_page_that_is_not_json_is_a_transient_error(xendit_gateway, fake_xendit):
    fake_xendit.fail_next(502, b"<html><body>502 Bad Gateway</body></html>")

    with pytest.raises(GatewayError) as caught:
        xendit_gateway.create_checkout(checkout_request())

    assert (caught.value.code, caught.value.transient) == ("unreadable_response", True)


def test_xendit_slow_server_times_out_quickly_as_a_transient_error(fake_xendit):
    gateway = XenditGateway(secret_key=XENDIT_SECRET_KEY, api_url=fake_xendit.url, connect_timeout=0.5,
                            read_timeout=0.2)
    fake_xendit.delay = 5

    started = time.monotonic()
    with pytest.raises(GatewayError) as caught:
        gateway.create_payout(payout_request())

    assert time.monotonic() - started < 1
    assert (caught.value.code, caught.value.transient) == ("timeout", True)


def test_xendit_unreachable_server_is_a_transient_network_error():
    with FakeXendit() as stopped:
        url = stopped.url
    gateway = XenditGateway(secret_key=XENDIT_SECRET_KEY, api_url=url, **FAST)

    with pytest.raises(GatewayError) as caught:
        gateway.create_checkout(checkout_request())

    assert (caught.value.code, caught.value.transient) == ("network_error", True)


def test_xendit_gateways_keep_their_own_key_and_host(fake_xendit):
    with FakeXendit(secret_key="xnd_development_other") as other:
        first = XenditGateway(secret_key=XENDIT_SECRET_KEY, api_url=fake_xendit.url, **FAST)
        second = XenditGateway(secret_key="xnd_development_other", api_url=other.url, **FAST)

        first.create_checkout(checkout_request(reference="pay-first"))
        second.create_checkout(checkout_request(reference="pay-second"))

        assert [r.json["external_id"] for r in fake_xendit.requests] == ["pay-first"]
        assert [r.json["external_id"] for r in other.requests] == ["pay-second"]
        assert len(other.invoices) == 1


def test_xendit_from_settings_reads_the_bantu_settings(settings, fake_xendit):
    settings.BANTU = {**settings.BANTU, "XENDIT_SECRET_KEY": XENDIT_SECRET_KEY,
                      "XENDIT_CALLBACK_TOKEN": XENDIT_CALLBACK_TOKEN, "XENDIT_API_URL": f"{fake_xendit.url}/"}

    gateway = XenditGateway.from_settings()
    checkout = gateway.create_checkout(checkout_request())

    assert checkout.gateway_reference in fake_xendit.invoices
    assert len(parse_xendit(gateway, xendit_invoice_callback())) == 1


# --- Xendit: callbacks ---

def parse_xendit(gateway, delivery):
    headers, body = delivery
    return gateway.parse_callback(headers=headers, body=body)


def test_xendit_paid_invoice_callback_gives_a_payment_event(xendit_gateway):
    [event] = parse_xendit(xendit_gateway, xendit_invoice_callback(invoice_id="inv-1", external_id="pay-1"))

    assert event == GatewayEvent(gateway="xendit", event_id="invoice:inv-1:paid", kind=EventKind.PAYMENT,
                                 reference="pay-1", status=PaymentStatus.PAID, amount=150000, currency="IDR",
                                 gateway_reference="inv-1")
    assert event.raw["payment_channel"] == "BCA"


def test_xendit_settled_invoice_callback_repeats_the_paid_event_id(xendit_gateway):
    [event] = parse_xendit(xendit_gateway, xendit_invoice_callback(invoice_id="inv-1", status="SETTLED"))

    assert (event.event_id, event.status) == ("invoice:inv-1:paid", PaymentStatus.PAID)


def test_xendit_expired_invoice_callback_gives_an_expired_event(xendit_gateway):
    [event] = parse_xendit(xendit_gateway, xendit_invoice_callback(invoice_id="inv-1", status="EXPIRED"))

    assert (event.event_id, event.status, event.amount) == ("invoice:inv-1:expired", PaymentStatus.EXPIRED, 150000)


def test_xendit_paid_callback_reports_the_paid_amount(xendit_gateway):
    delivery = xendit_invoice_callback(amount=150000, paid_amount=149000)

    [event] = parse_xendit(xendit_gateway, delivery)

    assert event.amount == 149000


def test_xendit_whole_float_amount_becomes_integer_rupiah(xendit_gateway):
    [event] = parse_xendit(xendit_gateway, xendit_invoice_callback(amount=150000.0))

    assert event.amount == 150000
    assert type(event.amount) is int
    assert event.raw["amount"] == 150000


def test_xendit_callback_raw_holds_only_json_native_values(xendit_gateway):
    delivery = xendit_invoice_callback(fees_paid_amount=4440.5, adjusted_received_amount=145560.0)

    [event] = parse_xendit(xendit_gateway, delivery)

    assert json.loads(json.dumps(event.raw)) == event.raw
    assert (event.raw["fees_paid_amount"], event.raw["adjusted_received_amount"]) == (4440.5, 145560)


def test_xendit_callback_token_header_name_is_case_insensitive(xendit_gateway):
    headers, body = xendit_invoice_callback()
    headers = {"X-CALLBACK-TOKEN": headers.pop("x-callback-token")}

    assert len(xendit_gateway.parse_callback(headers=headers, body=body)) == 1


@pytest.mark.parametrize(("event", "failure_code", "status"), [
    ("payout.succeeded", None, TransferStatus.SUCCEEDED),
    ("payout.failed", "INSUFFICIENT_BALANCE", TransferStatus.FAILED),
    ("payout.reversed", "REJECTED_BY_CHANNEL", TransferStatus.REVERSED),
])
def test_xendit_payout_event_gives_a_payout_event(xendit_gateway, event, failure_code, status):
    delivery = xendit_event_callback(event=event, data_id="disb-1", reference_id="payout-1", amount=250000,
                                     failure_code=failure_code)

    [parsed] = parse_xendit(xendit_gateway, delivery)

    assert parsed == GatewayEvent(gateway="xendit", event_id=f"{event}:disb-1", kind=EventKind.PAYOUT,
                                  reference="payout-1", status=status, amount=250000, currency="IDR",
                                  gateway_reference="disb-1", failure_reason=failure_code or "")


@pytest.mark.parametrize(("event", "status"), [
    ("refund.succeeded", TransferStatus.SUCCEEDED),
    ("refund.failed", TransferStatus.FAILED),
])
def test_xendit_refund_event_gives_a_refund_event(xendit_gateway, event, status):
    delivery = xendit_event_callback(event=event, data_id="rfd-1", reference_id="refund-1", amount=50000.0)

    [parsed] = parse_xendit(xendit_gateway, delivery)

    assert parsed == GatewayEvent(gateway="xendit", event_id=f"{event}:rfd-1", kind=EventKind.REFUND,
                                  reference="refund-1", status=status, amount=50000, currency="IDR",
                                  gateway_reference="rfd-1")


def test_xendit_event_id_is_the_webhook_id_header_when_present(xendit_gateway):
    delivery = xendit_event_callback(webhook_id="whk_01HZX8T3Q2")

    [parsed] = parse_xendit(xendit_gateway, delivery)

    assert parsed.event_id == "whk_01HZX8T3Q2"


@pytest.mark.parametrize("headers", [
    {"x-callback-token": "forged-token"},
    {"x-callback-token": XENDIT_CALLBACK_TOKEN.upper()},
    {"x-callback-token": XENDIT_CALLBACK_TOKEN + "x"},
    {"x-callback-token": ""},
    {"x-callback-token": "t\udc80ken"},
    {"x-other": XENDIT_CALLBACK_TOKEN},
    {},
], ids=["forged", "other-case", "longer", "empty", "surrogate", "other-header", "missing"])
def test_xendit_callback_without_the_right_token_is_rejected(xendit_gateway, headers):
    _, body = xendit_invoice_callback()

    with pytest.raises(CallbackRejected) as caught:
        xendit_gateway.parse_callback(headers=headers, body=body)

    assert (caught.value.status, caught.value.code) == (401, "invalid_callback_token")


def test_xendit_callback_is_rejected_when_no_token_is_configured(fake_xendit):
    gateway = XenditGateway(secret_key=XENDIT_SECRET_KEY, callback_token="", api_url=fake_xendit.url, **FAST)

    with pytest.raises(CallbackRejected) as caught:
        parse_xendit(gateway, xendit_invoice_callback(callback_token=""))

    assert (caught.value.status, caught.value.code) == (401, "invalid_callback_token")


def nested(depth: int) -> bytes:
    return b'{"id": "inv-1", "deep": ' + b"[" * depth + b"]" * depth + b"}"


TOKEN = {"x-callback-token": XENDIT_CALLBACK_TOKEN}
MALFORMED_XENDIT = {
    "bad-json": b'{"id": "inv-1",',
    "array": b'[{"id": "inv-1"}]',
    "string": b'"PAID"',
    "empty": b"",
    "unclosed-brackets": b"[" * 5000,
    "deep-array": nested(5000),
    "deep-but-parsable": nested(40),
    "not-utf8": b'{"id": "\xff"}',
    "lone-surrogate": xendit_invoice_callback(external_id="\ud800")[1],
    "lone-surrogate-key": b'{"\\udc00": 1, ' + xendit_invoice_callback()[1][1:],
    "nul": xendit_invoice_callback(external_id="pay-1\x00")[1],
    "fractional-amount": xendit_invoice_callback(amount=150000.5)[1],
    "tiny-fraction": xendit_invoice_callback(amount="AMOUNT")[1].replace(b'"AMOUNT"', b"150000.0000000001"),
    "string-amount": xendit_invoice_callback(amount="150000")[1],
    "boolean-amount": xendit_invoice_callback(amount=True)[1],
    "negative-amount": xendit_invoice_callback(amount=-150000)[1],
    "huge-exponent": xendit_invoice_callback(amount="AMOUNT")[1].replace(b'"AMOUNT"', b"1e999999999"),
    "nan-amount": xendit_invoice_callback(amount="AMOUNT")[1].replace(b'"AMOUNT"', b"NaN"),
    "duplicate-key": xendit_invoice_callback()[1].replace(b'{"id"', b'{"amount": 1, "id"'),
    "missing-external-id": xendit_invoice_callback(omit=["external_id"])[1],
    "missing-id": xendit_invoice_callback(omit=["id"])[1],
    "missing-amount": xendit_invoice_callback(status="EXPIRED", omit=["amount"])[1],
    "missing-currency": xendit_invoice_callback(omit=["currency"])[1],
    "numeric-external-id": xendit_invoice_callback(external_id=12)[1],
    "huge-body": xendit_invoice_callback(description="x" * 100_000)[1],
    "event-without-data": b'{"event": "payout.succeeded"}',
    "event-data-array": b'{"event": "payout.succeeded", "data": []}',
    "event-missing-reference": xendit_event_callback(omit=["reference_id"])[1],
    "event-fractional-amount": xendit_event_callback(amount=1.5)[1],
    "event-status-contradicts-name": xendit_event_callback(event="payout.succeeded", status="FAILED")[1],
}


@pytest.mark.parametrize("body", MALFORMED_XENDIT.values(), ids=MALFORMED_XENDIT.keys())
def test_xendit_malformed_callback_is_rejected(xendit_gateway, body):
    with pytest.raises(CallbackRejected) as caught:
        xendit_gateway.parse_callback(headers=TOKEN, body=body)

    assert (caught.value.status, caught.value.code) == (400, "malformed_callback")


def test_xendit_malformed_webhook_id_is_rejected(xendit_gateway):
    with pytest.raises(CallbackRejected) as caught:
        parse_xendit(xendit_gateway, xendit_event_callback(webhook_id="x" * 500))

    assert (caught.value.status, caught.value.code) == (400, "malformed_callback")


@pytest.mark.parametrize("body", [
    xendit_event_callback(event="payment.succeeded")[1],
    xendit_event_callback(event="payout.expired")[1],
    xendit_invoice_callback(status="COMPLETED")[1],
], ids=["payment-event", "unknown-payout-event", "unknown-invoice-status"])
def test_xendit_unsupported_callback_is_rejected(xendit_gateway, body):
    with pytest.raises(CallbackRejected) as caught:
        xendit_gateway.parse_callback(headers=TOKEN, body=body)

    assert (caught.value.status, caught.value.code) == (400, "unsupported_callback")


# --- Midtrans: calls ---

def test_midtrans_checkout_sends_the_snap_transaction(midtrans_gateway, fake_midtrans):
    midtrans_gateway.create_checkout(checkout_request(expires_in=datetime.timedelta(minutes=90, seconds=1)))

    [request] = fake_midtrans.requests
    assert (request.method, request.path) == ("POST", "/snap/v1/transactions")
    assert request.headers["authorization"] == BASIC_MIDTRANS
    assert request.json == {
        "transaction_details": {"order_id": "pay-1", "gross_amount": 150000},
        "customer_details": {"email": "finance@acme.id", "first_name": "Acme Finance"},
        "item_details": [{"id": "pay-1", "price": 150000, "quantity": 1, "name": "Milestone 1: logo"}],
        "callbacks": {"finish": "https://bantu.id/payments/pay-1/done",
                      "error": "https://bantu.id/payments/pay-1/failed"},
        "expiry": {"unit": "minute", "duration": 91},
    }


def test_midtrans_checkout_returns_the_order_id_redirect_url_and_expiry(midtrans_gateway):
    before = datetime.datetime.now(datetime.UTC)
    checkout = midtrans_gateway.create_checkout(checkout_request())
    after = datetime.datetime.now(datetime.UTC)

    assert checkout.gateway_reference == "pay-1"
    assert checkout.checkout_url.startswith("https://app.sandbox.midtrans.com/snap/v4/redirection/")
    assert before + datetime.timedelta(hours=24) <= checkout.expires_at <= after + datetime.timedelta(hours=24)


def test_midtrans_checkout_truncates_the_item_name_to_fifty_characters(midtrans_gateway, fake_midtrans):
    midtrans_gateway.create_checkout(checkout_request(description="d" * 80))

    assert fake_midtrans.requests[0].json["item_details"][0]["name"] == "d" * 50


def test_midtrans_checkout_refused_by_snap_is_a_permanent_error(midtrans_gateway):
    midtrans_gateway.create_checkout(checkout_request())

    with pytest.raises(GatewayError) as caught:
        midtrans_gateway.create_checkout(checkout_request())

    assert (caught.value.status, caught.value.code, caught.value.transient) == (400, "400", False)


def test_midtrans_order_id_that_would_change_the_url_is_refused_without_a_call(midtrans_gateway, fake_midtrans):
    with pytest.raises(GatewayError) as caught:
        midtrans_gateway.create_refund(refund_request(payment_reference="pay-1/../../v1/subscriptions"))

    assert (caught.value.code, caught.value.transient) == ("invalid_request", False)
    assert fake_midtrans.requests == []


def test_midtrans_has_no_payouts(midtrans_gateway, fake_midtrans):
    assert midtrans_gateway.supports_payouts is False
    with pytest.raises(NotImplementedError):
        midtrans_gateway.create_payout(payout_request())
    assert fake_midtrans.requests == []


def test_midtrans_refund_sends_refund_key_amount_and_reason(midtrans_gateway, fake_midtrans):
    midtrans_gateway.create_checkout(checkout_request())

    result = midtrans_gateway.create_refund(refund_request(payment_gateway_reference="pay-1"))

    request = fake_midtrans.requests[-1]
    assert (request.method, request.path) == ("POST", "/v2/pay-1/refund")
    assert request.headers["authorization"] == BASIC_MIDTRANS
    assert request.json == {"refund_key": "refund-1", "amount": 50000, "reason": "Milestone cancelled"}
    assert result == TransferResult(gateway_reference="1001", status=TransferStatus.SUCCEEDED)


def test_midtrans_refund_retried_with_the_same_key_is_the_same_refund(midtrans_gateway, fake_midtrans):
    midtrans_gateway.create_checkout(checkout_request())

    first = midtrans_gateway.create_refund(refund_request())
    second = midtrans_gateway.create_refund(refund_request())

    assert second == first
    assert len(fake_midtrans.orders["pay-1"]["refunds"]) == 1


def test_midtrans_refund_of_an_unpaid_order_is_a_permanent_error(midtrans_gateway, fake_midtrans):
    midtrans_gateway.create_checkout(checkout_request())
    fake_midtrans.set_status("pay-1", "pending")

    with pytest.raises(GatewayError) as caught:
        midtrans_gateway.create_refund(refund_request())

    assert (caught.value.status, caught.value.code, caught.value.transient) == (412, "412", False)


def test_midtrans_refund_answer_that_is_neither_success_nor_error_is_a_failure(midtrans_gateway, fake_midtrans):
    fake_midtrans.fail_next(200, {"status_code": "407", "status_message": "Expired transaction"})

    result = midtrans_gateway.create_refund(refund_request())

    assert result == TransferResult(gateway_reference="refund-1", status=TransferStatus.FAILED,
                                    failure_reason="407 Expired transaction")


@pytest.mark.parametrize(("http_status", "body", "status", "code", "transient"), [
    (500, None, 500, "500", True),
    (503, None, 503, "503", True),
    (429, None, 429, "429", True),
    (401, None, 401, "401", False),
    (200, {"status_code": "404", "status_message": "Transaction doesn't exist."}, 404, "404", False),
    (200, {"status_code": "500", "status_message": "Internal Server Error"}, 500, "500", True),
    (502, b"<html>502 Bad Gateway</html>", None, "unreadable_response", True),
    (200, [], None, "unreadable_response", True),
], ids=["500", "503", "429", "401", "body-404", "body-500", "html-502", "json-array"])
def test_midtrans_error_answers_become_gateway_errors(midtrans_gateway, fake_midtrans, http_status, body, status,
                                                      code, transient):
    fake_midtrans.fail_next(http_status, body)

    with pytest.raises(GatewayError) as caught:
        midtrans_gateway.create_refund(refund_request())

    assert (caught.value.status, caught.value.code, caught.value.transient) == (status, code, transient)


def test_midtrans_wrong_server_key_is_a_permanent_error(fake_midtrans):
    gateway = MidtransGateway(server_key="SB-Mid-server-someone-else", api_url=fake_midtrans.api_url,
                              snap_url=fake_midtrans.snap_url, **FAST)

    with pytest.raises(GatewayError) as caught:
        gateway.create_checkout(checkout_request())

    assert (caught.value.status, caught.value.transient) == (401, False)
    assert fake_midtrans.orders == {}


def test_midtrans_slow_server_times_out_quickly_as_a_transient_error(fake_midtrans):
    gateway = MidtransGateway(server_key=MIDTRANS_SERVER_KEY, api_url=fake_midtrans.api_url,
                              snap_url=fake_midtrans.snap_url, connect_timeout=0.5, read_timeout=0.2)
    fake_midtrans.delay = 5

    started = time.monotonic()
    with pytest.raises(GatewayError) as caught:
        gateway.create_checkout(checkout_request())

    assert time.monotonic() - started < 1
    assert (caught.value.code, caught.value.transient) == ("timeout", True)


def test_midtrans_unreachable_server_is_a_transient_network_error():
    with FakeMidtrans() as stopped:
        api_url, snap_url = stopped.api_url, stopped.snap_url
    gateway = MidtransGateway(server_key=MIDTRANS_SERVER_KEY, api_url=api_url, snap_url=snap_url, **FAST)

    with pytest.raises(GatewayError) as caught:
        gateway.create_checkout(checkout_request())

    assert (caught.value.code, caught.value.transient) == ("network_error", True)


def test_midtrans_urls_apply_to_the_production_environment_too(fake_midtrans):
    gateway = MidtransGateway(server_key=MIDTRANS_SERVER_KEY, is_production=True, api_url=fake_midtrans.api_url,
                              snap_url=fake_midtrans.snap_url, **FAST)

    gateway.create_checkout(checkout_request())

    assert [r.path for r in fake_midtrans.requests] == ["/snap/v1/transactions"]


def test_midtrans_from_settings_reads_the_bantu_settings(settings, fake_midtrans):
    settings.BANTU = {**settings.BANTU, "MIDTRANS_SERVER_KEY": MIDTRANS_SERVER_KEY,
                      "MIDTRANS_IS_PRODUCTION": False, "MIDTRANS_API_URL": fake_midtrans.api_url,
                      "MIDTRANS_SNAP_URL": f"{fake_midtrans.snap_url}/"}

    MidtransGateway.from_settings().create_checkout(checkout_request())

    assert list(fake_midtrans.orders) == ["pay-1"]


# --- Midtrans: notifications ---

def parse_midtrans(gateway, delivery):
    headers, body = delivery
    return gateway.parse_callback(headers=headers, body=body)


@pytest.fixture
def paid_order(midtrans_gateway, fake_midtrans):
    """Order pay-1 created through Snap for 150,000: the status API reports it settled."""
    midtrans_gateway.create_checkout(checkout_request())
    return fake_midtrans.orders["pay-1"]


def test_midtrans_signed_notification_confirmed_by_the_status_api_gives_a_paid_event(
        midtrans_gateway, fake_midtrans, paid_order):
    [event] = parse_midtrans(midtrans_gateway, midtrans_notification(order_id="pay-1"))

    assert event == GatewayEvent(gateway="midtrans", event_id=f"{paid_order['transaction_id']}:settlement",
                                 kind=EventKind.PAYMENT, reference="pay-1", status=PaymentStatus.PAID,
                                 amount=150000, currency="IDR", gateway_reference="pay-1")
    request = fake_midtrans.requests[-1]
    assert (request.method, request.path, request.headers["authorization"]) == (
        "GET", "/v2/pay-1/status", BASIC_MIDTRANS)


def test_midtrans_event_follows_the_status_api_not_the_notification(midtrans_gateway, fake_midtrans, paid_order):
    fake_midtrans.set_status("pay-1", "pending")

    [event] = parse_midtrans(midtrans_gateway, midtrans_notification(transaction_status="settlement"))

    assert (event.status, event.event_id) == (PaymentStatus.PENDING, f"{paid_order['transaction_id']}:pending")


def test_midtrans_amount_and_currency_come_from_the_status_api(midtrans_gateway, fake_midtrans, paid_order):
    fake_midtrans.set_status("pay-1", "settlement", gross_amount=100000, currency="USD")

    [event] = parse_midtrans(midtrans_gateway, midtrans_notification(gross_amount="150000.00"))

    assert (event.amount, event.currency) == (100000, "USD")


@pytest.mark.parametrize(("transaction_status", "fraud_status", "status"), [
    ("settlement", None, PaymentStatus.PAID),
    ("capture", "accept", PaymentStatus.PAID),
    ("capture", "challenge", PaymentStatus.PENDING),
    ("capture", "deny", PaymentStatus.FAILED),
    ("pending", None, PaymentStatus.PENDING),
    ("authorize", None, PaymentStatus.PENDING),
    ("deny", None, PaymentStatus.FAILED),
    ("cancel", None, PaymentStatus.FAILED),
    ("failure", None, PaymentStatus.FAILED),
    ("expire", None, PaymentStatus.EXPIRED),
    ("capture", None, PaymentStatus.PENDING),
    ("capture", ["accept"], PaymentStatus.PENDING),
])
def test_midtrans_transaction_status_is_normalised(midtrans_gateway, fake_midtrans, paid_order, transaction_status,
                                                   fraud_status, status):
    fake_midtrans.set_status("pay-1", transaction_status, fraud_status=fraud_status)

    [event] = parse_midtrans(midtrans_gateway, midtrans_notification(transaction_status=transaction_status))

    assert (event.status, event.event_id) == (status, f"{paid_order['transaction_id']}:{transaction_status}")


@pytest.mark.parametrize("transaction_status", ["refund", "partial_refund", "chargeback", "partial_chargeback"])
def test_midtrans_refunds_and_chargebacks_give_no_event(midtrans_gateway, fake_midtrans, paid_order,
                                                        transaction_status):
    fake_midtrans.set_status("pay-1", transaction_status)

    assert parse_midtrans(midtrans_gateway, midtrans_notification(transaction_status=transaction_status)) == []


def test_midtrans_signature_is_checked_over_the_strings_as_received(midtrans_gateway, fake_midtrans, paid_order):
    # Signed over "150000.00": the same amount written "150000" is another message.
    headers, body = midtrans_notification(gross_amount="150000.00")
    body = body.replace(b'"gross_amount": "150000.00"', b'"gross_amount": "150000"')

    with pytest.raises(CallbackRejected) as caught:
        midtrans_gateway.parse_callback(headers=headers, body=body)

    assert (caught.value.status, caught.value.code) == (401, "invalid_signature")
    assert fake_midtrans.requests_to("GET", "/v2/") == []


@pytest.mark.parametrize("delivery", [
    midtrans_notification(forge_signature=True),
    midtrans_notification(omit=["signature_key"]),
    midtrans_notification(signature_key=""),
    midtrans_notification(signature_key="A" * 128),
    (midtrans_notification()[0],
     midtrans_notification()[1].replace(b'"status_code": "200"', b'"status_code": "201"')),
], ids=["forged", "missing", "empty", "wrong", "status-code-changed"])
def test_midtrans_notification_without_a_valid_signature_is_rejected_unconfirmed(
        midtrans_gateway, fake_midtrans, paid_order, delivery):
    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(midtrans_gateway, delivery)

    assert (caught.value.status, caught.value.code) == (401, "invalid_signature")
    assert fake_midtrans.requests_to("GET", "/v2/") == []


def test_midtrans_notification_is_rejected_when_no_server_key_is_configured(fake_midtrans):
    gateway = MidtransGateway(server_key="", api_url=fake_midtrans.api_url, snap_url=fake_midtrans.snap_url, **FAST)

    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(gateway, midtrans_notification(server_key=""))

    assert (caught.value.status, caught.value.code) == (401, "invalid_signature")


def signed(payload: dict) -> bytes:
    """`payload` with a correct signature over whatever its fields are (so only the malformation is tested)."""
    payload = dict(payload)
    payload["signature_key"] = midtrans_signature(str(payload.get("order_id")), str(payload.get("status_code")),
                                                  str(payload.get("gross_amount")), MIDTRANS_SERVER_KEY)
    return json.dumps(payload).encode()


VALID_NOTIFICATION = json.loads(midtrans_notification()[1])
MALFORMED_MIDTRANS = {
    "bad-json": b'{"order_id": "pay-1"',
    "array": b"[]",
    "unclosed-brackets": b"[" * 5000,
    "deep": b'{"order_id": "pay-1", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    "lone-surrogate": signed(VALID_NOTIFICATION | {"payment_type": "\ud800"}),
    "nul": signed(VALID_NOTIFICATION | {"order_id": "pay-1\x00"}),
    "fractional-amount": signed(VALID_NOTIFICATION | {"gross_amount": "150000.50"}),
    "numeric-amount": signed(VALID_NOTIFICATION | {"gross_amount": 150000}),
    "numeric-status-code": signed(VALID_NOTIFICATION | {"status_code": 200}),
    "missing-order-id": signed({k: v for k, v in VALID_NOTIFICATION.items() if k != "order_id"}),
    "missing-gross-amount": signed({k: v for k, v in VALID_NOTIFICATION.items() if k != "gross_amount"}),
    "order-id-with-slash": signed(VALID_NOTIFICATION | {"order_id": "pay-1/../x"}),
    "numeric-signature": json.dumps(VALID_NOTIFICATION | {"signature_key": 12}).encode(),
    "huge-body": signed(VALID_NOTIFICATION | {"custom_field1": "x" * 100_000}),
}


@pytest.mark.parametrize("body", MALFORMED_MIDTRANS.values(), ids=MALFORMED_MIDTRANS.keys())
def test_midtrans_malformed_notification_is_rejected_unconfirmed(midtrans_gateway, fake_midtrans, body):
    with pytest.raises(CallbackRejected) as caught:
        midtrans_gateway.parse_callback(headers={"Content-Type": "application/json"}, body=body)

    assert (caught.value.status, caught.value.code) == (400, "malformed_callback")
    assert fake_midtrans.requests == []


@pytest.mark.parametrize(("http_status", "body"), [
    (500, None),
    (503, None),
    (200, {"status_code": "404", "status_message": "Transaction doesn't exist."}),
    (502, b"<html>502 Bad Gateway</html>"),
], ids=["500", "503", "not-found", "html-502"])
def test_midtrans_status_api_failing_rejects_with_503(midtrans_gateway, fake_midtrans, paid_order, http_status,
                                                      body):
    fake_midtrans.fail_next(http_status, body)

    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(midtrans_gateway, midtrans_notification())

    assert (caught.value.status, caught.value.code) == (503, "gateway_unavailable")


def test_midtrans_status_api_timing_out_rejects_with_503(fake_midtrans, paid_order):
    gateway = MidtransGateway(server_key=MIDTRANS_SERVER_KEY, api_url=fake_midtrans.api_url,
                              snap_url=fake_midtrans.snap_url, connect_timeout=0.5, read_timeout=0.2)
    fake_midtrans.delay = 5

    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(gateway, midtrans_notification())

    assert (caught.value.status, caught.value.code) == (503, "gateway_unavailable")


def test_midtrans_status_api_down_rejects_with_503():
    with FakeMidtrans() as stopped:
        api_url = stopped.api_url
    gateway = MidtransGateway(server_key=MIDTRANS_SERVER_KEY, api_url=api_url, **FAST)

    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(gateway, midtrans_notification())

    assert (caught.value.status, caught.value.code) == (503, "gateway_unavailable")


def test_midtrans_status_api_about_unknown_order_rejects_with_503(midtrans_gateway, fake_midtrans):
    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(midtrans_gateway, midtrans_notification(order_id="pay-unknown"))

    assert (caught.value.status, caught.value.code) == (503, "gateway_unavailable")
    assert [r.path for r in fake_midtrans.requests] == ["/v2/pay-unknown/status"]


@pytest.mark.parametrize("answer_changes", [
    {"gross_amount": "150000.50"},
    {"order_id": "pay-2"},
    {"transaction_status": "bogus"},
    {"transaction_id": None},
    {"currency": ["IDR"]},
], ids=["fractional-amount", "other-order", "unknown-status", "no-transaction-id", "list-currency"])
def test_midtrans_unusable_status_answer_rejects_with_503(midtrans_gateway, fake_midtrans, paid_order,
                                                          answer_changes):
    answer = {"status_code": "200", "transaction_id": "tx-1", "order_id": "pay-1", "gross_amount": "150000.00",
              "currency": "IDR", "transaction_status": "settlement", "fraud_status": "accept"} | answer_changes
    fake_midtrans.fail_next(200, answer)

    with pytest.raises(CallbackRejected) as caught:
        parse_midtrans(midtrans_gateway, midtrans_notification())

    assert (caught.value.status, caught.value.code) == (503, "gateway_unavailable")
