"""Money under races, for real: threads with their own PostgreSQL connections (and their own JWTs) hit the API
and the services at the same moment (`tests.concurrency.run_at_once`). The races through the services alone (one
callback delivered a hundred times, ledger posts, the random run): services/test_races.py.

`select_for_update` is a no-op on SQLite, so these run on PostgreSQL only. A thread's failure (deadlock, 500,
integrity error) comes back as the exception or response in its slot; every test asserts the exact outcome of
every slot. The server allows 100 connections, so no test holds more than 50 threads at once (and only the
two payout tests hold that many: the brief's fifty withdrawals at once)."""

import contextlib
import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from companies.models import Membership
from jobs.models import Job, JobStatusChange
from payments import ledger
from payments.models import Account, Dispute, Payment, Payout, Transaction
from payments.services import escrow, webhooks
from proposals.models import Contract, Milestone
from tests.concurrency import run_at_once
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

from ..helpers import (
    API,
    BUDGET,
    balance,
    contract_with,
    deliver_paid,
    ledger_balanced,
    make_contract,
    milestone_url,
    responses,
)

# One xdist worker runs every thread race (`make test` uses --dist loadgroup): two at once on two workers would
# need more connections than PostgreSQL allows (100).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.xdist_group("thread_races")]

RELEASED = Transaction.Kind.ESCROW_RELEASED
PAYOUT = {"bank_code": "BCA", "account_number": "1234567890", "account_holder_name": "Budi Santoso"}


def wallet_holding_a_million(company, owner, freelancer) -> None:
    """Put exactly Rp 1.000.000 into `freelancer`'s wallet: an approved milestone of Rp 1.111.111, minus the fee
    floor(111.111,1) = 111.111."""
    contract = contract_with(company, owner, freelancer, (1_111_111,))
    escrow.milestone_approve(milestone_id=contract.milestones.get().pk, actor=owner)
    assert balance(f"wallet:{freelancer.pk}") == 1_000_000


# --- Approvals ------------------------------------------------------------------------------------------------


def test_twenty_concurrent_approvals_release_the_escrow_once(company, owner, freelancer):
    # Given a funded, submitted milestone of Rp 1.234.567, and the company's owner and two admins
    admins = [MembershipFactory(company=company, role=Membership.Role.ADMIN).user for _ in range(2)]
    milestone = contract_with(company, owner, freelancer, (1_234_567,)).milestones.get()
    managers = [owner, *admins]
    clients = [client_for(managers[index % 3]) for index in range(20)]

    # When all of them press "approve" twenty times at once
    results = responses(run_at_once(20, lambda i: clients[i].post(milestone_url(milestone.pk, "approve"),
                                                                   format="json")))

    # Then exactly one approval released the escrow; the other nineteen found it released
    assert Counter(response.status_code for response in results) == {200: 1, 409: 19}
    assert {response.json()["code"] for response in results if response.status_code == 409} == {
        "milestone_not_approvable"}
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.RELEASED
    assert Transaction.objects.filter(kind=RELEASED).count() == 1
    # the wallet is credited once: 1.234.567 - floor(10%) = 1.234.567 - 123.456
    assert balance(f"wallet:{freelancer.pk}") == 1_111_111
    assert balance("platform_fees") == 123_456
    assert balance(f"escrow:{milestone.pk}") == 0
    assert Contract.objects.get(pk=milestone.contract_id).status == Contract.Status.COMPLETED
    ledger_balanced()


def test_twenty_concurrent_approvals_with_one_idempotency_key_replay_the_first(company, owner, freelancer):
    # Given a funded, submitted milestone of Rp 2.000.000
    milestone = contract_with(company, owner, freelancer, (2_000_000,)).milestones.get()
    clients = [client_for(owner) for _ in range(20)]

    # When the owner's client retries one approval twenty times at once, under one Idempotency-Key
    results = responses(run_at_once(20, lambda i: clients[i].post(
        milestone_url(milestone.pk, "approve"), format="json", HTTP_IDEMPOTENCY_KEY="approve-tahap-1-5c1d")))

    # Then all get the first answer (200, released), nineteen of them replayed, and the escrow moved once
    assert [response.status_code for response in results] == [200] * 20
    assert {response.json()["status"] for response in results} == {"released"}
    assert Counter(response.get("Idempotent-Replayed") for response in results) == {"true": 19, None: 1}
    assert Transaction.objects.filter(kind=RELEASED).count() == 1
    assert balance(f"wallet:{freelancer.pk}") == 1_800_000
    assert balance("platform_fees") == 200_000
    ledger_balanced()


def test_approvals_racing_disputes_let_exactly_one_win_per_milestone(company, owner, freelancer):
    # Given four funded, submitted milestones of Rp 2.000.000 (one contract each)
    admin = MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    milestones = [contract_with(company, owner, freelancer, (2_000_000,)).milestones.get() for _ in range(4)]
    approvers = [client_for(owner if index % 2 else admin) for index in range(20)]
    disputers = [client_for(freelancer if index % 2 else owner) for index in range(20)]
    reason = {"reason": "Hasil kerja tidak sesuai brief yang disepakati."}

    def act(index):
        # ten threads per milestone: five approve, five dispute (by the freelancer or the company)
        milestone = milestones[index // 10]
        if index % 2:
            return "approve", approvers[index // 2].post(milestone_url(milestone.pk, "approve"), format="json")
        return "dispute", disputers[index // 2].post(milestone_url(milestone.pk, "dispute"), reason, format="json")

    results = responses(run_at_once(40, act))

    # Then on each milestone exactly one action won and the other nine answered 409, and the money matches it
    for position, milestone in enumerate(milestones):
        mine = results[position * 10:(position + 1) * 10]
        winners = [(action, response.status_code) for action, response in mine if response.status_code < 300]
        losers = Counter((action, response.json()["code"]) for action, response in mine
                         if response.status_code == 409)
        milestone.refresh_from_db()
        if winners == [("approve", 200)]:
            assert losers == {("approve", "milestone_not_approvable"): 4, ("dispute", "milestone_not_disputable"): 5}
            assert milestone.status == Milestone.Status.RELEASED
            assert Dispute.objects.filter(milestone=milestone).count() == 0
            assert balance(f"escrow:{milestone.pk}") == 0
            assert Transaction.objects.filter(kind=RELEASED, milestone=milestone).count() == 1
        else:
            assert winners == [("dispute", 201)]
            assert losers == {("approve", "milestone_not_approvable"): 5, ("dispute", "milestone_not_disputable"): 4}
            assert milestone.status == Milestone.Status.DISPUTED
            assert Dispute.objects.filter(milestone=milestone, status=Dispute.Status.OPEN).count() == 1
            assert balance(f"escrow:{milestone.pk}") == 2_000_000
            assert Transaction.objects.filter(kind=RELEASED, milestone=milestone).count() == 0
    released = Milestone.objects.filter(pk__in=[m.pk for m in milestones], status=Milestone.Status.RELEASED).count()
    assert balance(f"wallet:{freelancer.pk}") == released * 1_800_000
    ledger_balanced()


def test_the_last_two_milestones_approved_at_once_complete_the_contract_and_job(company, owner, freelancer):
    # Given five contracts, each with two funded, submitted milestones
    contracts = [contract_with(company, owner, freelancer, (700_000, 300_001)) for _ in range(5)]
    milestones = [m for contract in contracts for m in contract.milestones.order_by("position")]
    clients = [client_for(owner) for _ in milestones]

    # When both milestones of every contract are approved at the same moment (different milestones, no
    # milestone lock in common: only the contract row lock serializes the "was I the last one?" check)
    results = responses(run_at_once(10, lambda i: clients[i].post(milestone_url(milestones[i].pk, "approve"),
                                                                   format="json")))

    # Then every approval succeeded and every contract and its job completed, exactly once
    assert [response.status_code for response in results] == [200] * 10
    for contract in contracts:
        contract.refresh_from_db()
        assert contract.status == Contract.Status.COMPLETED
        assert contract.completed_at is not None
        assert Job.objects.get(pk=contract.job_id).status == Job.Status.COMPLETED
        assert JobStatusChange.objects.filter(job_id=contract.job_id, to_status=Job.Status.COMPLETED).count() == 1
    # 700.000 → 630.000 and 300.001 → 270.001 (fee floor(30.000,1) = 30.000), five times
    assert balance(f"wallet:{freelancer.pk}") == 5 * (630_000 + 270_001)
    assert balance("platform_fees") == 5 * (70_000 + 30_000)
    ledger_balanced()


# --- Funding and callbacks ------------------------------------------------------------------------------------


def test_twenty_concurrent_funds_of_one_milestone_open_one_checkout(company, owner, freelancer):
    # Given a pending milestone, and the owner and an admin
    admin = MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    milestone = contract_with(company, owner, freelancer, (1_500_000,), fund=False).milestones.get()
    clients = [client_for(owner if index % 2 else admin) for index in range(20)]

    # When both press "fund" twenty times at once
    results = responses(run_at_once(20, lambda i: clients[i].post(milestone_url(milestone.pk, "fund"), {},
                                                                   format="json")))

    # Then one checkout opened; the others were told a payment is already open
    assert Counter(response.status_code for response in results) == {201: 1, 409: 19}
    assert {response.json()["code"] for response in results if response.status_code == 409} == {"payment_pending"}
    opened = next(response.json() for response in results if response.status_code == 201)
    assert list(Payment.objects.filter(milestone=milestone).values_list("pk", "status")) == [
        (Payment.objects.get().pk, Payment.Status.PENDING)]
    assert str(Payment.objects.get().pk) == opened["id"]
    assert opened["checkout_url"].endswith(f"{API}/payments/sandbox/{opened['id']}/pay/")
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.PENDING
    assert Transaction.objects.count() == 0


def test_twenty_concurrent_funds_with_one_idempotency_key_replay_the_first_checkout(company, owner, freelancer):
    # Given a pending milestone
    milestone = contract_with(company, owner, freelancer, (1_500_000,), fund=False).milestones.get()
    clients = [client_for(owner) for _ in range(20)]

    # When the owner's client retries one "fund" twenty times at once under one Idempotency-Key (the key is
    # claimed in its own transaction, since the gateway is called outside any)
    results = responses(run_at_once(20, lambda i: clients[i].post(
        milestone_url(milestone.pk, "fund"), {}, format="json", HTTP_IDEMPOTENCY_KEY="fund-tahap-1-91ab")))

    # Then all get the one checkout: the first ran, nineteen waited and replayed it
    assert [response.status_code for response in results] == [201] * 20
    assert {response.json()["id"] for response in results} == {str(Payment.objects.get().pk)}
    assert Counter(response.get("Idempotent-Replayed") for response in results) == {"true": 19, None: 1}
    assert Payment.objects.filter(milestone=milestone, status=Payment.Status.PENDING).count() == 1


# --- Payouts --------------------------------------------------------------------------------------------------


def test_fifty_concurrent_payouts_never_overdraw_the_wallet(company, owner, freelancer):
    # Given a wallet holding Rp 1.000.000
    wallet_holding_a_million(company, owner, freelancer)
    clients = [client_for(freelancer) for _ in range(50)]

    # When fifty withdrawals of Rp 100.000 are requested at once
    results = responses(run_at_once(50, lambda i: clients[i].post(f"{API}/payouts/", {"amount": 100_000, **PAYOUT},
                                                                   format="json")))

    # Then exactly ten fit; forty were refused for the balance; nothing else (no deadlock, no 500)
    assert Counter(response.status_code for response in results) == {201: 10, 409: 40}
    assert {response.json()["code"] for response in results if response.status_code == 409} == {
        "insufficient_balance"}
    assert set(Payout.objects.filter(user=freelancer).values_list("amount", "status")) == {
        (100_000, Payout.Status.COMPLETED)}
    assert Payout.objects.filter(user=freelancer).count() == 10
    assert balance(f"wallet:{freelancer.pk}") == 0
    assert balance("payouts_in_transit") == 0
    assert balance("gateway:sandbox") == -1_111_111 + 1_000_000
    ledger_balanced()


def test_fifty_concurrent_payouts_of_random_amounts_never_overdraw_the_wallet(company, owner, freelancer):
    # Given a wallet holding Rp 1.000.000 and fifty withdrawals of random amounts (Rp 50.000 to 400.000)
    wallet_holding_a_million(company, owner, freelancer)
    draw = random.Random(7_341)
    amounts = [draw.randrange(50_000, 400_001) for _ in range(50)]
    clients = [client_for(freelancer) for _ in range(50)]

    # When they are all requested at once
    results = responses(run_at_once(50, lambda i: clients[i].post(
        f"{API}/payouts/", {"amount": amounts[i], **PAYOUT}, format="json")))

    # Then the accepted ones fit in the wallet, the wallet keeps exactly the rest, and each refused one was larger
    # than what was left (the balance only fell, so it was larger than the balance it saw too)
    statuses = Counter(response.status_code for response in results)
    assert set(statuses) == {201, 409}
    assert {response.json()["code"] for response in results if response.status_code == 409} == {
        "insufficient_balance"}
    accepted = [amount for amount, response in zip(amounts, results, strict=True) if response.status_code == 201]
    refused = [amount for amount, response in zip(amounts, results, strict=True) if response.status_code == 409]
    left = balance(f"wallet:{freelancer.pk}")
    assert sum(accepted) <= 1_000_000
    assert left == 1_000_000 - sum(accepted) >= 0
    assert min(refused) > left
    assert sorted(Payout.objects.filter(user=freelancer).values_list("amount", flat=True)) == sorted(accepted)
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.COMPLETED}
    ledger_balanced()


def test_twenty_concurrent_payouts_with_one_idempotency_key_pay_out_once(company, owner, freelancer):
    # Given a wallet holding Rp 1.000.000
    wallet_holding_a_million(company, owner, freelancer)
    clients = [client_for(freelancer) for _ in range(20)]

    # When one withdrawal of Rp 250.000 is retried twenty times at once under one Idempotency-Key
    results = responses(run_at_once(20, lambda i: clients[i].post(
        f"{API}/payouts/", {"amount": 250_000, **PAYOUT}, format="json", HTTP_IDEMPOTENCY_KEY="tarik-2026-11-30")))

    # Then one payout was made and the nineteen others replayed it
    assert [response.status_code for response in results] == [201] * 20
    assert {response.json()["id"] for response in results} == {str(Payout.objects.get().pk)}
    assert Counter(response.get("Idempotent-Replayed") for response in results) == {"true": 19, None: 1}
    assert balance(f"wallet:{freelancer.pk}") == 750_000
    ledger_balanced()


# --- Lock order with the database's own locks -------------------------------------------------------------------
# Foreign keys are checked at COMMIT (Django makes them DEFERRABLE INITIALLY DEFERRED): inserting a ledger
# transaction or a payment that references a contract or milestone takes FOR KEY SHARE on that row then. Row
# locks taken with FOR UPDATE conflict with it, and these two interleavings deadlocked (found by the random run
# below; fixed by locking with FOR NO KEY UPDATE). The tests stage each interleaving exactly: a third
# transaction holds one row lock so that each side stops where it used to, and the test waits until PostgreSQL
# shows both sides waiting (or the first side done) before it lets go.


class Worker(threading.Thread):
    """Runs `call` in a thread with its own connection; `result` is its return value or its exception."""

    def __init__(self, call):
        super().__init__()
        self.call, self.result = call, None

    def run(self):
        try:
            self.result = self.call()
        except Exception as error:  # the test asserts on it
            self.result = error
        finally:
            connection.close()


def waiting_on_locks() -> int:
    """How many sessions of this test database are waiting for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


@contextlib.contextmanager
def row_locked(queryset):
    """Hold FOR UPDATE on `queryset`'s row in another transaction until the block ends (like a slow request)."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            queryset.select_for_update().get()
            locked.set()
            release.wait(15)

    holder = Worker(hold)
    holder.start()
    assert locked.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join(15)
    assert holder.result is None, holder.result


def start_and_wait_until_blocked(call, waiting: int) -> Worker:
    """Start `call` in a thread and return once `waiting` sessions wait on locks (or the thread is done)."""
    worker = Worker(call)
    worker.start()
    wait_until(lambda: not worker.is_alive() or waiting_on_locks() >= waiting)
    return worker


def test_a_payment_callback_and_a_dispute_refund_on_one_contract_do_not_deadlock(company, owner, freelancer):
    # Given a contract whose first milestone has an open checkout and whose second is funded and disputed
    operator = UserFactory(is_staff=True)
    first, second = make_contract(company, owner, freelancer, amounts=(1_000_000, 2_000_000), **BUDGET) \
        .milestones.order_by("position")
    payment = escrow.milestone_fund(milestone_id=first.pk, actor=owner)
    assert deliver_paid(escrow.milestone_fund(milestone_id=second.pk, actor=owner)).outcome == "applied"
    dispute = escrow.milestone_dispute(milestone_id=second.pk, actor=freelancer, reason="Tidak sesuai brief.")

    # When an operator refunds the disputed milestone while the company's payment for the first one arrives: the
    # resolution locks the contract (and is held at the second milestone), then the callback locks the company's
    # funding account and reaches its COMMIT, then the resolution goes on to the funding account
    with row_locked(Milestone.objects.filter(pk=second.pk)):
        resolver = start_and_wait_until_blocked(lambda: escrow.dispute_resolve(
            dispute_id=dispute.pk, operator=operator, resolution="refund", note="Brief tidak dipenuhi."), 1)
        payer = start_and_wait_until_blocked(lambda: deliver_paid(payment), 2)
    resolver.join(15)
    payer.join(15)

    # Then both complete (one waits for the other), and the books agree
    assert isinstance(resolver.result, Dispute), resolver.result
    assert payer.result == webhooks.WebhookResult(status=200, outcome="applied"), payer.result
    assert Milestone.objects.get(pk=first.pk).status == Milestone.Status.FUNDED
    assert Milestone.objects.get(pk=second.pk).status == Milestone.Status.REFUNDED
    assert balance(f"escrow:{first.pk}") == 1_000_000
    ledger_balanced()


def test_an_approval_while_the_milestones_payment_is_applied_does_not_deadlock(company, owner, freelancer):
    # Given a milestone with an open checkout, and the company's funding account
    milestone = make_contract(company, owner, freelancer, amounts=(1_000_000,), **BUDGET).milestones.get()
    payment = escrow.milestone_fund(milestone_id=milestone.pk, actor=owner)
    funding = ledger.company_funding_account(company.pk)
    client = client_for(owner)

    # When the owner presses "approve" while the payment callback is being applied: the callback holds the
    # milestone (and is held at the funding account), the approval locks the contract and waits for the milestone
    with row_locked(Account.objects.filter(pk=funding.pk)):
        payer = start_and_wait_until_blocked(lambda: deliver_paid(payment), 1)
        approver = start_and_wait_until_blocked(
            lambda: client.post(milestone_url(milestone.pk, "approve"), format="json"), 2)
    payer.join(15)
    approver.join(15)

    # Then the callback funds the escrow and the approval, served right after it, releases it
    assert payer.result == webhooks.WebhookResult(status=200, outcome="applied"), payer.result
    assert getattr(approver.result, "status_code", approver.result) == 200
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.RELEASED
    assert balance(f"wallet:{freelancer.pk}") == 900_000
    ledger_balanced()
