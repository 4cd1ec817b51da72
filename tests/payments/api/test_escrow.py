"""Escrow on the sandbox gateway: approval, automatic approval, disputes, fees, completion, the statement, the
wallet and the notifications of each step."""

import datetime

import pytest
from django.utils import timezone

from bantu.core.exceptions import ApplicationError, Conflict
from jobs.models import Job
from notifications.models import Notification
from payments.models import Dispute, Payout, Refund, Transaction
from payments.services.escrow import dispute_resolve, milestones_auto_approve_due
from proposals.models import Contract, Milestone
from tests.factories import MembershipFactory
from tests.problems import assert_problem

from ..helpers import balance, fund, ledger_balanced, make_contract, milestone_url, sandbox_pay

PAYOUT = {"bank_code": "MANDIRI", "account_number": "1234567890123", "account_holder_name": "Dewi Lestari"}


@pytest.fixture
def funded(api, as_user, owner, milestone, commit):
    """Fund the first milestone (1,000,000) through the sandbox checkout."""

    def go(target=None):
        target = target or milestone
        with commit():
            payment_id = fund(as_user(owner), target.pk).json()["id"]
            assert sandbox_pay(api, payment_id).status_code == 200
        return target

    return go


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("created_at", "id").values_list("kind", flat=True))


def test_each_step_notifies_the_other_side(as_user, owner, freelancer, company, milestone, funded, commit):
    recruiter = MembershipFactory(company=company, role="recruiter").user
    funded()
    with commit():
        as_user(freelancer).post(milestone_url(milestone.pk, "submit"), {"note": "Selesai"}, format="json")
    with commit():
        as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")

    assert _kinds(freelancer) == ["milestone.funded", "milestone.released"]
    assert _kinds(owner)[-2:] == ["milestone.funded", "milestone.submitted"]
    assert "milestone.funded" not in _kinds(recruiter)
    released = Notification.objects.get(user=freelancer, kind="milestone.released")
    assert released.data["net"] == 900_000
    assert released.data["fee"] == 100_000


def test_submitted_milestones_are_approved_after_the_review_period(as_user, freelancer, milestone, funded, commit):
    funded()
    as_user(freelancer).post(milestone_url(milestone.pk, "submit"), {}, format="json")
    submitted = Milestone.objects.get(pk=milestone.pk)
    assert submitted.auto_approve_at == submitted.submitted_at + datetime.timedelta(days=14)
    assert milestones_auto_approve_due() == 0

    Milestone.objects.filter(pk=milestone.pk).update(auto_approve_at=timezone.now() - datetime.timedelta(seconds=1))
    with commit():
        approved = milestones_auto_approve_due()

    assert approved == 1
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.RELEASED
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    assert "milestone.auto_approved" in _kinds(freelancer)
    release = Transaction.objects.get(kind=Transaction.Kind.ESCROW_RELEASED)
    assert release.actor is None


def test_a_disputed_milestone_is_never_approved_automatically(as_user, freelancer, owner, milestone, funded):
    funded()
    as_user(freelancer).post(milestone_url(milestone.pk, "submit"), {}, format="json")
    as_user(owner).post(milestone_url(milestone.pk, "dispute"), {"reason": "Hasilnya belum lengkap."},
                        format="json")
    Milestone.objects.filter(pk=milestone.pk).update(auto_approve_at=timezone.now() - datetime.timedelta(days=1))

    assert milestones_auto_approve_due() == 0
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.DISPUTED
    response = as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")
    assert_problem(response, 409, "milestone_not_approvable")


def test_the_last_settled_milestone_completes_the_contract_and_the_job(as_user, owner, freelancer, contract,
                                                                      funded, commit):
    first, second = contract.milestones.order_by("position")
    funded(first)
    funded(second)
    as_user(owner).post(milestone_url(first.pk, "approve"), format="json")
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE

    with commit():
        as_user(owner).post(milestone_url(second.pk, "approve"), format="json")

    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert contract.completed_at is not None
    assert Job.objects.get(pk=contract.job_id).status == Job.Status.COMPLETED
    assert "contract.completed" in _kinds(freelancer)
    assert balance(f"wallet:{freelancer.pk}") == 2_250_000
    detail = as_user(owner).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert detail["status"] == "completed"
    assert [m["status"] for m in detail["milestones"]] == ["released", "released"]


@pytest.mark.parametrize(("amount", "percent", "fee"), [
    (1_000_000, "10", 100_000), (999_999, "10", 99_999), (1, "10", 0), (19, "10", 1),
    (1_000_001, "7.5", 75_000), (333_333, "2.25", 7_499), (500_000, "0", 0),
])
def test_the_fee_is_rounded_down_and_nothing_is_lost(api, as_user, settings, company, owner, freelancer, commit,
                                                     amount, percent, fee):
    settings.BANTU = {**settings.BANTU, "PLATFORM_FEE_PERCENT": percent}
    milestone = make_contract(company, owner, freelancer, amounts=(amount,)).milestones.get()
    with commit():
        sandbox_pay(api, fund(as_user(owner), milestone.pk).json()["id"])

    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")

    assert balance("platform_fees") == fee
    assert balance(f"wallet:{freelancer.pk}") == amount - fee
    ledger_balanced()


def test_the_fee_is_the_one_agreed_when_the_contract_started(as_user, settings, owner, freelancer, milestone,
                                                            funded):
    settings.BANTU = {**settings.BANTU, "PLATFORM_FEE_PERCENT": "25"}
    funded()

    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")

    assert balance("platform_fees") == 100_000
    assert as_user(owner).get(f"/api/v1/contracts/{milestone.contract_id}/").json()["platform_fee_percent"] == "10.00"


def test_a_split_charges_the_fee_on_the_released_part_only(as_user, freelancer, operator, milestone, funded,
                                                            commit):
    funded()
    dispute_id = as_user(freelancer).post(milestone_url(milestone.pk, "dispute"),
                                          {"reason": "Revisi tidak pernah disetujui."}, format="json").json()["id"]

    with commit():
        dispute = dispute_resolve(dispute_id=dispute_id, operator=operator, resolution="split",
                                  released_amount=700_000, note="Tujuh puluh persen selesai.")

    assert (dispute.released_amount, dispute.refunded_amount) == (700_000, 300_000)
    assert (dispute.resolved_by, dispute.status) == (operator, Dispute.Status.RESOLVED)
    assert balance(f"wallet:{freelancer.pk}") == 630_000
    assert balance("platform_fees") == 70_000
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert balance("gateway:sandbox") == -1_000_000 + 300_000
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.RELEASED
    assert "dispute.resolved" in _kinds(freelancer)
    change = Milestone.objects.get(pk=milestone.pk).status_changes.last()
    assert (change.actor, change.to_status) == (operator, "released")
    assert "Tujuh puluh persen selesai." in change.note
    ledger_balanced()


@pytest.mark.parametrize(("resolution", "released", "note", "code"), [
    ("split", 0, "Alasan", "invalid_resolution"),
    ("split", 1_000_000, "Alasan", "invalid_resolution"),
    ("split", None, "Alasan", "invalid_resolution"),
    ("split", 1_000_001, "Alasan", "invalid_resolution"),
    ("release", None, "  ", "invalid_resolution"),
    ("cancel", None, "Alasan", "invalid_resolution"),
])
def test_an_invalid_resolution_changes_nothing(as_user, freelancer, operator, milestone, funded,
                                               resolution, released, note, code):
    funded()
    dispute_id = as_user(freelancer).post(milestone_url(milestone.pk, "dispute"),
                                          {"reason": "Revisi tidak pernah disetujui."}, format="json").json()["id"]
    transactions = Transaction.objects.count()

    with pytest.raises(ApplicationError) as raised:
        dispute_resolve(dispute_id=dispute_id, operator=operator, resolution=resolution, released_amount=released,
                        note=note)

    assert raised.value.code == code
    assert Transaction.objects.count() == transactions
    assert Dispute.objects.get().status == Dispute.Status.OPEN


def test_a_dispute_is_resolved_once(as_user, freelancer, operator, milestone, funded, commit):
    funded()
    dispute_id = as_user(freelancer).post(milestone_url(milestone.pk, "dispute"),
                                          {"reason": "Revisi tidak pernah disetujui."}, format="json").json()["id"]
    with commit():
        dispute_resolve(dispute_id=dispute_id, operator=operator, resolution="release", note="Sudah selesai.")

    with pytest.raises(Conflict) as raised:
        dispute_resolve(dispute_id=dispute_id, operator=operator, resolution="refund", note="Berubah pikiran.")

    assert raised.value.code == "dispute_already_resolved"
    assert Transaction.objects.filter(kind=Transaction.Kind.ESCROW_REFUNDED).count() == 0


def test_statement_and_wallet_show_the_money_from_the_ledger(as_user, owner, freelancer, operator, contract,
                                                             funded, commit):
    first, second = contract.milestones.order_by("position")
    funded(first)
    funded(second)
    as_user(owner).post(milestone_url(first.pk, "approve"), format="json")
    assert as_user(freelancer).get("/api/v1/wallet/").json() == {
        "currency": "IDR", "available": 900_000, "pending": 1_500_000, "in_payout": 0}
    dispute_id = as_user(owner).post(milestone_url(second.pk, "dispute"), {"reason": "Belum dikirim sama sekali."},
                                     format="json").json()["id"]
    with commit():
        dispute_resolve(dispute_id=dispute_id, operator=operator, resolution="split", released_amount=500_000,
                        note="Sebagian dikirim.")

    statement = as_user(owner).get(f"/api/v1/contracts/{contract.pk}/statement/").json()

    assert statement["totals"] == {"funded": 2_500_000, "released": 1_500_000, "fee": 150_000,
                                   "paid_to_freelancer": 1_350_000, "refunded": 1_000_000, "held": 0}
    assert [(line["position"], line["released"], line["fee"], line["refunded"], line["status"])
            for line in statement["milestones"]] == [(1, 1_000_000, 100_000, 0, "released"),
                                                     (2, 500_000, 50_000, 1_000_000, "released")]
    assert statement["platform_fee_percent"] == "10.00"
    assert as_user(freelancer).get(f"/api/v1/contracts/{contract.pk}/statement/").json() == statement
    assert as_user(freelancer).get("/api/v1/wallet/").json() == {
        "currency": "IDR", "available": 1_350_000, "pending": 0, "in_payout": 0}


def test_wallet_transactions_list_each_line_with_the_balance_after(as_user, owner, freelancer, contract, funded):
    first, second = contract.milestones.order_by("position")
    funded(first)
    funded(second)
    as_user(owner).post(milestone_url(first.pk, "approve"), format="json")
    as_user(owner).post(milestone_url(second.pk, "approve"), format="json")
    as_user(freelancer).post("/api/v1/payouts/", {**PAYOUT, "amount": 2_000_000}, format="json")

    lines = as_user(freelancer).get("/api/v1/wallet/transactions/").json()

    assert [(line["kind"], line["amount"], line["balance_after"]) for line in lines["results"]] == [
        ("payout_requested", -2_000_000, 250_000),
        ("escrow_released", 1_350_000, 2_250_000),
        ("escrow_released", 900_000, 900_000),
    ]
    assert lines["results"][1]["milestone"] == str(second.pk)
    assert lines["count"] == 3


def test_a_sandbox_payout_completes_at_once(as_user, owner, freelancer, milestone, funded, commit):
    funded()
    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")

    with commit():
        response = as_user(freelancer).post("/api/v1/payouts/", {**PAYOUT, "amount": 900_000}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed"
    assert response.json()["account_number"] == "••••0123"
    assert balance(f"wallet:{freelancer.pk}") == 0
    assert balance("payouts_in_transit") == 0
    assert "payout.completed" in _kinds(freelancer)
    ledger_balanced()


def test_a_refused_sandbox_payout_returns_the_money(as_user, owner, freelancer, milestone, funded, commit):
    funded()
    as_user(owner).post(milestone_url(milestone.pk, "approve"), format="json")

    with commit():
        response = as_user(freelancer).post("/api/v1/payouts/", {
            **PAYOUT, "account_number": "1234567890000", "amount": 600_000}, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["failure_reason"]) == ("failed", "INVALID_DESTINATION")
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    assert "payout.failed" in _kinds(freelancer)
    assert Payout.objects.get().status == Payout.Status.FAILED
    ledger_balanced()
