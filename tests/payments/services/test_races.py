"""Money under races, for real, through the services: threads with their own PostgreSQL connections deliver one
callback a hundred times, post under one idempotency key, and run random lifecycles of concurrent operations
(`tests.concurrency.run_at_once`). The races through the API: api/test_races.py.

`select_for_update` is a no-op on SQLite, so these run on PostgreSQL only. A thread's failure (deadlock, 500,
integrity error) comes back as the exception or response in its slot; every test asserts the exact outcome of
every slot."""

import datetime
import random
from collections import Counter, deque

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from bantu.core.exceptions import Conflict
from bantu.core.money import fee_for
from companies.models import Membership
from jobs.models import Job
from payments import ledger
from payments.gateways.base import EventKind, GatewayEvent, TransferStatus
from payments.models import Account, Dispute, Entry, Payment, Payout, Refund, Transaction, WebhookEvent
from payments.services import escrow, payouts, refunds, webhooks
from proposals.models import Contract, Milestone
from tests.concurrency import run_at_once
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory

from ..helpers import (
    BUDGET,
    balance,
    contract_with,
    deliver_paid,
    ledger_balanced,
    make_contract,
    paid_callback,
    responses,
)

# One xdist worker runs every thread race (`make test` uses --dist loadgroup): two at once on two workers would
# need more connections than PostgreSQL allows (100).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.xdist_group("thread_races")]

RELEASED = Transaction.Kind.ESCROW_RELEASED


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


def test_two_operators_retrying_one_failed_refund_at_once_send_it_once(company, owner, freelancer, monkeypatch):
    # Given a failed refund of Rp 1.000.000 (back in the company's funding account), and as much again there;
    # refunds are not sent to the gateway (the test fails the first one itself)
    monkeypatch.setattr(refunds, "enqueue_on_commit", lambda *args: None)
    milestone = contract_with(company, owner, freelancer, (1_000_000,), submit=False).milestones.get()
    dispute = escrow.milestone_dispute(milestone_id=milestone.pk, actor=owner, reason="Proyek dibatalkan.")
    operators = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    escrow.dispute_resolve(dispute_id=dispute.pk, operator=operators[0], resolution="refund", note="Batal.")
    failed = Refund.objects.get()
    with transaction.atomic():
        refunds.refund_event_apply(GatewayEvent(gateway="sandbox", event_id="refund-failed", kind=EventKind.REFUND,
                                                reference=str(failed.pk), status=TransferStatus.FAILED,
                                                failure_reason="Rekening ditutup."))
    funding = f"company:{company.pk}"
    Account.objects.filter(key=funding).update(balance=2_000_000)  # the other money, without its history

    # When two operators send it again at the same moment
    results = run_at_once(2, lambda index: refunds.refund_retry(refund_id=failed.pk, operator=operators[index]))

    # Then one new refund takes Rp 1.000.000; the other operator is told it was sent already
    retries = [result for result in results if isinstance(result, Refund)]
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(retries) == len(refused) == 1, results
    assert refused[0].code == "refund_already_retried"
    assert list(Refund.objects.filter(retry_of=failed).values_list("pk", "amount")) == [(retries[0].pk, 1_000_000)]
    assert balance(funding) == 1_000_000
