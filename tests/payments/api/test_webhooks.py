"""Callbacks move money once, and only when they are authentic and match: replays, forgeries, mismatches, unknown
references and malformed bodies change nothing and get a clear 4xx."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from payments.models import Account, Entry, Payment, Payout, Refund, Transaction, WebhookEvent
from payments.services.escrow import payments_expire_due
from proposals.models import Milestone
from tests.problems import assert_problem

from ..fakegateways import midtrans_notification, xendit_event_callback, xendit_invoice_callback
from ..helpers import balance, deliver, fund, ledger_balanced, milestone_url


@pytest.fixture
def pending(as_user, owner, milestone, xendit):
    """A pending Xendit payment of the 1,000,000 milestone."""
    return Payment.objects.get(pk=fund(as_user(owner), milestone.pk).json()["id"])


def _paid(payment, **overrides):
    values = {"invoice_id": payment.gateway_reference, "external_id": payment.external_id,
              "amount": payment.amount}
    return xendit_invoice_callback(**{**values, **overrides})


def _money_state():
    return {"transactions": Transaction.objects.count(), "entries": Entry.objects.count(),
            "payments": list(Payment.objects.values_list("status", flat=True)),
            "milestones": list(Milestone.objects.order_by("position").values_list("status", flat=True)),
            "applied": WebhookEvent.objects.filter(outcome="applied").count()}


def test_a_callback_replayed_100_times_credits_once(api, pending, milestone):
    headers, body = _paid(pending)

    outcomes = [deliver(api, "xendit", headers, body).json()["outcome"] for _ in range(100)]

    assert outcomes == ["applied"] + ["duplicate"] * 99
    assert balance(f"escrow:{milestone.pk}") == 1_000_000
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYMENT_CAPTURED).count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.ESCROW_FUNDED).count() == 1
    assert WebhookEvent.objects.filter(outcome="applied").count() == 1
    ledger_balanced()


def test_settled_after_paid_is_the_same_event(api, pending):
    deliver(api, "xendit", *_paid(pending))

    response = deliver(api, "xendit", *_paid(pending, status="SETTLED"))

    assert response.json() == {"outcome": "duplicate"}
    assert Transaction.objects.count() == 2


@pytest.mark.parametrize(("overrides", "status", "code"), [
    ({"callback_token": "forged-token"}, 401, "invalid_callback_token"),
    ({"amount": 999_999}, 422, "amount_mismatch"),
    ({"amount": 1_000_001}, 422, "amount_mismatch"),
    ({"currency": "USD"}, 422, "currency_mismatch"),
    ({"external_id": "01a22b35-0000-7000-8000-000000000000"}, 404, "unknown_reference"),
    ({"amount": 1_000_000.5}, 400, "malformed_callback"),
    ({"amount": "1000000"}, 400, "malformed_callback"),
    ({"omit": ["external_id"]}, 400, "malformed_callback"),
    ({"status": "REFUNDED"}, 400, "unsupported_callback"),
], ids=["forged", "short", "over", "currency", "unknown", "fraction", "string-amount", "missing-id", "status"])
def test_a_bad_callback_changes_nothing_and_is_recorded(api, pending, overrides, status, code):
    before = _money_state()

    response = deliver(api, "xendit", *_paid(pending, **overrides))

    assert_problem(response, status, code)
    assert _money_state() == before
    rejected = WebhookEvent.objects.get()
    assert (rejected.outcome, rejected.http_status) == ("rejected", status)
    assert rejected.detail.startswith(code)


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b"[" * 5000 + b"]" * 5000,
                                  b'{"id": "\\ud800", "external_id": "x"}', b'{"id": "a\\u0000b"}',
                                  b'{"id": 1, "id": 2}', b"\xff\xfe", b"{" + b'"a": 1, ' * 20_000 + b'"b": 2}'],
                         ids=["empty", "text", "array", "deep", "surrogate", "nul", "duplicate-key", "bytes", "huge"])
def test_malformed_bodies_are_400_and_change_nothing(api, pending, body):
    headers, _ = _paid(pending)
    before = _money_state()

    response = deliver(api, "xendit", headers, body)

    assert_problem(response, 400, "malformed_callback")
    assert _money_state() == before


def test_expired_invoice_marks_the_payment_and_the_milestone_can_be_funded_again(api, as_user, owner, pending,
                                                                                milestone, commit):
    with commit():
        response = deliver(api, "xendit", *_paid(pending, status="EXPIRED"))

    assert response.json() == {"outcome": "applied"}
    assert Payment.objects.get(pk=pending.pk).status == Payment.Status.EXPIRED
    assert Notification.objects.filter(user=owner, kind="payment.expired").count() == 1
    assert fund(as_user(owner), milestone.pk).status_code == 201


def test_the_sweep_expires_lapsed_checkouts(pending, commit):
    Payment.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    with commit():
        closed = payments_expire_due()

    assert closed == 1
    assert Payment.objects.get(pk=pending.pk).status == Payment.Status.EXPIRED


def test_money_arriving_after_expiry_is_still_captured_and_funds_the_milestone(api, pending, milestone):
    payments_expire_due(now=timezone.now() + datetime.timedelta(days=2))

    response = deliver(api, "xendit", *_paid(pending))

    assert response.json() == {"outcome": "applied"}
    assert Payment.objects.get(pk=pending.pk).status == Payment.Status.PAID
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED


def test_a_milestone_paid_twice_refunds_the_second_payment(api, as_user, owner, pending, milestone, xendit, commit):
    payments_expire_due(now=timezone.now() + datetime.timedelta(days=2))
    second = Payment.objects.get(pk=fund(as_user(owner), milestone.pk).json()["id"])
    deliver(api, "xendit", *_paid(second))

    with commit():
        late = deliver(api, "xendit", *_paid(pending))

    assert late.json() == {"outcome": "applied"}
    assert Payment.objects.get(pk=pending.pk).applied_to_escrow is False
    assert balance(f"escrow:{milestone.pk}") == 1_000_000
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount) == (pending.pk, 1_000_000)
    [call] = xendit.requests_to("POST", "/refunds")
    assert call.json["invoice_id"] == pending.gateway_reference
    assert balance(f"company:{milestone.contract.company_id}") == 0
    ledger_balanced()


def test_xendit_refund_failure_returns_the_money_to_the_company_funding_account(api, as_user, owner, freelancer,
                                                                                 operator, pending, milestone,
                                                                                 xendit, commit):
    from payments.services.escrow import dispute_resolve

    deliver(api, "xendit", *_paid(pending))
    dispute_id = as_user(freelancer).post(milestone_url(milestone.pk, "dispute"),
                                          {"reason": "Klien membatalkan proyek."}, format="json").json()["id"]
    with commit():
        dispute_resolve(dispute_id=dispute_id, operator=operator, resolution="refund", note="Dibatalkan klien.")
    refund = Refund.objects.get()

    headers, body = xendit_event_callback(event="refund.failed", data_id=refund.gateway_reference,
                                          reference_id=str(refund.pk), amount=1_000_000,
                                          failure_code="INSUFFICIENT_BALANCE")
    response = deliver(api, "xendit", headers, body)

    assert response.json() == {"outcome": "applied"}
    refund.refresh_from_db()
    assert (refund.status, refund.failure_reason) == (Refund.Status.FAILED, "INSUFFICIENT_BALANCE")
    assert balance(f"company:{milestone.contract.company_id}") == 1_000_000
    assert balance("refunds_in_transit") == 0
    ledger_balanced()


def test_a_reversed_payout_returns_the_money_to_the_wallet(api, as_user, owner, freelancer, pending, milestone,
                                                           xendit):
    deliver(api, "xendit", *_paid(pending))
    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")
    payout_id = as_user(freelancer).post("/api/v1/payouts/", {
        "amount": 900_000, "bank_code": "BNI", "account_number": "0123456789",
        "account_holder_name": "Dewi Lestari"}, format="json").json()["id"]
    succeeded = xendit_event_callback(event="payout.succeeded", data_id="disb-1", reference_id=payout_id,
                                      amount=900_000)
    deliver(api, "xendit", *succeeded)
    assert balance(f"wallet:{freelancer.pk}") == 0

    reversed_ = xendit_event_callback(event="payout.reversed", data_id="disb-1", reference_id=payout_id,
                                      amount=900_000, failure_code="REJECTED_BY_BANK")
    response = deliver(api, "xendit", *reversed_)

    assert response.json() == {"outcome": "applied"}
    assert Payout.objects.get().status == Payout.Status.REVERSED
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    assert deliver(api, "xendit", *reversed_).json() == {"outcome": "duplicate"}
    ledger_balanced()


def test_a_payout_callback_with_the_wrong_amount_changes_nothing(api, as_user, owner, freelancer, pending,
                                                                 milestone, xendit):
    deliver(api, "xendit", *_paid(pending))
    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")
    payout_id = as_user(freelancer).post("/api/v1/payouts/", {
        "amount": 900_000, "bank_code": "BNI", "account_number": "0123456789",
        "account_holder_name": "Dewi Lestari"}, format="json").json()["id"]

    response = deliver(api, "xendit", *xendit_event_callback(event="payout.failed", data_id="disb-1",
                                                             reference_id=payout_id, amount=9_000_000))

    assert_problem(response, 422, "amount_mismatch")
    assert Payout.objects.get().status == Payout.Status.PROCESSING
    assert balance(f"wallet:{freelancer.pk}") == 0


def test_midtrans_forged_signature_changes_nothing(api, as_user, owner, milestone, midtrans):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    before = _money_state()

    response = deliver(api, "midtrans", *midtrans_notification(order_id=payment_id, gross_amount="1000000.00",
                                                                forge_signature=True))

    assert_problem(response, 401, "invalid_signature")
    assert _money_state() == before
    assert not midtrans.requests_to("GET", "/v2/")


def test_midtrans_status_api_down_is_503_for_the_gateway_to_retry(api, as_user, owner, milestone, midtrans):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    midtrans.fail_next(500, times=5)

    response = deliver(api, "midtrans", *midtrans_notification(order_id=payment_id, gross_amount="1000000.00"))

    assert_problem(response, 503, "gateway_unavailable")
    assert response["Retry-After"] == "60"
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.PENDING
    midtrans.recover()
    retried = deliver(api, "midtrans", *midtrans_notification(order_id=payment_id, gross_amount="1000000.00"))
    assert retried.json() == {"outcome": "applied"}


def test_midtrans_wrong_gross_amount_is_refused_after_confirmation(api, as_user, owner, milestone, midtrans):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    midtrans.set_status(payment_id, "settlement", gross_amount=1)

    response = deliver(api, "midtrans", *midtrans_notification(order_id=payment_id, gross_amount="1.00"))

    assert_problem(response, 422, "amount_mismatch")
    assert not Account.objects.filter(kind="escrow").exists()


def test_callbacks_for_another_gateway_do_not_match_payments(api, as_user, owner, milestone, xendit):
    sandbox_paid = Payment.objects.create(
        milestone=milestone, contract=milestone.contract, company=milestone.contract.company, payer=owner,
        payee=milestone.contract.freelancer, gateway="sandbox", amount=1_000_000, external_id="sandbox-ref")

    response = deliver(api, "xendit", *_paid(sandbox_paid, invoice_id="inv-1"))

    assert_problem(response, 404, "unknown_reference")
