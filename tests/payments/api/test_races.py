"""Money under races, for real: threads with their own PostgreSQL connections (and their own JWTs) hit the API
and the services at the same moment (`tests.concurrency.run_at_once`).

`select_for_update` is a no-op on SQLite, so these run on PostgreSQL only. A thread's failure (deadlock, 500,
integrity error) comes back as the exception or response in its slot; every test asserts the exact outcome of
every slot. The server allows 100 connections, so no test holds more than 50 threads at once (and only the
two payout tests hold that many: the brief's fifty withdrawals at once)."""

import contextlib
import datetime
import random
import threading
import time
from collections import Counter, deque

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from bantu.core.exceptions import Conflict
from bantu.core.money import fee_for
from companies.models import Membership
from jobs.models import Job, JobStatusChange
from payments import ledger
from payments.gateways import sandbox
from payments.models import Account, Dispute, Entry, Payment, Payout, Refund, Transaction, WebhookEvent
from payments.services import escrow, payouts, refunds, webhooks
from proposals.models import Contract, Milestone
from tests.concurrency import run_at_once
from tests.conftest import client_for
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory

from ..helpers import API, balance, ledger_balanced, make_contract, milestone_url

# One xdist worker runs every thread race (`make test` uses --dist loadgroup): two at once on two workers would
# need more connections than PostgreSQL allows (100).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.xdist_group("thread_races")]

RELEASED = Transaction.Kind.ESCROW_RELEASED
PAYOUT = {"bank_code": "BCA", "account_number": "1234567890", "account_holder_name": "Budi Santoso"}
BUDGET = {"budget_min": 100_000, "budget_max": 50_000_000}


def responses(results: list) -> list:
    """The threads' responses; a thread that raised (a deadlock, a broken connection) fails the test here."""
    raised = [result for result in results if isinstance(result, BaseException)]
    assert raised == [], raised
    return results


def paid_callback(payment: Payment) -> tuple[dict, bytes]:
    """The sandbox gateway's signed "paid" delivery for `payment`, as its checkout page sends it."""
    return sandbox.callback(kind="payment", reference=payment.external_id, status="paid", amount=payment.amount,
                            event_id=f"sandbox:{payment.pk}:paid")


def deliver_paid(payment: Payment) -> webhooks.WebhookResult:
    headers, body = paid_callback(payment)
    return webhooks.webhook_receive(gateway="sandbox", headers=headers, body=body)


def contract_with(company, owner, freelancer, amounts, *, fund=True, submit=True) -> Contract:
    """An active contract whose milestones are funded (through the sandbox) and submitted, as asked."""
    contract = make_contract(company, owner, freelancer, amounts=amounts, **BUDGET)
    for milestone in contract.milestones.order_by("position"):
        if fund:
            assert deliver_paid(escrow.milestone_fund(milestone_id=milestone.pk, actor=owner)).outcome == "applied"
        if fund and submit:
            escrow.milestone_submit(milestone_id=milestone.pk, actor=freelancer)
    return contract


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


def test_one_callback_delivered_a_hundred_times_at_once_moves_the_money_once(company, owner, freelancer):
    # Given a pending payment of Rp 3.250.000 and its signed "paid" callback
    milestone = contract_with(company, owner, freelancer, (3_250_000,), fund=False).milestones.get()
    payment = escrow.milestone_fund(milestone_id=milestone.pk, actor=owner)
    headers, body = paid_callback(payment)

    # When the gateway delivers it 100 times concurrently (25 threads, four deliveries each: the server allows
    # 100 connections, shared with the other test worker under `make test`)
    def deliver_four_times(_):
        return [webhooks.webhook_receive(gateway="sandbox", headers=headers, body=body) for _ in range(4)]

    results = [result for batch in responses(run_at_once(25, deliver_four_times)) for result in batch]

    # Then one delivery applied it and 99 were recognized as duplicates; the money was captured and escrowed once
    assert Counter((result.status, result.outcome) for result in results) == {(200, "applied"): 1,
                                                                              (200, "duplicate"): 99}
    assert Counter(Transaction.objects.values_list("kind", flat=True)) == {
        Transaction.Kind.PAYMENT_CAPTURED: 1, Transaction.Kind.ESCROW_FUNDED: 1}
    assert list(WebhookEvent.objects.values_list("event_id", "outcome")) == [
        (f"sandbox:{payment.pk}:paid", WebhookEvent.Outcome.APPLIED)]
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED
    assert balance(f"escrow:{milestone.pk}") == 3_250_000
    assert balance(f"company:{company.pk}") == 0
    assert balance("gateway:sandbox") == -3_250_000
    assert Refund.objects.count() == 0
    ledger_balanced()


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


# --- The ledger itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("owned", [True, False], ids=["owned_accounts", "platform_accounts_only"])
def test_concurrent_posts_under_one_idempotency_key_post_once(owned, company):
    # Given a posting that twenty workers retry at the same moment (a redelivered task): between owned accounts
    # (serialized by their row locks) or between platform-wide ones (no lock: only the unique key stops it)
    funding, clearing = ledger.company_funding_account(company.pk), ledger.gateway_clearing_account("sandbox")
    fees = ledger.platform_fees_account()
    with transaction.atomic():
        ledger.post(kind=Transaction.Kind.PAYMENT_CAPTURED, idempotency_key="seed",
                    legs=[ledger.Leg(clearing, -500_000), ledger.Leg(funding, 500_000)])
    source, destination = (funding, ledger.refunds_in_transit_account()) if owned else (clearing, fees)

    def post(_):
        with transaction.atomic():
            posted = ledger.post(kind=Transaction.Kind.REFUND_REQUESTED, idempotency_key="refund:7:request",
                                 legs=[ledger.Leg(source, -200_000), ledger.Leg(destination, 200_000)])
        return posted is not None

    # When all of them post it
    results = responses(run_at_once(20, post))

    # Then one posted and nineteen found the key taken, without an error
    assert Counter(results) == {True: 1, False: 19}
    assert Transaction.objects.filter(idempotency_key="refund:7:request").count() == 1
    assert balance(destination.key) == 200_000
    assert balance(source.key) == (300_000 if owned else -700_000)
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


# --- A long random run ----------------------------------------------------------------------------------------

EXPECTED_REFUSALS = {
    "milestone_not_approvable", "milestone_not_funded", "milestone_not_disputable", "milestone_not_submittable",
    "milestone_already_funded", "payment_pending", "insufficient_balance", "contract_not_active",
    "dispute_already_resolved",
}
LIFECYCLES = ["approve", "approve", "approve_unsubmitted", "auto", "dispute_release", "dispute_refund",
              "dispute_split", "paid_twice", "paid_twice_late_first", "left_funded", "left_pending"]
BATCH = 8


class World:
    """The parties of the random run: companies (each with its owner), freelancers, an operator, contracts."""

    def __init__(self, rng: random.Random):
        companies = [CompanyFactory() for _ in range(3)]
        self.owner_of = {company.pk: MembershipFactory(company=company, role=Membership.Role.OWNER).user
                         for company in companies}
        self.freelancers = [FreelancerProfileFactory().user for _ in range(4)]
        self.operator = UserFactory(is_staff=True)
        self.contracts = []
        for index in range(10):
            company = companies[index % 3]
            amounts = tuple(rng.randrange(100_000, 3_000_000) for _ in range(4))
            self.contracts.append(make_contract(company, self.owner_of[company.pk],
                                                self.freelancers[index % 4], amounts=amounts, **BUDGET))
        self.milestones = [m for contract in self.contracts for m in contract.milestones.select_related("contract")
                           .order_by("position")]

    def owner(self, milestone):
        return self.owner_of[milestone.contract.company_id]

    def freelancer(self, milestone):
        return next(user for user in self.freelancers if user.pk == milestone.contract.freelancer_id)


def lifecycle(rng: random.Random, index: int, milestone: Milestone) -> list[tuple]:
    """The steps one milestone goes through (each step one operation; a racing rival may be added later)."""
    kind = rng.choice(LIFECYCLES)
    fund, pay, submit, approve = ("fund", index), ("pay", index), ("submit", index), ("approve", index)
    # paid twice: the first checkout lapses and a second one opens; both are paid, in either order
    twice = [fund, ("fund_again", index)]
    if kind.startswith("dispute_"):
        resolution = kind.removeprefix("dispute_")
        released = rng.randrange(1, milestone.amount) if resolution == "split" else None
        maybe_submit = [submit] if rng.random() < 0.5 else []
        return [fund, pay, *maybe_submit, ("dispute", index, rng.choice(["freelancer", "company"])),
                ("resolve", index, resolution, released)]
    return {
        "approve": [fund, pay, submit, approve],
        "approve_unsubmitted": [fund, pay, approve],
        "auto": [fund, pay, submit, ("auto_approve", index)],
        "paid_twice": [*twice, pay, ("pay_lapsed", index), submit, approve],
        "paid_twice_late_first": [*twice, ("pay_lapsed", index), pay, approve],
        "left_funded": [fund, pay],
        "left_pending": [fund],
    }[kind]


def rival(rng: random.Random, op: tuple) -> tuple:
    """An operation racing `op` in the same batch: the same one again, or its natural opponent."""
    if op[0] == "approve":
        return rng.choice([op, ("dispute", op[1], "freelancer")])
    if op[0] == "dispute":
        return ("approve", op[1])
    return op


def plan_of(rng: random.Random, world: World) -> list[list[tuple]]:
    """Batches of operations: each milestone's steps in order (one per batch), payouts per freelancer, rivals,
    and the refund worker now and then. Deterministic for a seed."""
    queues = {f"m{index:02}": deque(lifecycle(rng, index, milestone))
              for index, milestone in enumerate(world.milestones)}
    for index in range(len(world.freelancers)):
        queues[f"f{index}"] = deque(
            ("payout", index, rng.randrange(50_000, 1_500_000),
             f"{rng.randrange(1_000_000, 9_999_999)}{'000' if rng.random() < 0.25 else '123'}")
            for _ in range(15))
    queues = {key: steps for key, steps in queues.items() if steps}
    batches = []
    while queues:
        batch = []
        for key in rng.sample(sorted(queues), min(BATCH, len(queues))):
            op = queues[key].popleft()
            batch.append(op)
            if rng.random() < 0.2:
                batch.append(rival(rng, op))
            if not queues[key]:
                del queues[key]
        if rng.random() < 0.25:
            batch.append(("refund_worker",))
        batches.append(batch)
    return batches


def op_payout(world: World, index: int, amount: int, account_number: str) -> None:
    payouts.payout_request(user=world.freelancers[index], amount=amount, bank_code="BCA",
                           account_number=account_number, account_holder_name="Siti Rahma")


def op_refund_worker(world: World) -> None:
    """What the Celery worker does with the refunds that commits enqueued."""
    for refund_id in Refund.objects.filter(status=Refund.Status.PENDING).values_list("pk", flat=True):
        refunds.refund_submit(refund_id=refund_id)


def op_fund(world: World, index: int) -> None:
    milestone = world.milestones[index]
    escrow.milestone_fund(milestone_id=milestone.pk, actor=world.owner(milestone))


def op_fund_again(world: World, index: int) -> None:
    """The open checkout lapses (its expiry moved into the past) and the company opens a new one."""
    milestone = world.milestones[index]
    Payment.objects.filter(milestone=milestone, status=Payment.Status.PENDING).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    escrow.milestone_fund(milestone_id=milestone.pk, actor=world.owner(milestone))


def op_pay(world: World, index: int) -> str | None:
    """The payer pays the open checkout (the sandbox page posts its callback)."""
    return _pay(world, index, Payment.Status.PENDING)


def op_pay_lapsed(world: World, index: int) -> str | None:
    """Money arrives anyway for the checkout that lapsed: captured, then escrowed or refunded."""
    return _pay(world, index, Payment.Status.EXPIRED)


def _pay(world: World, index: int, status: str) -> str | None:
    payment = Payment.objects.filter(milestone=world.milestones[index], status=status).order_by(
        "created_at").first()
    if payment is None:
        return "skipped"
    result = deliver_paid(payment)
    assert result.status == 200, result
    return None


def op_submit(world: World, index: int) -> None:
    milestone = world.milestones[index]
    escrow.milestone_submit(milestone_id=milestone.pk, actor=world.freelancer(milestone))


def op_approve(world: World, index: int) -> None:
    milestone = world.milestones[index]
    escrow.milestone_approve(milestone_id=milestone.pk, actor=world.owner(milestone))


def op_auto_approve(world: World, index: int) -> None:
    """The review period runs out (moved into the past) and the beat task approves what is due."""
    Milestone.objects.filter(pk=world.milestones[index].pk, status=Milestone.Status.SUBMITTED).update(
        auto_approve_at=timezone.now() - datetime.timedelta(minutes=1))
    escrow.milestones_auto_approve_due()


def op_dispute(world: World, index: int, side: str) -> None:
    milestone = world.milestones[index]
    actor = world.freelancer(milestone) if side == "freelancer" else world.owner(milestone)
    escrow.milestone_dispute(milestone_id=milestone.pk, actor=actor, reason="Tidak sesuai brief.")


def op_resolve(world: World, index: int, resolution: str, released: int | None) -> str | None:
    dispute = Dispute.objects.filter(milestone=world.milestones[index], status=Dispute.Status.OPEN).first()
    if dispute is None:  # the dispute lost its race against an approval
        return "skipped"
    escrow.dispute_resolve(dispute_id=dispute.pk, operator=world.operator, resolution=resolution,
                           note="Diputuskan oleh operator.", released_amount=released)
    return None


OPERATIONS = {"payout": op_payout, "refund_worker": op_refund_worker, "fund": op_fund, "fund_again": op_fund_again,
              "pay": op_pay, "pay_lapsed": op_pay_lapsed, "submit": op_submit, "approve": op_approve,
              "auto_approve": op_auto_approve, "dispute": op_dispute, "resolve": op_resolve}


def execute(world: World, op: tuple) -> str:
    """Run one operation through the services; "ok", "skipped", or the code of an expected refusal (anything
    else raises and fails the run)."""
    try:
        return OPERATIONS[op[0]](world, *op[1:]) or "ok"
    except Conflict as refused:
        if refused.code not in EXPECTED_REFUSALS:
            raise
        return refused.code


def released_gross(milestone: Milestone) -> int:
    """What left the milestone's escrow to the freelancer (before the fee), from the domain rows."""
    if milestone.status != Milestone.Status.RELEASED:
        return 0
    dispute = Dispute.objects.filter(milestone=milestone, status=Dispute.Status.RESOLVED).first()
    return dispute.released_amount if dispute else milestone.amount


def total(queryset, field="amount") -> int:
    return queryset.aggregate(total=Sum(field))["total"] or 0


def assert_running_balances() -> None:
    """Each owned entry's balance_after is the running sum of its account's entries, and never negative."""
    for account in Account.objects.filter(kind__in=Account.TRACKED_KINDS):
        running = 0
        for amount, balance_after in Entry.objects.filter(account=account).order_by("created_at", "id") \
                .values_list("amount", "balance_after"):
            running += amount
            assert balance_after == running >= 0, account.key


def test_a_random_run_of_concurrent_operations_keeps_the_books_exact():
    # Given ten contracts of four milestones (random amounts), three companies, four freelancers, and a seeded plan
    # of fund/pay/pay-twice/submit/approve/auto-approve/dispute/resolve/payout/refund steps, run in batches of
    # about eight threads at once (with rivals racing some steps)
    rng = random.Random(20261130)
    world = World(rng)
    plan = plan_of(rng, world)
    outcomes = Counter()

    # When the whole plan runs
    for batch in plan:
        results = run_at_once(len(batch), lambda i, batch=batch: execute(world, batch[i]))
        unexpected = [(op, result) for op, result in zip(batch, results, strict=True)
                      if isinstance(result, BaseException)]
        assert unexpected == [], unexpected
        outcomes.update((op[0], result) for op, result in zip(batch, results, strict=True))
    execute(world, ("refund_worker",))  # the worker's last sweep (Celery is not eager when REDIS_URL is set)

    # Then the plan was a real workout (a few hundred operations that moved money in every way)
    assert sum(outcomes.values()) >= 250, outcomes
    for moved in ["fund", "pay", "pay_lapsed", "submit", "approve", "auto_approve", "dispute", "resolve", "payout"]:
        assert outcomes[(moved, "ok")] > 0, (moved, outcomes)
    assert outcomes[("payout", "insufficient_balance")] > 0, outcomes
    assert Payout.objects.filter(status=Payout.Status.FAILED).exists()

    # ... every transaction sums to zero, stored balances equal their entries, nothing is negative
    ledger_balanced()
    assert_running_balances()
    assert not Account.objects.filter(balance__lt=0).exists()
    assert total(Entry.objects) == 0

    # ... the fee is floor(10%) of each released amount, and escrow holds exactly the open milestones' amounts
    milestones = list(Milestone.objects.filter(pk__in=[m.pk for m in world.milestones]).select_related("contract"))
    gross = {m.pk: released_gross(m) for m in milestones}
    fees = {m.pk: fee_for(gross[m.pk], m.contract.platform_fee_bps) for m in milestones}
    assert {m.contract.platform_fee_bps for m in milestones} == {1_000}
    assert balance("platform_fees") == sum(fees.values())
    assert Transaction.objects.filter(kind=RELEASED).count() == sum(1 for value in gross.values() if value)
    held = (Milestone.Status.FUNDED, Milestone.Status.SUBMITTED, Milestone.Status.DISPUTED)
    for m in milestones:
        escrow_balance = balance(f"escrow:{m.pk}") if Account.objects.filter(key=f"escrow:{m.pk}").exists() else 0
        assert escrow_balance == (m.amount if m.status in held else 0), (m.pk, m.status)

    # ... every wallet is its releases net of the fee minus its payouts that completed or are still in flight
    for user in world.freelancers:
        earned = sum(gross[m.pk] - fees[m.pk] for m in milestones if m.contract.freelancer_id == user.pk)
        paid_out = total(Payout.objects.filter(user=user, status__in=[
            Payout.Status.PENDING, Payout.Status.PROCESSING, Payout.Status.COMPLETED]))
        wallet = balance(f"wallet:{user.pk}") if Account.objects.filter(key=f"wallet:{user.pk}").exists() else 0
        assert wallet == earned - paid_out, user.pk

    # ... every rupiah paid in that no milestone needed, and every refunded part of a dispute, went back (the
    # sandbox refunds at once), so the companies' funding accounts are empty again
    paid = Payment.objects.filter(status=Payment.Status.PAID)
    assert paid.filter(applied_to_escrow=False).exists()
    for payment in paid.filter(applied_to_escrow=False):
        assert list(payment.refunds.values_list("amount", "status")) == [(payment.amount, Refund.Status.SUCCEEDED)]
    refunded_in_disputes = total(Dispute.objects.filter(status=Dispute.Status.RESOLVED), "refunded_amount")
    assert total(Refund.objects.filter(status=Refund.Status.SUCCEEDED)) == (
        total(paid.filter(applied_to_escrow=False)) + refunded_in_disputes)
    assert not Refund.objects.exclude(status=Refund.Status.SUCCEEDED).exists()
    assert set(Account.objects.filter(kind=Account.Kind.COMPANY_FUNDING).values_list("balance", flat=True)) == {0}
    for m in milestones:
        applied = Payment.objects.filter(milestone=m, status=Payment.Status.PAID, applied_to_escrow=True).count()
        assert applied == (0 if m.status == Milestone.Status.PENDING else 1), (m.pk, m.status)

    # ... money is conserved: what the platform holds at the gateway is exactly what is still inside it
    inside = (total(Account.objects.filter(kind__in=Account.TRACKED_KINDS), "balance") + balance("platform_fees")
              + balance("payouts_in_transit") + balance("refunds_in_transit"))
    assert -balance("gateway:sandbox") == inside
    assert inside == (total(paid) - total(Refund.objects.filter(status=Refund.Status.SUCCEEDED))
                      - total(Payout.objects.filter(status=Payout.Status.COMPLETED)))

    # ... and a contract is completed exactly when all of its milestones are settled
    for contract in Contract.objects.filter(pk__in=[c.pk for c in world.contracts]).select_related("job"):
        settled = not contract.milestones.exclude(status__in=Milestone.SETTLED_STATUSES).exists()
        assert (contract.status == Contract.Status.COMPLETED) == settled, contract.pk
        assert (contract.job.status == Job.Status.COMPLETED) == settled, contract.pk
