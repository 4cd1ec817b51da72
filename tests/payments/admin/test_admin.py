"""The money side of the operator console: read-only ledger pages, dispute resolution, refund retries."""

import pytest

from audit.models import AuditEntry
from payments.models import Account, Dispute, Entry, Payment, Refund, Transaction
from payments.services.escrow import dispute_resolve
from proposals.models import Milestone
from tests.factories import UserFactory

from ..fakegateways import xendit_event_callback, xendit_invoice_callback
from ..helpers import balance, deliver, fund, ledger_balanced, milestone_url, sandbox_pay


@pytest.fixture
def operator_client(client, db):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="finance@bantu.local")
    client.force_login(superuser)
    client.user = superuser
    return client


@pytest.fixture
def disputed(api, as_user, owner, freelancer, milestone, commit):
    with commit():
        sandbox_pay(api, fund(as_user(owner), milestone.pk).json()["id"])
    as_user(freelancer).post(milestone_url(milestone.pk, "dispute"), {"reason": "Klien tidak membalas pesan."},
                             format="json")
    return Dispute.objects.get()


def test_every_payments_page_renders_with_data(operator_client, disputed):
    transaction = Transaction.objects.first()
    for url in ("/admin/payments/account/", "/admin/payments/transaction/",
                f"/admin/payments/transaction/{transaction.pk}/change/", "/admin/payments/payment/",
                f"/admin/payments/payment/{Payment.objects.get().pk}/change/", "/admin/payments/payout/",
                "/admin/payments/refund/", "/admin/payments/dispute/",
                f"/admin/payments/dispute/{disputed.pk}/change/", f"/admin/payments/dispute/{disputed.pk}/resolve/",
                "/admin/payments/webhookevent/", "/admin/proposals/contract/"):
        assert operator_client.get(url).status_code == 200, url


def test_the_ledger_cannot_be_changed_from_the_admin(operator_client, disputed):
    transaction = Transaction.objects.first()
    entries = Entry.objects.count()

    assert operator_client.get("/admin/payments/transaction/add/").status_code == 403
    assert operator_client.post(f"/admin/payments/transaction/{transaction.pk}/delete/",
                                {"post": "yes"}).status_code == 403
    assert operator_client.post(f"/admin/payments/transaction/{transaction.pk}/change/", {}).status_code == 403
    assert Entry.objects.count() == entries


def test_an_operator_resolves_a_dispute_in_the_admin(operator_client, disputed, freelancer, commit):
    with commit():
        response = operator_client.post(f"/admin/payments/dispute/{disputed.pk}/resolve/", {
            "resolution": "split", "released_amount": "400000", "note": "Sebagian logo sudah diserahkan."})

    assert response.status_code == 302
    disputed.refresh_from_db()
    assert (disputed.status, disputed.resolved_by, disputed.resolution_note) == (
        "resolved", operator_client.user, "Sebagian logo sudah diserahkan.")
    assert balance(f"wallet:{freelancer.pk}") == 360_000
    assert Refund.objects.get().amount == 600_000
    assert Milestone.objects.get(pk=disputed.milestone_id).status == Milestone.Status.RELEASED
    ledger_balanced()


def test_the_resolve_form_shows_refusals_and_changes_nothing(operator_client, disputed):
    response = operator_client.post(f"/admin/payments/dispute/{disputed.pk}/resolve/", {
        "resolution": "split", "released_amount": "1000000", "note": "Bagi dua."})

    assert response.status_code == 200
    assert "released_amount" in response.context["form"].errors
    assert Dispute.objects.get().status == Dispute.Status.OPEN
    assert not Transaction.objects.filter(kind=Transaction.Kind.ESCROW_RELEASED).exists()


def test_staff_without_the_permission_cannot_resolve(client, disputed):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(f"/admin/payments/dispute/{disputed.pk}/resolve/",
                           {"resolution": "release", "note": "Tidak berwenang."})

    assert response.status_code == 403
    assert Dispute.objects.get().status == Dispute.Status.OPEN


@pytest.fixture
def failed(operator_client, api, as_user, owner, freelancer, milestone, xendit, commit) -> Refund:
    """A refund of Rp 1.000.000 (a dispute resolved as a refund) that Xendit failed: the money is back in the
    company's funding account."""
    payment = Payment.objects.get(pk=fund(as_user(owner), milestone.pk).json()["id"])
    deliver(api, "xendit", *xendit_invoice_callback(invoice_id=payment.gateway_reference,
                                                    external_id=payment.external_id, amount=1_000_000))
    dispute_id = as_user(freelancer).post(milestone_url(milestone.pk, "dispute"), {"reason": "Proyek dibatalkan."},
                                          format="json").json()["id"]
    with commit():
        dispute_resolve(dispute_id=dispute_id, operator=operator_client.user, resolution="refund", note="Batal.")
    failed = Refund.objects.get()
    deliver(api, "xendit", *xendit_event_callback(event="refund.failed", data_id=failed.gateway_reference,
                                                  reference_id=str(failed.pk), amount=1_000_000))
    return failed


def test_a_failed_refund_is_sent_again_from_the_admin(operator_client, milestone, xendit, commit, failed):
    assert balance(f"company:{milestone.contract.company_id}") == 1_000_000

    with commit():
        operator_client.post("/admin/payments/refund/", {"action": "retry_failed", "_selected_action": [failed.pk]})

    retry = Refund.objects.exclude(pk=failed.pk).get()
    assert (retry.amount, retry.status, retry.requested_by) == (1_000_000, "pending", operator_client.user)
    assert [call.headers["idempotency-key"] for call in xendit.requests_to("POST", "/refunds")] == [
        str(failed.pk), str(retry.pk)]
    assert balance(f"company:{milestone.contract.company_id}") == 0
    assert balance("refunds_in_transit") == 1_000_000
    assert list(AuditEntry.objects.filter(action=AuditEntry.Action.REFUND_RETRY).values_list(
        "target_id", "actor", "amount", "currency")) == [(str(failed.pk), operator_client.user.pk, 1_000_000, "IDR")]
    ledger_balanced()


def test_a_failed_refund_is_sent_again_once(operator_client, milestone, commit, failed):
    # Given a failed refund of Rp 1.000.000 sent again from the admin, and another Rp 1.000.000 in the company's
    # funding account (a second failed refund, say): a second retry would have the money to go
    retry = {"action": "retry_failed", "_selected_action": [failed.pk]}
    with commit():
        operator_client.post("/admin/payments/refund/", retry, follow=True)  # its message shown
    company = f"company:{milestone.contract.company_id}"
    Account.objects.filter(key=company).update(balance=1_000_000)  # the other money, without its history

    # When an operator sends the same failed refund again
    with commit():
        response = operator_client.post("/admin/payments/refund/", retry, follow=True)

    # Then nothing moves: one retry, the funding account's money stays, and the operator is told why
    first_retry = Refund.objects.get(retry_of=failed)
    assert Refund.objects.count() == 2
    assert balance(company) == 1_000_000
    assert [str(message) for message in response.context["messages"]] == [
        f"Refund {failed.pk}: This refund was sent again already, as refund {first_retry.pk}."]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REFUND_RETRY).count() == 1
