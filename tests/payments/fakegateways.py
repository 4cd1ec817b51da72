"""Local fakes of the Xendit and Midtrans HTTP APIs, for tests that drive the real SDKs.

Each fake listens on 127.0.0.1 (a free port) in a background thread, records every request, checks Basic auth
(Xendit: the secret key as user name; Midtrans: the server key), and answers with bodies shaped like the real
API's, complete enough for the SDKs' response models (the Xendit invoice model refuses an incomplete invoice).

    with FakeXendit() as xendit:
        gateway = XenditGateway(secret_key=xendit.secret_key, api_url=xendit.url, ...)
        gateway.create_checkout(...)
        xendit.requests[-1].json["external_id"]

Knobs: `fail_next(status, body)` answers the next request(s) with that status and body whatever they ask;
`delay` (seconds) makes every answer wait, for timeout tests (a stop wakes waiting handlers, so teardown stays
quick); Xendit's `payout_status` / `refund_status` set the status new payouts and refunds start in; Midtrans's
`set_status(order_id, ...)` sets what the status API reports (by default an order created through Snap is
`settlement` for the amount it was created with).

The callback helpers at the end build (headers, body) deliveries as Xendit and Midtrans send them.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import hashlib
import itertools
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.localserver import LocalHTTPServer

XENDIT_SECRET_KEY = "xnd_development_bantu_test_key"
XENDIT_CALLBACK_TOKEN = "bantu-test-callback-token"
MIDTRANS_SERVER_KEY = "SB-Mid-server-bantu-test-key"


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received. `headers` has lower-case names; `json` is the parsed body (None when the
    body is empty or not JSON); `path` excludes the query string, which is in `query`."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    json: Any


@dataclasses.dataclass(frozen=True)
class _Answer:
    status: int
    body: Any  # dict/list → JSON; str/bytes → sent as is


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _basic_user(header: str) -> str | None:
    """The user name of a `Basic` Authorization header, or None when absent or unreadable."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user


class _FakeApi:
    """The server, the request log and the knobs shared by both fakes. Subclasses implement `route()`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.delay = 0.0
        self._failures: deque[_Answer] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._server: LocalHTTPServer | None = None

    # --- lifecycle ---
    def start(self) -> _FakeApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle(self)

            def log_message(self, format, *args):
                pass

        self._server = LocalHTTPServer(Handler, name=type(self).__name__)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.close()
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>, no trailing slash."""
        return self._server.origin

    # --- knobs ---
    def fail_next(self, status: int, body: Any = None, *, times: int = 1) -> None:
        """Answer the next `times` requests with `status` and `body` (dict/list as JSON, str/bytes as is; None:
        the API's usual error body for that status). The requests are still recorded."""
        with self._lock:
            for _ in range(times):
                self._failures.append(_Answer(status, self.error_body(status) if body is None else body))

    def recover(self) -> None:
        """Forget the failures `fail_next` queued: the next requests are answered normally."""
        with self._lock:
            self._failures.clear()

    def error_body(self, status: int) -> Any:
        raise NotImplementedError

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # --- request handling ---
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        split = urlsplit(handler.path)
        request = RecordedRequest(method=handler.command, path=unquote(split.path), query=split.query,
                                  headers={name.lower(): value for name, value in handler.headers.items()},
                                  body=body, json=parsed)
        with self._lock:
            self.requests.append(request)
            failure = self._failures.popleft() if self._failures else None
        if self.delay:
            self._stopping.wait(self.delay)
        if failure is not None:
            answer = failure
        elif _basic_user(request.headers.get("authorization", "")) != self.expected_user:
            answer = _Answer(401, self.error_body(401))
        else:
            with self._lock:
                answer = self.route(request)
        self._send(handler, answer)

    expected_user = ""

    def route(self, request: RecordedRequest) -> _Answer:
        raise NotImplementedError

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, answer: _Answer) -> None:
        if isinstance(answer.body, bytes):
            payload, content_type = answer.body, "text/html"
        elif isinstance(answer.body, str):
            payload, content_type = answer.body.encode(), "text/html"
        else:
            payload, content_type = json.dumps(answer.body).encode(), "application/json"
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timeout tests)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}{uuid.uuid4().hex[:20]}"


class FakeXendit(_FakeApi):
    """Xendit's Invoice (`POST /v2/invoices/`, `GET /v2/invoices/{id}`), Payout (`POST /v2/payouts`) and Refund
    (`POST /refunds`) APIs. Created objects are in `invoices`, `payouts` and `refunds`, keyed by id."""

    def __init__(self, *, secret_key: str = XENDIT_SECRET_KEY) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.expected_user = secret_key
        self.payout_status = "ACCEPTED"
        self.refund_status = "PENDING"
        self.invoices: dict[str, dict] = {}
        self.payouts: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self._payouts_by_key: dict[str, str] = {}
        self._refunds_by_key: dict[str, str] = {}

    def error_body(self, status: int) -> Any:
        codes = {400: "API_VALIDATION_ERROR", 401: "INVALID_API_KEY", 403: "REQUEST_FORBIDDEN_ERROR",
                 404: "DATA_NOT_FOUND", 409: "DUPLICATE_ERROR", 429: "RATE_LIMIT_EXCEEDED"}
        code = codes.get(status, "SERVER_ERROR")
        return {"error_code": code, "message": f"Fake Xendit answered {status} {code}"}

    def route(self, request: RecordedRequest) -> _Answer:
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/v2/invoices":
            return self._create_invoice(request.json)
        if request.method == "GET" and path.startswith("/v2/invoices/"):
            invoice = self.invoices.get(path.removeprefix("/v2/invoices/"))
            return _Answer(200, invoice) if invoice else self._not_found("INVOICE_NOT_FOUND_ERROR")
        if request.method == "POST" and path == "/v2/payouts":
            return self._create_payout(request)
        if request.method == "POST" and path == "/refunds":
            return self._create_refund(request)
        return self._not_found("NOT_FOUND")

    @staticmethod
    def _not_found(code: str) -> _Answer:
        return _Answer(404, {"error_code": code, "message": "Not found"})

    @staticmethod
    def _invalid(message: str) -> _Answer:
        return _Answer(400, {"error_code": "API_VALIDATION_ERROR", "message": message})

    def _create_invoice(self, data: Any) -> _Answer:
        if not isinstance(data, dict) or not data.get("external_id") or not isinstance(data.get("amount"),
                                                                                       int | float):
            return self._invalid("external_id and amount are required")
        created = _now()
        invoice_id = uuid.uuid4().hex[:24]
        duration = data.get("invoice_duration") or 86_400
        invoice = {
            "id": invoice_id,
            "external_id": data["external_id"],
            "user_id": "5f9a3fbd571a1c4068aa40ce",
            "status": "PENDING",
            "merchant_name": "Bantu Test",
            "merchant_profile_picture_url": "https://du8nwjtfkinx.cloudfront.net/xendit.png",
            "amount": data["amount"],
            "payer_email": data.get("payer_email"),
            "description": data.get("description"),
            "expiry_date": _iso(created + datetime.timedelta(seconds=duration)),
            "invoice_url": f"https://checkout-staging.xendit.co/web/{invoice_id}",
            "available_banks": [
                {"bank_code": "BCA", "collection_type": "POOL", "transfer_amount": data["amount"],
                 "bank_branch": "Virtual Account", "account_holder_name": "BANTU TEST", "identity_amount": 0},
                {"bank_code": "MANDIRI", "collection_type": "POOL", "transfer_amount": data["amount"],
                 "bank_branch": "Virtual Account", "account_holder_name": "BANTU TEST", "identity_amount": 0},
            ],
            "available_retail_outlets": [{"retail_outlet_name": "ALFAMART"}],
            "available_ewallets": [{"ewallet_type": "OVO"}, {"ewallet_type": "DANA"}],
            "available_qr_codes": [{"qr_code_type": "QRIS"}],
            "available_direct_debits": [{"direct_debit_type": "DD_BRI"}],
            "available_paylaters": [{"paylater_type": "KREDIVO"}],
            "should_exclude_credit_card": False,
            "should_send_email": bool(data.get("should_send_email", False)),
            "success_redirect_url": data.get("success_redirect_url"),
            "failure_redirect_url": data.get("failure_redirect_url"),
            "created": _iso(created),
            "updated": _iso(created),
            "currency": data.get("currency") or "IDR",
        }
        self.invoices[invoice_id] = invoice
        return _Answer(200, invoice)

    def _create_payout(self, request: RecordedRequest) -> _Answer:
        key = request.headers.get("idempotency-key")
        if not key:
            return self._invalid("Idempotency-key header is required")
        if key in self._payouts_by_key:
            return _Answer(200, self.payouts[self._payouts_by_key[key]])
        data = request.json
        properties = data.get("channel_properties") if isinstance(data, dict) else None
        if (not isinstance(properties, dict) or not properties.get("account_number")
                or not data.get("reference_id") or not data.get("channel_code")
                or not isinstance(data.get("amount"), int | float) or not data.get("currency")):
            return self._invalid("reference_id, channel_code, channel_properties, amount and currency are required")
        created = _iso(_now())
        payout = {
            "id": self._new_id("disb-"),
            "amount": data["amount"],
            "channel_code": data["channel_code"],
            "currency": data["currency"],
            "description": data.get("description"),
            "reference_id": data["reference_id"],
            "status": self.payout_status,
            "created": created,
            "updated": created,
            "estimated_arrival_time": created,
            "business_id": "5f9a3fbd571a1c4068aa40cf",
            "channel_properties": properties,
        }
        if self.payout_status == "FAILED":
            payout["failure_code"] = "INVALID_DESTINATION"
        self.payouts[payout["id"]] = payout
        self._payouts_by_key[key] = payout["id"]
        return _Answer(200, payout)

    def _create_refund(self, request: RecordedRequest) -> _Answer:
        key = request.headers.get("idempotency-key")
        if key and key in self._refunds_by_key:
            return _Answer(200, self.refunds[self._refunds_by_key[key]])
        data = request.json
        if not isinstance(data, dict):
            return self._invalid("a JSON object is required")
        invoice = self.invoices.get(data.get("invoice_id") or "")
        if invoice is None:
            return self._not_found("DATA_NOT_FOUND")
        amount = data.get("amount", invoice["amount"])
        if not isinstance(amount, int | float) or amount > invoice["amount"]:
            return _Answer(400, {"error_code": "REFUND_AMOUNT_EXCEEDED",
                                 "message": "The refund amount exceeds the payment amount"})
        created = _iso(_now())
        refund = {
            "id": self._new_id("rfd-"),
            "payment_request_id": None,
            "invoice_id": invoice["id"],
            "payment_id": self._new_id("py-"),
            "amount": amount,
            "payment_method_type": "VIRTUAL_ACCOUNT",
            "channel_code": "BCA",
            "currency": data.get("currency") or invoice["currency"],
            "country": "ID",
            "status": self.refund_status,
            "reason": data.get("reason"),
            "reference_id": data.get("reference_id"),
            "failure_code": "INSUFFICIENT_BALANCE" if self.refund_status == "FAILED" else None,
            "refund_fee_amount": None,
            "created": created,
            "updated": created,
            "metadata": None,
        }
        self.refunds[refund["id"]] = refund
        if key:
            self._refunds_by_key[key] = refund["id"]
        return _Answer(200, refund)


# Midtrans status codes per transaction status, as its status API and notifications carry them.
MIDTRANS_STATUS_CODES = {"capture": "200", "settlement": "200", "pending": "201", "deny": "202", "cancel": "200",
                         "expire": "407", "failure": "202", "refund": "200", "partial_refund": "200",
                         "authorize": "200"}


class FakeMidtrans(_FakeApi):
    """Midtrans's Snap API (`POST {snap_url}/transactions`) and Core API status and refund endpoints
    (`GET {api_url}/v2/{order_id}/status`, `POST {api_url}/v2/{order_id}/refund`), on one server. Orders are in
    `orders`, keyed by order id."""

    def __init__(self, *, server_key: str = MIDTRANS_SERVER_KEY) -> None:
        super().__init__()
        self.server_key = server_key
        self.expected_user = server_key
        self.orders: dict[str, dict] = {}
        self._refund_ids = itertools.count(1001)

    @property
    def api_url(self) -> str:
        return self.url

    @property
    def snap_url(self) -> str:
        return f"{self.url}/snap/v1"

    def error_body(self, status: int) -> Any:
        return {"status_code": str(status), "status_message": f"Fake Midtrans answered {status}",
                "id": str(uuid.uuid4())}

    def set_status(self, order_id: str, transaction_status: str, *, fraud_status: Any = None,
                   gross_amount: int | None = None, currency: str | None = None) -> None:
        """Make the status API report `transaction_status` (and `fraud_status`) for `order_id`, creating the order
        (then `gross_amount` is required) when Snap never saw it."""
        with self._lock:
            order = self.orders.get(order_id)
            if order is None:
                if gross_amount is None:
                    raise ValueError("gross_amount is required for an order Snap never created")
                order = self.orders[order_id] = self._new_order(order_id, gross_amount)
            order["transaction_status"] = transaction_status
            order["fraud_status"] = fraud_status
            if gross_amount is not None:
                order["gross_amount"] = gross_amount
            if currency is not None:
                order["currency"] = currency

    def _new_order(self, order_id: str, gross_amount: int) -> dict:
        return {"order_id": order_id, "gross_amount": gross_amount, "transaction_id": str(uuid.uuid4()),
                "transaction_status": "settlement", "fraud_status": "accept", "currency": "IDR",
                "transaction_time": _now().strftime("%Y-%m-%d %H:%M:%S"), "refunds": {}}

    def route(self, request: RecordedRequest) -> _Answer:
        if request.method == "POST" and request.path == "/snap/v1/transactions":
            return self._create_transaction(request.json)
        parts = request.path.split("/")
        if len(parts) == 4 and parts[1] == "v2" and parts[3] in {"status", "refund"}:
            order = self.orders.get(parts[2])
            if order is None:
                return _Answer(404, {"status_code": "404", "status_message": "Transaction doesn't exist.",
                                     "id": str(uuid.uuid4())})
            if request.method == "GET" and parts[3] == "status":
                return _Answer(200, self._status(order))
            if request.method == "POST" and parts[3] == "refund":
                return self._refund(order, request.json)
        return _Answer(404, {"status_code": "404", "status_message": "The requested resource is not found"})

    def _create_transaction(self, data: Any) -> _Answer:
        details = data.get("transaction_details") if isinstance(data, dict) else None
        if not isinstance(details, dict) or not details.get("order_id") or not isinstance(
                details.get("gross_amount"), int):
            return _Answer(400, {"error_messages": ["transaction_details.order_id is required",
                                                    "transaction_details.gross_amount is required"]})
        items = data.get("item_details") or []
        if items and sum(item["price"] * item["quantity"] for item in items) != details["gross_amount"]:
            return _Answer(400, {"error_messages": [
                "transaction_details.gross_amount is not equal to the sum of item_details"]})
        if details["order_id"] in self.orders:
            return _Answer(400, {"error_messages": ["transaction_details.order_id sudah digunakan"]})
        self.orders[details["order_id"]] = self._new_order(details["order_id"], details["gross_amount"])
        token = str(uuid.uuid4())
        return _Answer(201, {"token": token,
                             "redirect_url": f"https://app.sandbox.midtrans.com/snap/v4/redirection/{token}"})

    def _status(self, order: dict) -> dict:
        status_code = MIDTRANS_STATUS_CODES.get(order["transaction_status"], "200")
        gross_amount = f"{order['gross_amount']}.00"
        answer = {
            "status_code": status_code,
            "status_message": "Success, transaction is found",
            "transaction_id": order["transaction_id"],
            "order_id": order["order_id"],
            "gross_amount": gross_amount,
            "currency": order["currency"],
            "payment_type": "bank_transfer",
            "transaction_time": order["transaction_time"],
            "transaction_status": order["transaction_status"],
            "merchant_id": "G000000001",
            "signature_key": midtrans_signature(order["order_id"], status_code, gross_amount, self.server_key),
            "va_numbers": [{"bank": "bca", "va_number": "12345678901"}],
        }
        if order["fraud_status"] is not None:
            answer["fraud_status"] = order["fraud_status"]
        return answer

    def _refund(self, order: dict, data: Any) -> _Answer:
        if not isinstance(data, dict) or not data.get("refund_key"):
            return _Answer(200, {"status_code": "400", "status_message": "refund_key is required"})
        if data["refund_key"] in order["refunds"]:
            return _Answer(200, order["refunds"][data["refund_key"]])
        if order["transaction_status"] not in {"settlement", "capture", "partial_refund"}:
            return _Answer(200, {"status_code": "412", "status_message":
                                 "Merchant cannot modify the status of the transaction"})
        amount = data.get("amount", order["gross_amount"])
        refunded = sum(int(r["refund_amount"].split(".")[0]) for r in order["refunds"].values())
        if not isinstance(amount, int) or amount + refunded > order["gross_amount"]:
            return _Answer(200, {"status_code": "413", "status_message":
                                 "The request could not be processed due to malformed syntax in the request body"})
        status = "refund" if amount + refunded == order["gross_amount"] else "partial_refund"
        order["transaction_status"] = status
        answer = {
            "status_code": "200",
            "status_message": "Success, refund request is approved",
            "transaction_id": order["transaction_id"],
            "order_id": order["order_id"],
            "gross_amount": f"{order['gross_amount']}.00",
            "currency": order["currency"],
            "payment_type": "bank_transfer",
            "transaction_time": order["transaction_time"],
            "transaction_status": status,
            "refund_chargeback_id": next(self._refund_ids),
            "refund_amount": f"{amount}.00",
            "refund_key": data["refund_key"],
        }
        order["refunds"][data["refund_key"]] = answer
        return _Answer(200, answer)


@pytest.fixture
def fake_xendit():
    """A running FakeXendit (secret key XENDIT_SECRET_KEY)."""
    with FakeXendit() as server:
        yield server


@pytest.fixture
def fake_midtrans():
    """A running FakeMidtrans (server key MIDTRANS_SERVER_KEY)."""
    with FakeMidtrans() as server:
        yield server


# --- callback deliveries ---

def _encode(payload: dict, omit: Iterable[str]) -> bytes:
    for name in omit:
        payload.pop(name, None)
    return json.dumps(payload).encode()


def xendit_invoice_callback(*, invoice_id: str = "665f1c2e8b3a4d0012345678", external_id: str = "pay-1",
                            status: str = "PAID", amount: Any = 150_000, currency: str = "IDR",
                            callback_token: str = XENDIT_CALLBACK_TOKEN, omit: Iterable[str] = (),
                            **fields: Any) -> tuple[dict[str, str], bytes]:
    """An invoice callback as Xendit posts it: (headers, body). `fields` add or replace top-level fields; `omit`
    drops some; `amount` goes into `amount` and (for PAID/SETTLED) `paid_amount`."""
    payload = {
        "id": invoice_id,
        "external_id": external_id,
        "user_id": "5f9a3fbd571a1c4068aa40ce",
        "is_high": False,
        "status": status,
        "merchant_name": "Bantu Test",
        "amount": amount,
        "payer_email": "payer@example.id",
        "description": "Milestone 1",
        "created": "2026-11-19T10:00:00.000Z",
        "updated": "2026-11-19T10:05:00.000Z",
        "currency": currency,
    }
    if status in {"PAID", "SETTLED"}:
        payload |= {"paid_amount": amount, "payment_method": "BANK_TRANSFER", "bank_code": "BCA",
                    "payment_channel": "BCA", "payment_destination": "8860846853111",
                    "paid_at": "2026-11-19T10:05:00.000Z"}
    payload |= fields
    return {"Content-Type": "application/json", "x-callback-token": callback_token}, _encode(payload, omit)


def xendit_event_callback(*, event: str = "payout.succeeded", data_id: str = "disb-0001abc",
                          reference_id: str = "payout-1", status: str | None = None, amount: Any = 150_000,
                          currency: str = "IDR", failure_code: str | None = None, webhook_id: str | None = None,
                          callback_token: str = XENDIT_CALLBACK_TOKEN, omit: Iterable[str] = (),
                          **data_fields: Any) -> tuple[dict[str, str], bytes]:
    """A v2 event (payout.* / refund.*) as Xendit posts it: (headers, body). `status` defaults to the one the
    event name implies; `data_fields` add or replace fields of `data`; `omit` drops fields of `data`;
    `webhook_id` adds the `webhook-id` header."""
    data = {
        "id": data_id,
        "reference_id": reference_id,
        "status": status or event.split(".", 1)[1].upper(),
        "amount": amount,
        "currency": currency,
        "created": "2026-11-19T10:00:00.000Z",
        "updated": "2026-11-19T10:05:00.000Z",
        "business_id": "5f9a3fbd571a1c4068aa40cf",
    }
    if event.startswith("payout."):
        data |= {"channel_code": "ID_BCA", "description": "Bantu withdrawal", "idempotency_key": reference_id}
    else:
        data |= {"invoice_id": "665f1c2e8b3a4d0012345678", "payment_id": "py-0001", "channel_code": "BCA",
                 "payment_method_type": "VIRTUAL_ACCOUNT", "reason": "REQUESTED_BY_CUSTOMER", "country": "ID"}
    if failure_code is not None:
        data["failure_code"] = failure_code
    data |= data_fields
    for name in omit:
        data.pop(name, None)
    headers = {"Content-Type": "application/json", "x-callback-token": callback_token}
    if webhook_id is not None:
        headers["webhook-id"] = webhook_id
    body = {"event": event, "business_id": "5f9a3fbd571a1c4068aa40cf", "created": "2026-11-19T10:05:00.000Z",
            "data": data}
    return headers, json.dumps(body).encode()


def midtrans_signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


def midtrans_notification(*, order_id: str = "pay-1", gross_amount: str = "150000.00",
                          transaction_status: str = "settlement", fraud_status: str | None = "accept",
                          transaction_id: str = "9aed5972-5b6a-401e-894b-a32c91ed1a3a",
                          status_code: str | None = None, server_key: str = MIDTRANS_SERVER_KEY,
                          forge_signature: bool = False, omit: Iterable[str] = (),
                          **fields: Any) -> tuple[dict[str, str], bytes]:
    """An HTTP notification as Midtrans posts it: (headers, body), signed with `server_key` (or, with
    `forge_signature`, with another key). `fields` add or replace fields after signing; `omit` drops some."""
    status_code = status_code or MIDTRANS_STATUS_CODES.get(transaction_status, "200")
    key = "SB-Mid-server-someone-else" if forge_signature else server_key
    payload = {
        "transaction_time": "2026-11-19 17:00:00",
        "transaction_status": transaction_status,
        "transaction_id": transaction_id,
        "status_message": "midtrans payment notification",
        "status_code": status_code,
        "signature_key": midtrans_signature(order_id, status_code, gross_amount, key),
        "payment_type": "bank_transfer",
        "order_id": order_id,
        "merchant_id": "G000000001",
        "gross_amount": gross_amount,
        "currency": "IDR",
        "va_numbers": [{"bank": "bca", "va_number": "12345678901"}],
    }
    if fraud_status is not None:
        payload["fraud_status"] = fraud_status
    payload |= fields
    return {"Content-Type": "application/json"}, _encode(payload, omit)
