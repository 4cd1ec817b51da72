"""Bad input to the money endpoints is a clear 4xx problem (PRODUCT.md §3), never a 500, and changes nothing.

Covers payouts, fund, submit/approve/dispute in the wrong state, Idempotency-Key, the sandbox checkout and the
gateway callbacks (docs/payments.md). Refusals are checked with `assert_refused` (tests/payments/
test_authorization.py): no payment, payout, dispute, ledger line, idempotency record or notification appears, and
milestone states and balances stay as they were."""

import json

import pytest
from rest_framework.test import APIClient

from bantu.core.models import IdempotencyRecord
from notifications.models import Notification
from payments.models import Account, Payment, Payout, Transaction, WebhookEvent
from payments.services import escrow
from proposals.models import Milestone
from tests.conftest import client_for
from tests.factories import FreelancerProfileFactory
from tests.problems import assert_problem

from ..fakegateways import MIDTRANS_SERVER_KEY, XENDIT_CALLBACK_TOKEN, midtrans_notification, xendit_invoice_callback
from ..helpers import API, assert_refused, fund, make_contract, milestone_url, pay, post, release, sandbox_pay

pytestmark = pytest.mark.django_db

PAYOUTS = f"{API}/payouts/"
VALID_PAYOUT = {"amount": 100_000, "bank_code": "BCA", "account_number": "1234567890",
                "account_holder_name": "Budi Santoso"}
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
AMOUNT_RANGE = {"amount": ["Must be between 50000 and 100000000."]}


def checkout_url(payment_id) -> str:
    return f"{API}/payments/sandbox/{payment_id}/pay/"


def raw(client, url, body: bytes, **extra):
    """POST bytes as they are (e.g. JSON no encoder would produce)."""
    return client.post(url, data=body, content_type="application/json", **extra)


def no_crash(client):
    """A client that answers a server error as a response (to assert on) instead of raising it."""
    client.raise_request_exception = False
    return client


def wallet_balance(user) -> int:
    return Account.objects.get(key=f"wallet:{user.pk}").balance


# --- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def wallet(owner, freelancer, milestone):
    """`freelancer` has 900,000 available (1,000,000 released minus the 10% fee)."""
    release(owner, milestone.pk)
    return freelancer


@pytest.fixture
def milestone_in(owner, freelancer, milestone):
    """`milestone_in(status)`: the contract's first milestone, moved by the services to `status`."""

    def drive(status: str) -> Milestone:
        if status != "pending":
            pay(owner, milestone.pk)
        if status == "submitted":
            escrow.milestone_submit(milestone_id=milestone.pk, actor=freelancer)
        if status == "released":
            escrow.milestone_approve(milestone_id=milestone.pk, actor=owner)
        if status == "disputed":
            escrow.milestone_dispute(milestone_id=milestone.pk, actor=freelancer, reason="Belum sesuai brief.")
        milestone.refresh_from_db()
        assert milestone.status == status
        return milestone

    return drive


@pytest.fixture
def pending_payment(owner, milestone):
    return str(escrow.milestone_fund(milestone_id=milestone.pk, actor=owner).pk)


# --- payouts: amount --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "code", "errors"), [
    (49_999, "payout_amount_out_of_range", AMOUNT_RANGE),
    (100_000_001, "payout_amount_out_of_range", AMOUNT_RANGE),
    (10**30, "payout_amount_out_of_range", AMOUNT_RANGE),
    (0, "validation_error", {"amount": ["Ensure this value is greater than or equal to 1."]}),
    (-100_000, "validation_error", {"amount": ["Ensure this value is greater than or equal to 1."]}),
    (100_000.5, "validation_error", {"amount": ["A valid integer is required."]}),
    ("seratus ribu", "validation_error", {"amount": ["A valid integer is required."]}),
    (True, "validation_error", {"amount": ["A valid integer is required."]}),
    (None, "validation_error", {"amount": ["This field may not be null."]}),
    ([100_000], "validation_error", {"amount": ["A valid integer is required."]}),
], ids=["below-minimum", "above-maximum", "huge", "zero", "negative", "fraction", "words", "bool", "null", "list"])
def test_payout_amount_out_of_range_or_not_an_integer_is_400(as_user, wallet, amount, code, errors,
                                                               django_capture_on_commit_callbacks):
    client = as_user(wallet)

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: client.post(PAYOUTS, VALID_PAYOUT | {"amount": amount}, format="json"), 400, code, errors)
    assert wallet_balance(wallet) == 900_000


@pytest.mark.parametrize("amount", ["100000", 100_000.0], ids=["numeric-string", "float"])
def test_payout_amount_must_be_a_json_integer(as_user, wallet, amount):
    response = as_user(wallet).post(PAYOUTS, VALID_PAYOUT | {"amount": amount}, format="json")

    assert_problem(response, 400, "validation_error", {"amount": ["A valid integer is required."]})
    assert not Payout.objects.exists()


def test_payout_above_the_available_balance_is_409(as_user, wallet, django_capture_on_commit_callbacks):
    client = as_user(wallet)

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: client.post(PAYOUTS, VALID_PAYOUT | {"amount": 900_001}, format="json"), 409,
                   "insufficient_balance")
    assert not Payout.objects.exists()
    assert wallet_balance(wallet) == 900_000


def test_payout_of_the_whole_balance_is_accepted(as_user, wallet):
    response = as_user(wallet).post(PAYOUTS, VALID_PAYOUT | {"amount": 900_000}, format="json")

    assert response.status_code == 201, response.content
    assert wallet_balance(wallet) == 0


def test_payout_limits_are_inclusive(as_user, wallet):
    client = as_user(wallet)

    assert client.post(PAYOUTS, VALID_PAYOUT | {"amount": 50_000}, format="json").status_code == 201
    # PAYOUT_MAXIMUM itself passes the range check and is refused only for the balance.
    assert_problem(client.post(PAYOUTS, VALID_PAYOUT | {"amount": 100_000_000}, format="json"), 409,
                   "insufficient_balance")
    assert wallet_balance(wallet) == 850_000


def test_payout_with_an_empty_wallet_is_409(as_user, freelancer):
    response = as_user(freelancer).post(PAYOUTS, VALID_PAYOUT, format="json")

    assert_problem(response, 409, "insufficient_balance")
    assert not Payout.objects.exists()


# --- payouts: bank account --------------------------------------------------------------------------------------


DIGITS_ONLY = ["Digits only."]
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + int(digit)) for digit in "1234567890")


@pytest.mark.parametrize(("changes", "errors"), [
    ({"bank_code": "XYZ"}, {"bank_code": ["\"XYZ\" is not a valid choice."]}),
    ({"bank_code": "bca"}, {"bank_code": ["\"bca\" is not a valid choice."]}),
    ({"bank_code": ""}, {"bank_code": ["\"\" is not a valid choice."]}),
    ({"account_number": "12345abcde"}, {"account_number": DIGITS_ONLY}),
    ({"account_number": "123 456 7890"}, {"account_number": DIGITS_ONLY}),
    ({"account_number": "١٢٣٤٥٦٧٨٩٠"}, {"account_number": DIGITS_ONLY}),
    ({"account_number": FULLWIDTH_DIGITS}, {"account_number": DIGITS_ONLY}),
    ({"account_number": "-123456789"}, {"account_number": DIGITS_ONLY}),
    ({"account_number": 1234567890}, {"account_number": ["Must be a string."]}),
    ({"account_number": "123456789"}, {"account_number": ["Bank Central Asia (BCA) account numbers have 10 digits."]}),
    ({"account_number": "12345678901"},
     {"account_number": ["Bank Central Asia (BCA) account numbers have 10 digits."]}),
    ({"bank_code": "BRI", "account_number": "1234567890"},
     {"account_number": ["Bank Rakyat Indonesia (BRI) account numbers have 15 digits."]}),
    ({"bank_code": "MANDIRI", "account_number": "1234567890"},
     {"account_number": ["Bank Mandiri account numbers have 13 digits."]}),
    ({"bank_code": "CIMB", "account_number": "12345678901"},
     {"account_number": ["CIMB Niaga account numbers have 12 to 14 digits."]}),
    ({"account_number": "1" * 17}, {"account_number": ["Ensure this field has no more than 16 characters."]}),
], ids=["unknown-bank", "lowercase-bank", "empty-bank", "letters", "spaces", "arabic-indic-digits",
        "fullwidth-digits", "minus-sign", "number-not-string", "bca-9", "bca-11", "bri-10", "mandiri-10", "cimb-11",
        "17-digits"])
def test_payout_to_an_invalid_bank_account_is_400(as_user, wallet, changes, errors,
                                                    django_capture_on_commit_callbacks):
    client = as_user(wallet)

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: client.post(PAYOUTS, VALID_PAYOUT | changes, format="json"), 400, "validation_error", errors)


@pytest.mark.parametrize(("bank_code", "account_number"), [("BRI", "123456789012345"), ("MANDIRI", "1234567890123"),
                                                           ("CIMB", "12345678901234")])
def test_payout_accepts_each_banks_own_length(as_user, wallet, bank_code, account_number):
    body = VALID_PAYOUT | {"bank_code": bank_code, "account_number": account_number}

    response = as_user(wallet).post(PAYOUTS, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["account_number"] == f"••••{account_number[-4:]}"


LETTERS_ONLY = ["Letters, spaces and . , ' - only."]


@pytest.mark.parametrize(("name", "errors"), [
    ("Budi Santoso 2", LETTERS_ONLY),
    ("", ["This field may not be blank."]),
    ("   ", LETTERS_ONLY),  # not trimmed: the name as sent must match the schema's pattern
    ("B", ["Ensure this field has at least 3 characters."]),
    ("B" * 101, ["Ensure this field has no more than 100 characters."]),
    ("Budi 😀", LETTERS_ONLY),
    ("<script>", LETTERS_ONLY),
    (["Budi"], ["Must be a string."]),
], ids=["digits", "empty", "blank", "one-char", "101-chars", "emoji", "markup", "list"])
def test_payout_with_an_invalid_holder_name_is_400(as_user, wallet, name, errors,
                                                     django_capture_on_commit_callbacks):
    client = as_user(wallet)
    body = VALID_PAYOUT | {"account_holder_name": name}

    assert_refused(django_capture_on_commit_callbacks, lambda: client.post(PAYOUTS, body, format="json"), 400,
                   "validation_error", {"account_holder_name": errors})


@pytest.mark.parametrize("name", ["Siti Nur'aini", "R.A. Kartini", "Ni Luh Putu-Ayu", "Đặng Thị Hà", "Bob"])
def test_payout_accepts_real_holder_names(as_user, wallet, name):
    response = as_user(wallet).post(PAYOUTS, VALID_PAYOUT | {"account_holder_name": name}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["account_holder_name"] == name


# --- payouts: the body itself -----------------------------------------------------------------------------------


def test_payout_with_an_unknown_field_is_400(as_user, wallet, django_capture_on_commit_callbacks):
    client = as_user(wallet)
    body = VALID_PAYOUT | {"fee": 0}

    assert_refused(django_capture_on_commit_callbacks, lambda: client.post(PAYOUTS, body, format="json"), 400,
                   "validation_error", {"fee": ["Unknown field."]})


def test_payout_with_missing_fields_is_400(as_user, wallet):
    required = ["This field is required."]

    assert_problem(as_user(wallet).post(PAYOUTS, {}, format="json"), 400, "validation_error",
                   {"amount": required, "bank_code": required, "account_number": required,
                    "account_holder_name": required})


def test_payout_with_a_json_array_body_is_400(as_user, wallet, django_capture_on_commit_callbacks):
    client = as_user(wallet)

    assert_refused(django_capture_on_commit_callbacks, lambda: client.post(PAYOUTS, [VALID_PAYOUT], format="json"),
                   400, "validation_error", {"non_field_errors": ["Expected a JSON object."]})


def test_payout_with_malformed_json_is_400(as_user, wallet):
    assert_problem(raw(as_user(wallet), PAYOUTS, b'{"amount": 100000,'), 400, "parse_error")
    assert not Payout.objects.exists()


def test_payout_as_a_form_is_415(as_user, wallet):
    response = as_user(wallet).post(PAYOUTS, "amount=100000&bank_code=BCA",
                                    content_type="application/x-www-form-urlencoded")

    assert_problem(response, 415, "unsupported_media_type")
    assert not Payout.objects.exists()


def test_payout_body_over_the_upload_limit_is_413(as_user, wallet, settings):
    body = json.dumps(VALID_PAYOUT | {"account_holder_name": "B" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()

    assert_problem(raw(as_user(wallet), PAYOUTS, body), 413, "payload_too_large")
    assert not Payout.objects.exists()
    assert wallet_balance(wallet) == 900_000


# --- bodies the JSON parser refuses, on every money endpoint that reads one -------------------------------------


UNREADABLE = {
    "truncated": b'{"amount": 100000,',
    "deeply-nested": DEEP_JSON,
    "lone-surrogate-in-a-value": b'{"account_holder_name": "Budi \\ud800", "outcome": "\\ud800"}',
    "lone-surrogate-in-a-choice": b'{"bank_code": "\\udfff", "gateway": "\\udfff", "outcome": "\\udfff"}',
    "lone-surrogate-in-a-key": b'{"\\ud800": 1}',
    "nul": b'{"account_holder_name": "Bu\\u0000di", "note": "\\u0000", "reason": "\\u0000"}',
    "duplicate-key": b'{"amount": 100000, "amount": 900000}',
    "nan": b'{"amount": NaN}',
    "invalid-utf-8": b'{"account_holder_name": "\xff\xfe"}',
}


@pytest.fixture
def endpoints(company, owner, wallet):
    """(client, url) of each money endpoint that parses a JSON body, each with its object in a state where a
    valid body would succeed: a pending milestone to fund, a funded one to submit or dispute, an open checkout."""
    contract = make_contract(company, owner, wallet, amounts=(300_000, 400_000, 500_000), title="Desain Kemasan")
    to_fund, funded, checkout = contract.milestones.order_by("position")
    pay(owner, funded.pk)
    payment = escrow.milestone_fund(milestone_id=checkout.pk, actor=owner).pk
    return {
        "payouts": (client_for(wallet), PAYOUTS),
        "fund": (client_for(owner), milestone_url(to_fund.pk, "fund")),
        "submit": (client_for(wallet), milestone_url(funded.pk, "submit")),
        "dispute": (client_for(wallet), milestone_url(funded.pk, "dispute")),
        "sandbox-pay": (APIClient(), checkout_url(payment)),
    }


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_json_payout_is_400_and_changes_nothing(endpoints, body, django_capture_on_commit_callbacks):
    client, url = endpoints["payouts"]

    assert_refused(django_capture_on_commit_callbacks, lambda: raw(no_crash(client), url, body), 400, "parse_error")


@pytest.mark.parametrize("body", ["deeply-nested", "lone-surrogate-in-a-choice", "nul"])
@pytest.mark.parametrize("endpoint", ["fund", "submit", "dispute", "sandbox-pay"])
def test_unreadable_json_is_400_on_every_money_endpoint(endpoints, endpoint, body,
                                                        django_capture_on_commit_callbacks):
    client, url = endpoints[endpoint]

    assert_refused(django_capture_on_commit_callbacks, lambda: raw(no_crash(client), url, UNREADABLE[body]), 400,
                   "parse_error")


# --- fund -------------------------------------------------------------------------------------------------------


def test_fund_with_an_unknown_field_is_400(as_user, owner, milestone, django_capture_on_commit_callbacks):
    client = as_user(owner)

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, milestone.pk, "fund", {"amount": 1}),
                   400, "validation_error", {"amount": ["Unknown field."]})


def test_fund_through_an_unconfigured_gateway_is_400(as_user, owner, milestone, django_capture_on_commit_callbacks):
    client = as_user(owner)

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: post(client, milestone.pk, "fund", {"gateway": "xendit"}), 400, "gateway_not_configured",
                   {"gateway": ["Choose one of: sandbox."]})


def test_fund_through_an_unknown_gateway_is_400(as_user, owner, milestone):
    response = post(as_user(owner), milestone.pk, "fund", {"gateway": "paypal"})

    assert_problem(response, 400, "validation_error", {"gateway": ["\"paypal\" is not a valid choice."]})
    assert not Payment.objects.exists()


def test_sandbox_is_not_offered_beside_a_real_gateway(as_user, owner, milestone, settings):
    settings.BANTU = settings.BANTU | {"XENDIT_SECRET_KEY": "xnd_development_not_used"}

    response = post(as_user(owner), milestone.pk, "fund", {"gateway": "sandbox"})

    assert_problem(response, 400, "gateway_not_configured", {"gateway": ["Choose one of: xendit."]})
    assert not Payment.objects.exists()


def test_fund_twice_is_409_payment_pending(as_user, owner, milestone, pending_payment,
                                           django_capture_on_commit_callbacks):
    client = as_user(owner)

    assert_refused(django_capture_on_commit_callbacks, lambda: fund(client, milestone.pk), 409, "payment_pending")
    assert list(Payment.objects.values_list("pk", flat=True)) == [Payment.objects.get(pk=pending_payment).pk]


def test_fund_a_funded_milestone_is_409(as_user, owner, milestone_in, django_capture_on_commit_callbacks):
    milestone = milestone_in("funded")
    client = as_user(owner)

    assert_refused(django_capture_on_commit_callbacks, lambda: fund(client, milestone.pk), 409,
                   "milestone_already_funded")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("status", ["submitted", "released", "disputed"])
def test_fund_a_milestone_past_funding_is_409(as_user, owner, milestone_in, status):
    milestone = milestone_in(status)

    assert_problem(fund(as_user(owner), milestone.pk), 409, "milestone_already_funded")
    assert Payment.objects.count() == 1


def test_fund_again_after_a_failed_checkout(as_user, api, owner, milestone, pending_payment):
    assert sandbox_pay(api, pending_payment, "failed").json()["status"] == "failed"

    response = fund(as_user(owner), milestone.pk)

    assert response.status_code == 201, response.content
    assert response.json()["id"] != pending_payment
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["failed", "pending"]


# --- submit, approve, dispute in the wrong state ----------------------------------------------------------------


@pytest.mark.parametrize(("status", "code"), [
    ("pending", "milestone_not_funded"), ("submitted", "milestone_not_submittable"),
    ("released", "milestone_not_submittable"), ("disputed", "milestone_not_submittable"),
])
def test_submit_in_the_wrong_state_is_409(as_user, freelancer, milestone_in, status, code,
                                          django_capture_on_commit_callbacks):
    milestone = milestone_in(status)
    client = as_user(freelancer)

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, milestone.pk, "submit", {}), 409, code)


@pytest.mark.parametrize(("status", "code"), [
    ("pending", "milestone_not_funded"), ("released", "milestone_not_approvable"),
    ("disputed", "milestone_not_approvable"),
])
def test_approve_in_the_wrong_state_is_409(as_user, owner, milestone_in, status, code,
                                           django_capture_on_commit_callbacks):
    milestone = milestone_in(status)
    client = as_user(owner)

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, milestone.pk, "approve"), 409, code)


def test_approve_a_submitted_milestone_releases_it(as_user, owner, freelancer, milestone_in):
    milestone = milestone_in("submitted")

    response = post(as_user(owner), milestone.pk, "approve")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "released"
    assert wallet_balance(freelancer) == 900_000


@pytest.mark.parametrize("status", ["pending", "released", "disputed"])
def test_dispute_in_the_wrong_state_is_409(as_user, owner, milestone_in, status, django_capture_on_commit_callbacks):
    milestone = milestone_in(status)
    client = as_user(owner)
    body = {"reason": "Pekerjaan tidak pernah dikirim."}

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, milestone.pk, "dispute", body), 409,
                   "milestone_not_disputable")


@pytest.mark.parametrize(("body", "errors"), [
    ({"reason": "Jelek."}, {"reason": ["Ensure this field has at least 10 characters."]}),
    ({"reason": "x" * 5_001}, {"reason": ["Ensure this field has no more than 5000 characters."]}),
    ({"reason": " " * 20}, {"reason": ["This field may not be blank."]}),
    ({}, {"reason": ["This field is required."]}),
    ({"reason": 1234567890123}, {"reason": ["Must be a string."]}),
    ({"reason": "Pekerjaan belum sesuai brief.", "side": "freelancer"}, {"side": ["Unknown field."]}),
], ids=["too-short", "too-long", "blank", "missing", "number", "unknown-field"])
def test_dispute_with_a_bad_reason_is_400(as_user, freelancer, milestone_in, body, errors,
                                          django_capture_on_commit_callbacks):
    milestone = milestone_in("funded")
    client = as_user(freelancer)

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, milestone.pk, "dispute", body), 400,
                   "validation_error", errors)


@pytest.mark.parametrize(("body", "errors"), [
    ({"note": "Selesai", "files": []}, {"files": ["Unknown field."]}),
    ({"note": 42}, {"note": ["Must be a string."]}),
    ({"note": "x" * 5_001}, {"note": ["Ensure this field has no more than 5000 characters."]}),
], ids=["unknown-field", "number", "too-long"])
def test_submit_with_bad_input_is_400(as_user, freelancer, milestone_in, body, errors,
                                      django_capture_on_commit_callbacks):
    milestone = milestone_in("funded")
    client = as_user(freelancer)

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, milestone.pk, "submit", body), 400,
                   "validation_error", errors)


def test_longest_allowed_texts_are_stored_and_announced(as_user, owner, freelancer, contract, wallet,
                                                        django_capture_on_commit_callbacks):
    # The limits the serializers allow fit the columns and the notifications built from them (PostgreSQL
    # enforces lengths that SQLite does not).
    second = contract.milestones.get(position=2)
    pay(owner, second.pk)
    client = as_user(freelancer)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = post(client, second.pk, "submit", {"note": "n" * 5_000})
        disputed = post(as_user(owner), second.pk, "dispute", {"reason": "r" * 5_000})
        paid_out = client.post(PAYOUTS, VALID_PAYOUT | {"account_holder_name": "B" * 100}, format="json")

    assert submitted.status_code == 200, submitted.content
    assert disputed.status_code == 201, disputed.content
    assert disputed.json()["reason"] == "r" * 5_000
    assert paid_out.status_code == 201, paid_out.content
    kinds = ["milestone.submitted", "milestone.disputed", "payout.completed"]
    assert sorted(Notification.objects.filter(kind__in=kinds).values_list("kind", "user")) == [
        ("milestone.disputed", freelancer.pk), ("milestone.submitted", owner.pk), ("payout.completed", freelancer.pk)]


def test_approve_with_an_unknown_field_is_400(as_user, owner, milestone_in):
    milestone = milestone_in("funded")

    response = post(as_user(owner), milestone.pk, "approve", {"amount": 1})

    assert_problem(response, 400, "validation_error", {"amount": ["Unknown field."]})
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED


# --- Idempotency-Key --------------------------------------------------------------------------------------------


def test_fund_replays_with_the_same_key(as_user, owner, milestone):
    client = as_user(owner)

    first = fund(client, milestone.pk, HTTP_IDEMPOTENCY_KEY="fund-1")
    again = fund(client, milestone.pk, HTTP_IDEMPOTENCY_KEY="fund-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert list(Payment.objects.values_list("pk", flat=True)) == [Payment.objects.get(pk=first.json()["id"]).pk]


def test_fund_with_a_reused_key_and_another_body_is_422(as_user, owner, milestone,
                                                        django_capture_on_commit_callbacks):
    client = as_user(owner)
    assert fund(client, milestone.pk, HTTP_IDEMPOTENCY_KEY="fund-1").status_code == 201

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: post(client, milestone.pk, "fund", {"gateway": "sandbox"}, HTTP_IDEMPOTENCY_KEY="fund-1"),
                   422, "idempotency_key_reused")
    assert Payment.objects.count() == 1


def test_fund_key_on_another_milestone_is_422(as_user, owner, contract, milestone):
    client = as_user(owner)
    assert fund(client, milestone.pk, HTTP_IDEMPOTENCY_KEY="fund-1").status_code == 201

    response = fund(client, contract.milestones.get(position=2).pk, HTTP_IDEMPOTENCY_KEY="fund-1")

    assert_problem(response, 422, "idempotency_key_reused")
    assert Payment.objects.count() == 1


def test_refused_fund_does_not_burn_the_key(as_user, owner, milestone):
    client = as_user(owner)
    assert_problem(post(client, milestone.pk, "fund", {"gateway": "xendit"}, HTTP_IDEMPOTENCY_KEY="fund-1"), 400,
                   "gateway_not_configured")

    response = post(client, milestone.pk, "fund", {"gateway": "sandbox"}, HTTP_IDEMPOTENCY_KEY="fund-1")

    assert response.status_code == 201, response.content
    assert "Idempotent-Replayed" not in response


def test_approve_replays_with_the_same_key(as_user, owner, freelancer, milestone_in):
    milestone = milestone_in("submitted")
    client = as_user(owner)

    first = post(client, milestone.pk, "approve", HTTP_IDEMPOTENCY_KEY="approve-1")
    again = post(client, milestone.pk, "approve", HTTP_IDEMPOTENCY_KEY="approve-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.filter(kind=Transaction.Kind.ESCROW_RELEASED).count() == 1
    assert wallet_balance(freelancer) == 900_000
    # Without the key, a second approval is a state conflict, not a replay.
    assert_problem(post(client, milestone.pk, "approve"), 409, "milestone_not_approvable")


def test_approve_with_a_reused_key_and_another_body_is_422(as_user, owner, milestone_in):
    milestone = milestone_in("funded")
    client = as_user(owner)
    assert post(client, milestone.pk, "approve", HTTP_IDEMPOTENCY_KEY="approve-1").status_code == 200

    response = post(client, milestone.pk, "approve", {"note": "lagi"}, HTTP_IDEMPOTENCY_KEY="approve-1")

    assert_problem(response, 422, "idempotency_key_reused")
    assert Transaction.objects.filter(kind=Transaction.Kind.ESCROW_RELEASED).count() == 1


def test_payout_replays_with_the_same_key(as_user, wallet):
    client = as_user(wallet)

    first = client.post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")
    again = client.post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert list(Payout.objects.values_list("pk", flat=True)) == [Payout.objects.get(pk=first.json()["id"]).pk]
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYOUT_REQUESTED).count() == 1
    assert wallet_balance(wallet) == 800_000


def test_payout_with_a_reused_key_and_another_body_is_422(as_user, wallet, django_capture_on_commit_callbacks):
    client = as_user(wallet)
    assert client.post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY="payout-1").status_code == 201

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: client.post(PAYOUTS, VALID_PAYOUT | {"amount": 200_000}, format="json",
                                       HTTP_IDEMPOTENCY_KEY="payout-1"), 422, "idempotency_key_reused")
    assert Payout.objects.count() == 1
    assert wallet_balance(wallet) == 800_000


def test_payout_keys_are_per_user(as_user, company, owner, wallet):
    other = FreelancerProfileFactory().user
    release(owner, make_contract(company, owner, other, amounts=(500_000,), title="Desain Kemasan").milestones.get().pk)

    mine = as_user(wallet).post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")
    theirs = as_user(other).post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY="payout-1")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs
    assert (wallet_balance(wallet), wallet_balance(other)) == (800_000, 350_000)


@pytest.mark.parametrize("key", ["", "   ", "k" * 256], ids=["empty", "blank", "256-chars"])
@pytest.mark.parametrize("endpoint", ["fund", "approve", "payouts"])
def test_invalid_idempotency_key_is_400(as_user, owner, contract, wallet, key, endpoint,
                                        django_capture_on_commit_callbacks):
    second = contract.milestones.get(position=2)
    if endpoint == "approve":
        pay(owner, second.pk)
    company, freelancer = as_user(owner), as_user(wallet)
    calls = {
        "fund": lambda: fund(company, second.pk, HTTP_IDEMPOTENCY_KEY=key),
        "approve": lambda: post(company, second.pk, "approve", HTTP_IDEMPOTENCY_KEY=key),
        "payouts": lambda: freelancer.post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY=key),
    }

    assert_refused(django_capture_on_commit_callbacks, calls[endpoint], 400, "invalid_idempotency_key")


def test_a_255_character_key_is_accepted(as_user, wallet):
    key = "k" * 255
    client = as_user(wallet)

    first = client.post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(PAYOUTS, VALID_PAYOUT, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().key == key


# --- the sandbox checkout ---------------------------------------------------------------------------------------


def test_sandbox_checkout_of_an_unknown_payment_is_404(api):
    unknown = "01900000-0000-7000-8000-000000000000"

    assert_problem(api.get(checkout_url(unknown)), 404, "not_found")
    assert_problem(api.post(checkout_url(unknown), {"outcome": "paid"}, format="json"), 404, "not_found")


def test_sandbox_checkout_of_another_gateways_payment_is_404(api, owner, contract, milestone):
    payment = Payment.objects.create(milestone=milestone, contract=contract, company=contract.company, payer=owner,
                                     payee=contract.freelancer, gateway=Payment.Gateway.XENDIT, amount=milestone.amount,
                                     external_id="xendit-ref-1")

    assert_problem(api.get(checkout_url(payment.pk)), 404, "not_found")
    assert_problem(api.post(checkout_url(payment.pk), {"outcome": "paid"}, format="json"), 404, "not_found")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(("body", "errors"), [
    ({"outcome": "settled"}, {"outcome": ["\"settled\" is not a valid choice."]}),
    ({"outcome": "PAID"}, {"outcome": ["\"PAID\" is not a valid choice."]}),
    ({}, {"outcome": ["This field is required."]}),
    ({"outcome": "paid", "amount": 1}, {"amount": ["Unknown field."]}),
], ids=["unknown-outcome", "uppercase", "missing", "unknown-field"])
def test_sandbox_pay_with_bad_input_is_400(api, milestone, pending_payment, body, errors,
                                           django_capture_on_commit_callbacks):
    assert_refused(django_capture_on_commit_callbacks,
                   lambda: api.post(checkout_url(pending_payment), body, format="json"), 400, "validation_error",
                   errors)
    assert Payment.objects.get(pk=pending_payment).status == Payment.Status.PENDING


@pytest.mark.parametrize("outcome", ["paid", "failed"])
def test_sandbox_pay_on_a_settled_payment_is_409(api, pending_payment, outcome, django_capture_on_commit_callbacks):
    assert sandbox_pay(api, pending_payment, outcome).status_code == 200

    assert_refused(django_capture_on_commit_callbacks, lambda: sandbox_pay(api, pending_payment, "paid"), 409,
                   "payment_not_pending")


def test_sandbox_checkout_page_for_browsers(api, milestone, pending_payment):
    response = api.get(checkout_url(pending_payment), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "Rp1.000.000" in page
    assert page.count("<button") == 2
    assert 'value="paid"' in page
    assert 'value="failed"' in page


def test_sandbox_checkout_page_escapes_titles(api, company, owner, freelancer):
    contract = make_contract(company, owner, freelancer, title="<script>alert(1)</script>")
    payment = fund(client_for(owner), contract.milestones.get().pk).json()["id"]

    page = api.get(checkout_url(payment), HTTP_ACCEPT="text/html").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sandbox_checkout_form_post_pays(api, milestone, pending_payment):
    response = api.post(checkout_url(pending_payment), "outcome=paid",
                        content_type="application/x-www-form-urlencoded", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Status: paid" in response.content.decode()
    assert Payment.objects.get(pk=pending_payment).status == Payment.Status.PAID
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED


def test_sandbox_checkout_errors_stay_problem_details_for_browsers(api, pending_payment):
    response = api.post(checkout_url(pending_payment), "outcome=maybe",
                        content_type="application/x-www-form-urlencoded", HTTP_ACCEPT="text/html")

    assert_problem(response, 400, "validation_error", {"outcome": ["\"maybe\" is not a valid choice."]})


def test_sandbox_checkout_json(api, milestone, pending_payment):
    response = api.get(checkout_url(pending_payment))

    assert response.json() | {"expires_at": None} == {
        "id": pending_payment, "status": "pending", "amount": 1_000_000, "currency": "IDR",
        "description": "Desain Logo Kedai Kopi — Tahap 1", "expires_at": None, "return_url": None}


# --- gateway callbacks ------------------------------------------------------------------------------------------


def xendit(api, body: bytes, token: str | None = None):
    headers = {} if token is None else {"HTTP_X_CALLBACK_TOKEN": token}
    return api.post(f"{API}/webhooks/xendit/", data=body, content_type="application/json", **headers)


def midtrans(api, body: bytes):
    return api.post(f"{API}/webhooks/midtrans/", data=body, content_type="application/json")


def assert_rejected_and_recorded(response, *, gateway: str, status: int, code: str, payment_id) -> None:
    assert_problem(response, status, code)
    assert list(WebhookEvent.objects.values_list("gateway", "outcome", "http_status")) == [
        (gateway, WebhookEvent.Outcome.REJECTED, status)]
    assert Payment.objects.get(pk=payment_id).status == Payment.Status.PENDING
    assert Milestone.objects.get(payments__pk=payment_id).status == Milestone.Status.PENDING
    assert not Transaction.objects.exists()


def paid_invoice(payment_id, token: str = XENDIT_CALLBACK_TOKEN) -> tuple[dict, bytes]:
    return xendit_invoice_callback(external_id=str(payment_id), amount=1_000_000, callback_token=token)


@pytest.mark.parametrize(("token", "body"), [
    (None, "paid"), ("", "paid"), ("guess", "paid"), (None, "garbage"), (None, "empty"),
], ids=["no-token", "empty-token", "wrong-token", "garbage-body", "empty-body"])
def test_xendit_callback_without_the_token_is_401(api, pending_payment, token, body,
                                                  django_capture_on_commit_callbacks):
    bodies = {"paid": paid_invoice(pending_payment)[1], "garbage": b"\xff\x00{[not json", "empty": b""}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = xendit(api, bodies[body], token)

    assert_rejected_and_recorded(response, gateway="xendit", status=401, code="invalid_callback_token",
                                 payment_id=pending_payment)
    assert callbacks == []


def test_xendit_callback_with_a_wrong_token_is_401_when_one_is_configured(api, pending_payment, settings):
    settings.BANTU = settings.BANTU | {"XENDIT_CALLBACK_TOKEN": XENDIT_CALLBACK_TOKEN}
    headers, body = paid_invoice(pending_payment, token="bantu-test-callback-tokeN")

    response = xendit(api, body, headers["x-callback-token"])

    assert_rejected_and_recorded(response, gateway="xendit", status=401, code="invalid_callback_token",
                                 payment_id=pending_payment)


def test_xendit_callback_with_the_token_and_a_garbage_body_is_400(api, pending_payment, settings):
    settings.BANTU = settings.BANTU | {"XENDIT_CALLBACK_TOKEN": XENDIT_CALLBACK_TOKEN}

    response = xendit(api, b'{"external_id": "x", "status": "PAID", "amount": 1e999}', XENDIT_CALLBACK_TOKEN)

    assert_rejected_and_recorded(response, gateway="xendit", status=400, code="malformed_callback",
                                 payment_id=pending_payment)


def test_authentic_xendit_callback_cannot_pay_a_sandbox_payment(api, pending_payment, settings):
    settings.BANTU = settings.BANTU | {"XENDIT_CALLBACK_TOKEN": XENDIT_CALLBACK_TOKEN}
    headers, body = paid_invoice(pending_payment)

    response = xendit(api, body, headers["x-callback-token"])

    assert_rejected_and_recorded(response, gateway="xendit", status=404, code="unknown_reference",
                                 payment_id=pending_payment)


@pytest.mark.parametrize("configured", [False, True], ids=["no-server-key", "server-key"])
@pytest.mark.parametrize("forgery", ["no-signature", "empty-signature", "other-key"])
def test_midtrans_callback_without_a_valid_signature_is_401(api, pending_payment, settings, configured, forgery,
                                                             django_capture_on_commit_callbacks):
    if configured:
        settings.BANTU = settings.BANTU | {"MIDTRANS_SERVER_KEY": MIDTRANS_SERVER_KEY}
    options = {"no-signature": {"omit": ["signature_key"]}, "empty-signature": {"signature_key": ""},
               "other-key": {"forge_signature": True}}[forgery]
    _, body = midtrans_notification(order_id=str(pending_payment), gross_amount="1000000.00", **options)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = midtrans(api, body)

    assert_rejected_and_recorded(response, gateway="midtrans", status=401, code="invalid_signature",
                                 payment_id=pending_payment)
    assert callbacks == []


@pytest.mark.parametrize("body", [b"\xff\x00{[not json", b"", b"[]", b'{"order_id": 1}', DEEP_JSON,
                                  b'{"order_id": "\\ud800", "status_code": "200", "gross_amount": "1000000.00"}'],
                         ids=["garbage", "empty", "array", "wrong-types", "deep", "lone-surrogate"])
def test_midtrans_callback_with_a_garbage_body_is_400(api, pending_payment, body):
    # Midtrans signs inside the body, so a body that cannot be read is malformed (400) before it can be forged
    # (docs/payments.md, "Callbacks").
    response = midtrans(api, body)

    assert_rejected_and_recorded(response, gateway="midtrans", status=400, code="malformed_callback",
                                 payment_id=pending_payment)


def test_rejected_callback_payload_is_stored_safely(api, pending_payment):
    body = b'{"id": "x\\u0000", "external_id": "' + b"A" * 10_000 + b'"}'

    response = xendit(api, body)

    assert_problem(response, 401, "invalid_callback_token")
    event = WebhookEvent.objects.get()
    assert len(event.payload) == 4_096
    assert event.detail.startswith("invalid_callback_token")


# --- pagination of the money lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["page=abc", "page_size=abc"])
@pytest.mark.parametrize("path", ["payments/", "wallet/transactions/", "payouts/"])
def test_malformed_pagination_is_400(as_user, wallet, path, query):
    assert_problem(as_user(wallet).get(f"{API}/{path}?{query}"), 400)

