"""The ledger's rules (docs/payments.md, "The ledger"), enforced twice: by `payments.ledger.post()` and by the
database on its own (check constraints; append-only triggers on both databases; on PostgreSQL a deferred
constraint trigger that refuses an unbalanced transaction at commit, migration 0002).

The database-side tests write raw SQL on purpose: they prove that no code path — not even one that skips
`post()` — can break the rules. Each statement that must fail runs in its own `transaction.atomic()` so that the
failure rolls back to a savepoint (PostgreSQL aborts the whole transaction otherwise) and the test can then read
what is left."""

import decimal
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from payments import ledger
from payments.ledger import InsufficientFunds, Leg, UnbalancedTransaction
from payments.models import Account, Entry, Transaction

from ..helpers import ledger_balanced

CAPTURED = Transaction.Kind.PAYMENT_CAPTURED


@pytest.fixture
def funding(company):
    """An owned account: the company's funding (a stored balance that may never go below zero)."""
    return ledger.company_funding_account(company.pk)


@pytest.fixture
def clearing(db):
    """A platform-wide account: the sandbox gateway's clearing (derived balance, may be negative)."""
    return ledger.gateway_clearing_account("sandbox")


@pytest.fixture
def fees(db):
    return ledger.platform_fees_account()


def capture(funding, clearing, amount: int, key: str) -> Transaction:
    """Money paid in at the gateway: clearing → the company's funding account."""
    with transaction.atomic():
        return ledger.post(kind=CAPTURED, idempotency_key=key, legs=[Leg(clearing, -amount), Leg(funding, amount)])


def move(source, destination, amount: int, key: str, kind=Transaction.Kind.ESCROW_FUNDED) -> Transaction:
    with transaction.atomic():
        return ledger.post(kind=kind, idempotency_key=key, legs=[Leg(source, -amount), Leg(destination, amount)])


def stored_balance(account) -> int | None:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def entries_total(account) -> int:
    return Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0


def db_value(model, field: str, value):
    """`value` as the database stores `model.field` (SQLite keeps UUIDs as 32 hex characters)."""
    return model._meta.get_field(field).get_db_prep_value(value, connection)


# --- post(): what it refuses ------------------------------------------------------------------------------


INVALID_POSTINGS = {
    # name: (legs built from (funding, clearing, fees), the message it is refused with)
    "unbalanced": (lambda f, c, p: [Leg(c, -1_000), Leg(f, 999)], "Entries sum to -1, not 0."),
    "unbalanced_three_legs": (lambda f, c, p: [Leg(c, -1_000), Leg(f, 900), Leg(p, 101)],
                              "Entries sum to 1, not 0."),
    "zero_amount": (lambda f, c, p: [Leg(c, -1_000), Leg(f, 1_000), Leg(p, 0)],
                    "Entry amounts are non-zero integer rupiah."),
    "float_amount": (lambda f, c, p: [Leg(c, -1_000.0), Leg(f, 1_000.0)],
                     "Entry amounts are non-zero integer rupiah."),
    "bool_amount": (lambda f, c, p: [Leg(c, -1), Leg(f, True)], "Entry amounts are non-zero integer rupiah."),
    "decimal_amount": (lambda f, c, p: [Leg(c, decimal.Decimal("-1000")), Leg(f, decimal.Decimal("1000"))],
                       "Entry amounts are non-zero integer rupiah."),
    "no_legs": (lambda f, c, p: [], "A transaction needs at least two entries."),
    "one_leg": (lambda f, c, p: [Leg(f, 1_000)], "A transaction needs at least two entries."),
    "account_twice": (lambda f, c, p: [Leg(c, -1_000), Leg(f, 400), Leg(f, 600)],
                      "An account appears twice in one transaction."),
}


@pytest.mark.parametrize("case", INVALID_POSTINGS)
def test_post_refuses_an_invalid_posting_and_writes_nothing(case, funding, clearing, fees):
    # Given a funding account holding Rp 5.000 (one transaction of two entries)
    capture(funding, clearing, 5_000, "capture:1")
    build, message = INVALID_POSTINGS[case]

    # When an invalid posting is attempted
    with transaction.atomic(), pytest.raises(UnbalancedTransaction) as refused:
        ledger.post(kind=CAPTURED, idempotency_key="invalid", legs=build(funding, clearing, fees))

    # Then it is refused as a programming error, and nothing was written
    assert str(refused.value) == message
    assert Transaction.objects.count() == 1
    assert Entry.objects.count() == 2
    assert stored_balance(funding) == 5_000
    assert entries_total(clearing) == -5_000
    assert entries_total(fees) == 0


def test_post_with_a_used_idempotency_key_posts_nothing_again(funding, clearing):
    # Given a posting under "payment:42:capture"
    first = capture(funding, clearing, 250_000, "payment:42:capture")

    # When the same business event is posted again (a retried task), even with other legs
    again = capture(funding, clearing, 250_000, "payment:42:capture")
    different = capture(funding, clearing, 999_999, "payment:42:capture")

    # Then the first posting stands alone: no new rows, balances unchanged
    assert first is not None
    assert again is None
    assert different is None
    assert list(Transaction.objects.values_list("pk", flat=True)) == [first.pk]
    assert Entry.objects.count() == 2
    assert stored_balance(funding) == 250_000
    assert entries_total(clearing) == -250_000
    ledger_balanced()


@pytest.mark.parametrize("owned", ["company_funding", "escrow", "wallet"])
def test_post_refuses_to_take_an_owned_account_below_zero(owned, funding, clearing, milestone, freelancer):
    # Given funding Rp 400.000, escrow Rp 350.000 and a wallet Rp 250.000
    escrow, wallet = ledger.escrow_account(milestone), ledger.wallet_account(freelancer.pk)
    capture(funding, clearing, 1_000_000, "capture:1")
    move(funding, escrow, 600_000, "escrow:1")
    move(escrow, wallet, 250_000, "release:1", kind=Transaction.Kind.ESCROW_RELEASED)
    account = {"company_funding": funding, "escrow": escrow, "wallet": wallet}[owned]
    held = {"company_funding": 400_000, "escrow": 350_000, "wallet": 250_000}[owned]
    before = (Transaction.objects.count(), Entry.objects.count())

    # When one rupiah more than it holds is taken out of it
    with transaction.atomic():
        with pytest.raises(InsufficientFunds) as refused:
            ledger.post(kind=Transaction.Kind.PAYOUT_REQUESTED, idempotency_key="too-much",
                        legs=[Leg(account, -(held + 1)), Leg(clearing, held + 1)])
        # (read inside the caller's transaction: post() itself wrote nothing before refusing)
        written = (Transaction.objects.count(), Entry.objects.count())

    # Then a 409 insufficient_funds names the account and the numbers, and nothing was written
    assert (refused.value.status_code, refused.value.code) == (409, "insufficient_funds")
    assert (refused.value.account.pk, refused.value.available, refused.value.needed) == (account.pk, held, held + 1)
    assert written == before == (3, 6)
    assert [stored_balance(funding), stored_balance(escrow), stored_balance(wallet)] == [400_000, 350_000, 250_000]
    ledger_balanced()


def test_post_may_empty_an_owned_account_to_exactly_zero(funding, clearing, milestone):
    # Given a funding account holding Rp 600.000
    capture(funding, clearing, 600_000, "capture:1")
    escrow = ledger.escrow_account(milestone)

    # When all of it moves into escrow
    posted = move(funding, escrow, 600_000, "escrow:1")

    # Then the boundary is allowed: zero is not below zero
    assert posted is not None
    assert stored_balance(funding) == 0
    assert stored_balance(escrow) == 600_000
    ledger_balanced()


def test_balance_after_is_the_running_balance_of_each_owned_entry(funding, clearing, milestone):
    # Given a sequence of movements in and out of the company's funding account
    escrow = ledger.escrow_account(milestone)
    capture(funding, clearing, 1_000_000, "capture:1")
    capture(funding, clearing, 2_500_000, "capture:2")
    move(funding, escrow, 1_200_000, "escrow:1")
    capture(funding, clearing, 300_000, "capture:3")
    move(funding, clearing, 2_600_000, "refund:1", kind=Transaction.Kind.REFUND_REQUESTED)

    # Then each funding entry records the balance right after it, and the stored balance is the sum of entries
    funding_lines = list(Entry.objects.filter(account=funding).order_by("created_at", "id")
                         .values_list("amount", "balance_after"))
    assert funding_lines == [(1_000_000, 1_000_000), (2_500_000, 3_500_000), (-1_200_000, 2_300_000),
                             (300_000, 2_600_000), (-2_600_000, 0)]
    assert stored_balance(funding) == entries_total(funding) == 0
    assert list(Entry.objects.filter(account=escrow).values_list("amount", "balance_after")) == [
        (1_200_000, 1_200_000)]
    assert stored_balance(escrow) == entries_total(escrow) == 1_200_000
    # Platform-wide accounts keep no stored balance: theirs is derived from the entries
    assert stored_balance(clearing) is None
    assert set(Entry.objects.filter(account=clearing).values_list("balance_after", flat=True)) == {None}
    assert ledger.balance_of(clearing) == entries_total(clearing) == -1_200_000
    assert ledger.balance_of(funding) == 0
    ledger_balanced()


# serialized_rollback: the flush after this test must not re-create content types under new ids (post_migrate),
# or the serialized reload of the next transactional test collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_post_outside_a_transaction_raises_runtime_error(company):
    # Given accounts, and no transaction.atomic() around the call (autocommit)
    funding = ledger.company_funding_account(company.pk)
    clearing = ledger.gateway_clearing_account("sandbox")

    # When post() is called: the balance locks would be released at once, so it must refuse
    with pytest.raises(RuntimeError, match=r"must run inside transaction\.atomic"):
        ledger.post(kind=CAPTURED, idempotency_key="capture:1", legs=[Leg(clearing, -1_000), Leg(funding, 1_000)])

    # Then nothing was written
    assert Transaction.objects.count() == 0
    assert Entry.objects.count() == 0
    assert stored_balance(funding) == 0


# --- The database's own rules (both databases) ------------------------------------------------------------

APPEND_ONLY = {
    "update_entry": "UPDATE payments_entry SET amount = amount * 2",
    "delete_entry": "DELETE FROM payments_entry",
    "update_transaction": "UPDATE payments_transaction SET description = 'edited'",
    "delete_transaction": "DELETE FROM payments_transaction",
}


@pytest.mark.parametrize("statement", APPEND_ONLY)
def test_database_refuses_update_and_delete_of_posted_rows(statement, funding, clearing):
    # Given a posted transaction
    posted = capture(funding, clearing, 750_000, "capture:1")

    # When raw SQL tries to change or remove it, past post() and the ORM
    with pytest.raises(IntegrityError, match="append-only") as refused, transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY[statement])

    # Then the triggers refused it — IntegrityError itself on both databases: SQLite's RAISE(ABORT) is a
    # constraint failure, PostgreSQL's restrict_violation (23001) is in class 23 — and the rows are as posted
    assert type(refused.value) is IntegrityError
    assert getattr(refused.value.__cause__, "sqlstate", None) == (
        "23001" if connection.vendor == "postgresql" else None)
    assert list(Transaction.objects.values_list("pk", "description")) == [(posted.pk, "")]
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-750_000, 750_000]
    ledger_balanced()


def test_database_refuses_an_owned_balance_below_zero(funding, clearing):
    # Given a funding account holding Rp 10.000
    capture(funding, clearing, 10_000, "capture:1")

    # When raw SQL sets its balance to -1
    with pytest.raises(IntegrityError, match="payments_account_balance_not_negative"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_account SET balance = -1 WHERE key = %s", [funding.key])

    # Then the check constraint refused it
    assert stored_balance(funding) == 10_000


def test_database_refuses_a_missing_balance_on_an_owned_account(funding):
    # An owned account without a stored balance would escape the ">= 0" check (NULL passes a CHECK)
    with pytest.raises(IntegrityError, match="payments_account_tracked_kinds_have_balance"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_account SET balance = NULL WHERE key = %s", [funding.key])

    assert stored_balance(funding) == 0


def raw_transaction(cursor, key: str) -> uuid.UUID:
    """Insert a ledger transaction row by hand (no entries) and return its id."""
    transaction_id = uuid.uuid4()
    cursor.execute("INSERT INTO payments_transaction (id, kind, idempotency_key, description, created_at) "
                   "VALUES (%s, %s, %s, '', %s)",
                   [db_value(Transaction, "id", transaction_id), CAPTURED, key,
                    db_value(Transaction, "created_at", timezone.now())])
    return transaction_id


def raw_entry(cursor, transaction_id: uuid.UUID, account: Account, amount: int) -> None:
    cursor.execute("INSERT INTO payments_entry (id, transaction_id, account_id, amount, created_at) "
                   "VALUES (%s, %s, %s, %s, %s)",
                   [db_value(Entry, "id", uuid.uuid4()), db_value(Transaction, "id", transaction_id),
                    db_value(Account, "id", account.pk), amount, db_value(Entry, "created_at", timezone.now())])


def test_database_refuses_an_entry_of_zero(clearing, fees):
    # When raw SQL inserts a transaction whose single entry is 0
    with pytest.raises(IntegrityError, match="payments_entry_amount_not_zero"), \
            transaction.atomic(), connection.cursor() as cursor:
        transaction_id = raw_transaction(cursor, "raw:zero")
        raw_entry(cursor, transaction_id, clearing, 0)

    # Then the check constraint refused the entry at once, and the savepoint took the transaction row with it
    assert Transaction.objects.count() == 0
    assert Entry.objects.count() == 0


# --- PostgreSQL: the deferred zero-sum trigger, at COMMIT -----------------------------------------------------
# These need a real COMMIT (the deferred trigger runs only then), so they are transactional tests;
# `serialized_rollback` restores the migrations' data (categories, ...) that the flush afterwards wipes.


def committed_rows(transaction_id: uuid.UUID) -> tuple[int, int]:
    return (Transaction.objects.filter(pk=transaction_id).count(),
            Entry.objects.filter(transaction_id=transaction_id).count())


@pytest.mark.parametrize("amounts", [(5,), (3, 2)], ids=["one_entry", "two_entries_summing_to_5"])
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_refuses_an_unbalanced_raw_insert_at_commit(amounts, clearing, fees):
    accounts = [clearing, fees]
    inserted_before_commit = None

    # When raw SQL inserts a transaction whose entries do not sum to zero, in a transaction of its own
    with pytest.raises(IntegrityError, match=r"is unbalanced: \d entries summing to 5") as refused, \
            transaction.atomic(), connection.cursor() as cursor:
        transaction_id = raw_transaction(cursor, "raw:unbalanced")
        for account, amount in zip(accounts, amounts, strict=False):
            raw_entry(cursor, transaction_id, account, amount)
        # every INSERT succeeded: the check is deferred to COMMIT, when all entries are there
        cursor.execute("SELECT count(*) FROM payments_entry WHERE transaction_id = %s", [transaction_id])
        inserted_before_commit = cursor.fetchone()[0]

    # Then COMMIT failed with the trigger's check_violation and nothing remains
    assert inserted_before_commit == len(amounts)
    assert refused.value.__cause__.sqlstate == "23514"  # check_violation
    assert committed_rows(transaction_id) == (0, 0)
    assert Entry.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_accepts_a_balanced_raw_insert(clearing, fees):
    # When raw SQL inserts a transaction of two entries summing to zero
    with transaction.atomic(), connection.cursor() as cursor:
        transaction_id = raw_transaction(cursor, "raw:balanced")
        raw_entry(cursor, transaction_id, clearing, -5)
        raw_entry(cursor, transaction_id, fees, 5)

    # Then it commits: the rule is "balanced", not "written by post()"
    assert committed_rows(transaction_id) == (1, 2)
    assert entries_total(clearing) == -5
    assert entries_total(fees) == 5
    ledger_balanced()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_refuses_at_commit_an_entry_added_to_a_posted_transaction(company):
    # Given a posted, balanced transaction
    funding, clearing = ledger.company_funding_account(company.pk), ledger.gateway_clearing_account("sandbox")
    posted = capture(funding, clearing, 80_000, "capture:1")

    # When raw SQL later slips one more entry into it
    with pytest.raises(IntegrityError, match="is unbalanced: 3 entries summing to 1"), transaction.atomic(), \
            connection.cursor() as cursor:
        raw_entry(cursor, posted.pk, ledger.platform_fees_account(), 1)

    # Then the deferred trigger re-checked the whole transaction at COMMIT and refused it
    assert committed_rows(posted.pk) == (1, 2)
    ledger_balanced()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_refuses_a_zero_entry_before_commit(clearing):
    # When raw SQL inserts a transaction with a single entry of 0
    with pytest.raises(IntegrityError, match="payments_entry_amount_not_zero") as refused, transaction.atomic(), \
            connection.cursor() as cursor:
        transaction_id = raw_transaction(cursor, "raw:zero")
        raw_entry(cursor, transaction_id, clearing, 0)

    # Then the check constraint refused the INSERT itself (before the deferred trigger's turn) and nothing remains
    assert refused.value.__cause__.sqlstate == "23514"
    assert committed_rows(transaction_id) == (0, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_refuses_at_commit_a_transaction_without_entries():
    # (a regression test: the zero-sum trigger fires on entry rows, so an entry-less transaction row escaped it
    # until migration 0003 checked new transaction rows too)
    # When raw SQL inserts a transaction row and no entries at all
    with pytest.raises(IntegrityError, match="is unbalanced: 0 entries"), transaction.atomic(), \
            connection.cursor() as cursor:
        transaction_id = raw_transaction(cursor, "raw:empty")

    # Then it is refused like one with a single entry ("fewer than two"), and nothing remains
    assert committed_rows(transaction_id) == (0, 0)
