"""The whole money path on Xendit and Midtrans: the real SDKs talk HTTP to fake gateway servers on 127.0.0.1,
and the callbacks come in through the webhook endpoints as the gateways would post them."""

from jobs.models import Job
from payments.models import Payment, Payout, Refund, Transaction
from payments.services.escrow import dispute_resolve
from payments.services.payouts import payout_submit
from proposals.models import Contract, Milestone

from ..fakegateways import midtrans_notification, xendit_event_callback, xendit_invoice_callback
from ..helpers import balance, deliver, fund, ledger_balanced, milestone_url

PAYOUT = {"amount": 500_000, "bank_code": "BCA", "account_number": "1234567890", "account_holder_name": "Dewi Lestari"}


def _pay_with_xendit(api, xendit, payment_id, amount):
    invoice_id = Payment.objects.get(pk=payment_id).gateway_reference
    headers, body = xendit_invoice_callback(invoice_id=invoice_id, external_id=payment_id, amount=amount)
    return deliver(api, "xendit", headers, body)


def test_xendit_invoice_carries_amount_external_id_payer_and_redirects(as_user, owner, milestone, xendit):
    response = fund(as_user(owner), milestone.pk)

    assert response.status_code == 201, response.content
    payment = response.json()
    [call] = xendit.requests_to("POST", "/v2/invoices")
    assert call.headers["authorization"].startswith("Basic ")
    assert call.json["external_id"] == payment["id"]
    assert call.json["amount"] == 1_000_000
    assert call.json["currency"] == "IDR"
    assert call.json["payer_email"] == owner.email
    assert call.json["success_redirect_url"] == f"http://127.0.0.1:8000/payments/{payment['id']}/done"
    assert call.json["failure_redirect_url"] == f"http://127.0.0.1:8000/payments/{payment['id']}/failed"
    assert payment["gateway"] == "xendit"
    assert payment["checkout_url"] == xendit.invoices[Payment.objects.get(pk=payment["id"]).gateway_reference][
        "invoice_url"]


def test_xendit_whole_path_fund_pay_submit_approve_payout(api, as_user, owner, freelancer, milestone, xendit):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]

    paid = _pay_with_xendit(api, xendit, payment_id, 1_000_000)
    assert paid.status_code == 200, paid.content
    assert paid.json() == {"outcome": "applied"}
    assert as_user(freelancer).post(milestone_url(milestone.pk, "submit"), {}, format="json").status_code == 200
    assert as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json").status_code == 200
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    assert balance("platform_fees") == 100_000

    created = as_user(freelancer).post("/api/v1/payouts/", PAYOUT, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "processing"
    [call] = xendit.requests_to("POST", "/v2/payouts")
    payout_id = created.json()["id"]
    assert call.headers["idempotency-key"] == payout_id
    assert call.json["reference_id"] == payout_id
    assert call.json["channel_code"] == "ID_BCA"
    assert call.json["channel_properties"] == {"account_number": "1234567890",
                                               "account_holder_name": "Dewi Lestari"}
    assert call.json["amount"] == 500_000
    assert balance(f"wallet:{freelancer.pk}") == 400_000

    headers, body = xendit_event_callback(event="payout.succeeded", data_id=Payout.objects.get().gateway_reference,
                                          reference_id=payout_id, amount=500_000)
    assert deliver(api, "xendit", headers, body).json() == {"outcome": "applied"}
    assert Payout.objects.get().status == Payout.Status.COMPLETED
    assert balance("payouts_in_transit") == 0
    assert balance("gateway:xendit") == -1_000_000 + 500_000
    ledger_balanced()


def test_xendit_failed_payout_returns_the_money_to_the_wallet(api, as_user, owner, freelancer, milestone, xendit):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    _pay_with_xendit(api, xendit, payment_id, 1_000_000)
    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")
    payout_id = as_user(freelancer).post("/api/v1/payouts/", PAYOUT, format="json").json()["id"]

    headers, body = xendit_event_callback(event="payout.failed", data_id="disb-1", reference_id=payout_id,
                                          amount=500_000, failure_code="INVALID_DESTINATION")
    response = deliver(api, "xendit", headers, body)

    assert response.json() == {"outcome": "applied"}
    payout = Payout.objects.get()
    assert (payout.status, payout.failure_reason) == (Payout.Status.FAILED, "INVALID_DESTINATION")
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    assert list(Transaction.objects.filter(payout=payout).order_by("created_at").values_list("kind", flat=True)) \
        == [Transaction.Kind.PAYOUT_REQUESTED, Transaction.Kind.PAYOUT_FAILED]
    ledger_balanced()


def test_xendit_dispute_refund_goes_through_the_refund_api_and_completes_contract_and_job(
        api, as_user, owner, freelancer, operator, contract, xendit, commit):
    first, second = contract.milestones.order_by("position")
    for milestone in (first, second):
        payment_id = fund(as_user(owner), milestone.pk).json()["id"]
        _pay_with_xendit(api, xendit, payment_id, milestone.amount)
    as_user(owner).post(milestone_url(first.pk, "approve"), format="json")
    dispute = as_user(owner).post(milestone_url(second.pk, "dispute"),
                                  {"reason": "Desain tidak sesuai brief sama sekali."}, format="json")
    assert dispute.status_code == 201, dispute.content

    with commit():
        dispute_resolve(dispute_id=dispute.json()["id"], operator=operator, resolution="refund",
                        note="Hasil kerja tidak diserahkan.")

    [call] = xendit.requests_to("POST", "/refunds")
    refund = Refund.objects.get()
    assert call.headers["idempotency-key"] == str(refund.pk)
    assert call.json["invoice_id"] == Payment.objects.get(milestone=second).gateway_reference
    assert call.json["amount"] == 1_500_000
    assert refund.status == Refund.Status.PENDING
    assert Milestone.objects.get(pk=second.pk).status == Milestone.Status.REFUNDED
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.COMPLETED
    assert Job.objects.get(pk=contract.job_id).status == Job.Status.COMPLETED

    headers, body = xendit_event_callback(event="refund.succeeded", data_id=refund.gateway_reference,
                                          reference_id=str(refund.pk), amount=1_500_000)
    assert deliver(api, "xendit", headers, body).json() == {"outcome": "applied"}
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert balance(f"company:{contract.company_id}") == 0
    assert balance("refunds_in_transit") == 0
    assert balance("gateway:xendit") == -1_000_000
    ledger_balanced()


def test_midtrans_whole_path_snap_notification_confirmed_by_status_api(api, as_user, owner, freelancer,
                                                                      milestone, midtrans):
    response = fund(as_user(owner), milestone.pk)
    assert response.status_code == 201, response.content
    payment_id = response.json()["id"]
    [snap] = midtrans.requests_to("POST", "/snap/v1/transactions")
    assert snap.json["transaction_details"] == {"order_id": payment_id, "gross_amount": 1_000_000}
    assert snap.json["customer_details"]["email"] == owner.email
    assert response.json()["gateway"] == "midtrans"

    headers, body = midtrans_notification(order_id=payment_id, gross_amount="1000000.00")
    paid = deliver(api, "midtrans", headers, body)

    assert paid.status_code == 200, paid.content
    assert paid.json() == {"outcome": "applied"}
    assert midtrans.requests_to("GET", f"/v2/{payment_id}/status")
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED
    assert as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json").status_code == 200
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    ledger_balanced()


def test_midtrans_notification_is_not_trusted_over_the_status_api(api, as_user, owner, milestone, midtrans):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    midtrans.set_status(payment_id, "pending")

    headers, body = midtrans_notification(order_id=payment_id, gross_amount="1000000.00")
    response = deliver(api, "midtrans", headers, body)

    assert response.json() == {"outcome": "ignored"}
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.PENDING
    assert not Transaction.objects.exists()


def test_midtrans_refund_of_a_split_dispute(api, as_user, owner, freelancer, operator, milestone, midtrans,
                                            commit):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    headers, body = midtrans_notification(order_id=payment_id, gross_amount="1000000.00")
    deliver(api, "midtrans", headers, body)
    dispute_id = as_user(freelancer).post(milestone_url(milestone.pk, "dispute"),
                                          {"reason": "Klien tidak merespons selama tiga minggu."},
                                          format="json").json()["id"]

    with commit():
        dispute_resolve(dispute_id=dispute_id, operator=operator, resolution="split", released_amount=600_000,
                        note="Setengah pekerjaan sudah diserahkan.")

    [call] = midtrans.requests_to("POST", f"/v2/{payment_id}/refund")
    assert call.json["amount"] == 400_000
    assert call.json["refund_key"] == str(Refund.objects.get().pk)
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert balance(f"wallet:{freelancer.pk}") == 540_000
    assert balance("platform_fees") == 60_000
    assert balance("gateway:midtrans") == -1_000_000 + 400_000
    ledger_balanced()


def test_gateway_down_at_fund_answers_503_and_the_milestone_can_be_funded_again(as_user, owner, milestone, xendit):
    xendit.fail_next(503)

    response = fund(as_user(owner), milestone.pk)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "gateway_unavailable"
    assert Payment.objects.get().status == Payment.Status.FAILED
    retry = fund(as_user(owner), milestone.pk)
    assert retry.status_code == 201, retry.content
    assert Payment.objects.filter(status=Payment.Status.PENDING).count() == 1


def test_gateway_refusing_the_checkout_answers_502(as_user, owner, milestone, xendit):
    xendit.fail_next(400)

    response = fund(as_user(owner), milestone.pk)

    assert response.status_code == 502
    assert response.json()["code"] == "gateway_refused"
    assert Payment.objects.get().status == Payment.Status.FAILED


def test_payout_with_the_gateway_down_stays_pending_and_is_sent_again(as_user, owner, freelancer, milestone,
                                                                     api, xendit, commit):
    payment_id = fund(as_user(owner), milestone.pk).json()["id"]
    _pay_with_xendit(api, xendit, payment_id, 1_000_000)
    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")
    xendit.fail_next(500, times=20)  # the eager retries of the task fail too

    with commit():
        created = as_user(freelancer).post("/api/v1/payouts/", PAYOUT, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    assert balance(f"wallet:{freelancer.pk}") == 400_000
    xendit.recover()

    assert payout_submit(payout_id=created.json()["id"]) == Payout.Status.PROCESSING
    keys = {request.headers["idempotency-key"] for request in xendit.requests_to("POST", "/v2/payouts")}
    assert keys == {created.json()["id"]}
