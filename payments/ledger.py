"""The double-entry ledger: accounts, and `post()`, the only function that writes entries.

Everything here runs inside the caller's database transaction. `post()` enforces the ledger's rules in code
(entries sum to zero, no zero amounts, one account once, owned balances never below zero); the database enforces
them again (check constraints everywhere, and on PostgreSQL triggers that refuse an unbalanced transaction at
commit and any update or delete of a posted row: migration 0002).
"""

import dataclasses

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from bantu.core.exceptions import Conflict
from bantu.core.rowlock import locked_rows

from . import errors
from .models import CURRENCY, Account, Entry, Transaction


class UnbalancedTransaction(ValueError):
    """A programming error: the legs of a posting do not sum to zero (or are otherwise not a valid posting)."""


class InsufficientFunds(Conflict):
    """An owned account (wallet, escrow, company funding) would go below zero. Carries the account."""

    default_code = errors.INSUFFICIENT_FUNDS

    def __init__(self, account: Account, available: int, needed: int):
        super().__init__(f"Not enough money in {account.get_kind_display().lower()}: {available} IDR available, "
                         f"{needed} IDR needed.")
        self.account = account
        self.available = available
        self.needed = needed


@dataclasses.dataclass(frozen=True)
class Leg:
    account: "Account | AccountSpec"
    amount: int  # integer rupiah: positive into the account, negative out of it


# --- Accounts -------------------------------------------------------------------------------------------------
#
# An account is named by its `key` (unique). The functions below return the *spec* of an account (kind, key,
# owner), which costs nothing; `resolve()` turns any number of specs into Account rows with one query, creating
# those that do not exist yet. The `*_account()` forms resolve one spec.


@dataclasses.dataclass(frozen=True)
class AccountSpec:
    kind: str
    key: str
    owner: tuple = ()  # ((field, value), …): the owner fields of a new account (company_id, milestone_id, user_id)

    @property
    def tracked(self) -> bool:
        return self.kind in Account.TRACKED_KINDS


def company_funding(company_id) -> AccountSpec:
    """Money a company has paid in and that is not (or no longer) in a milestone's escrow."""
    return AccountSpec(Account.Kind.COMPANY_FUNDING, f"company:{company_id}", (("company_id", company_id),))


def escrow(milestone) -> AccountSpec:
    return AccountSpec(Account.Kind.ESCROW, f"escrow:{milestone.pk}", (("milestone_id", milestone.pk),))


def wallet(user_id) -> AccountSpec:
    return AccountSpec(Account.Kind.WALLET, f"wallet:{user_id}", (("user_id", user_id),))


def gateway_clearing(gateway: str) -> AccountSpec:
    return AccountSpec(Account.Kind.GATEWAY_CLEARING, f"gateway:{gateway}")


def platform_fees() -> AccountSpec:
    return AccountSpec(Account.Kind.PLATFORM_FEES, Account.Kind.PLATFORM_FEES)


def payouts_in_transit() -> AccountSpec:
    return AccountSpec(Account.Kind.PAYOUTS_IN_TRANSIT, Account.Kind.PAYOUTS_IN_TRANSIT)


def refunds_in_transit() -> AccountSpec:
    return AccountSpec(Account.Kind.REFUNDS_IN_TRANSIT, Account.Kind.REFUNDS_IN_TRANSIT)


def resolve(*specs: AccountSpec) -> list[Account]:
    """The Account rows of `specs`, in their order: one SELECT for all of them, plus a get_or_create for each that
    does not exist yet (get_or_create inserts in a savepoint and re-reads on a unique violation, so concurrent
    first uses are safe). Takes no lock: `post()` locks what it moves."""
    found = {account.key: account for account in Account.objects.filter(key__in={spec.key for spec in specs})}
    for spec in specs:
        if spec.key not in found:
            balance = 0 if spec.kind in Account.TRACKED_KINDS else None
            found[spec.key], _ = Account.objects.get_or_create(
                key=spec.key, defaults={"kind": spec.kind, "balance": balance, **dict(spec.owner)})
    return [found[spec.key] for spec in specs]


# Platform-wide accounts (fees, clearing, in transit) never change and are never deleted: each process keeps the
# rows it has seen committed, so a posting does not read them again.
_platform_accounts: dict[str, Account] = {}


def forget_platform_accounts() -> None:
    """For tests that empty the database between tests (TransactionTestCase): the rows remembered are gone."""
    _platform_accounts.clear()


def _platform(specs: list) -> dict[str, Account]:
    """Untracked (platform-wide) accounts by key: remembered ones, the rest resolved. Remembered only once this
    transaction commits, so a row created in a transaction that rolls back is never remembered."""
    found = {spec.key: _platform_accounts[spec.key] for spec in specs if spec.key in _platform_accounts}
    wanted = [spec for spec in specs if spec.key not in found]
    if wanted:
        rows = {account.key: account for account in resolve(*wanted)}
        found.update(rows)
        transaction.on_commit(lambda: _platform_accounts.update(rows))
    return found


def _lock(specs: list) -> dict[str, Account]:
    """Owned (tracked) accounts by key, each locked FOR NO KEY UPDATE in primary-key order (so that concurrent
    postings never deadlock on each other) and created first if new."""
    keys = sorted({spec.key for spec in specs})
    if not keys:
        return {}
    locked = _select_for_posting(keys)
    missing = [spec for spec in specs if spec.key not in locked]
    if missing:  # a wallet's first release, an escrow's first funding: create, then lock all in order again
        resolve(*missing)
        locked = _select_for_posting(keys)
    return locked


# What a posting reads of the accounts it locks, in the model's field order (as Model.from_db wants them); an
# Account built from them defers its other fields.
_POSTING_FIELDS = tuple(field.attname for field in Account._meta.concrete_fields
                        if field.attname in {"id", "kind", "key", "currency", "balance"})


def _select_for_posting(keys: list[str]) -> dict[str, Account]:
    """The accounts of `keys` by key, locked FOR NO KEY UPDATE in primary-key order (`bantu.core.rowlock`: this
    statement runs on every release and payout, and the ORM's query building cost more Python than the rest of
    the posting; docs/benchmarks.md, escrow)."""
    where = f"{connection.ops.quote_name('key')} IN ({', '.join(['%s'] * len(keys))})"
    return {account.key: account for account in locked_rows(Account, where=where, params=keys, fields=_POSTING_FIELDS)}


def company_funding_account(company_id) -> Account:
    return resolve(company_funding(company_id))[0]


def escrow_account(milestone) -> Account:
    return resolve(escrow(milestone))[0]


def wallet_account(user_id) -> Account:
    return resolve(wallet(user_id))[0]


def gateway_clearing_account(gateway: str) -> Account:
    return resolve(gateway_clearing(gateway))[0]


def platform_fees_account() -> Account:
    return resolve(platform_fees())[0]


def payouts_in_transit_account() -> Account:
    return resolve(payouts_in_transit())[0]


def refunds_in_transit_account() -> Account:
    return resolve(refunds_in_transit())[0]


# --- Posting --------------------------------------------------------------------------------------------------


def _check(legs: list[Leg]) -> None:
    if len(legs) < 2:
        raise UnbalancedTransaction("A transaction needs at least two entries.")
    if any(not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0 for leg in legs):
        raise UnbalancedTransaction("Entry amounts are non-zero integer rupiah.")
    if sum(leg.amount for leg in legs) != 0:
        raise UnbalancedTransaction(f"Entries sum to {sum(leg.amount for leg in legs)}, not 0.")
    if len({leg.account.key for leg in legs}) != len(legs):
        raise UnbalancedTransaction("An account appears twice in one transaction.")


def post(*, kind: str, idempotency_key: str, legs: list[Leg], description: str = "", serialized: bool = False,
         **causes) -> Transaction | None:
    """Post one balanced transaction; return it, or None when `idempotency_key` was posted before (nothing
    happens then: each business event posts under one deterministic key, so a retry cannot move money twice).

    `legs`: at least two, amounts non-zero integer rupiah summing to 0, each account once; an account is an
    Account row or an AccountSpec (created on first use). `causes`: the Transaction's cause fields (contract,
    milestone, payment, payout, refund, actor).

    `serialized=True` says the caller already makes this posting happen at most once: it holds the lock of the
    thing the key names and has checked its state (a milestone locked and found not yet released; a payout
    created in this transaction, or locked and found open). The lookup of the key is then skipped (one statement
    less under the wallet's lock); the key's unique index still refuses a second posting, as an IntegrityError.

    Locks: the owned (tracked) accounts among `legs`, in primary-key order so that concurrent postings never
    deadlock on each other; held until the caller's transaction ends. Must run inside `transaction.atomic`.
    Raises UnbalancedTransaction (a bug in the caller) and InsufficientFunds (409) when an owned account would
    go below zero; the caller's transaction should then roll back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("ledger.post() must run inside transaction.atomic().")
    _check(legs)
    locked = _lock([leg.account for leg in legs if leg.account.tracked])
    shared = _platform([leg.account for leg in legs if not leg.account.tracked])
    rows = {**locked, **shared}
    if any(rows[leg.account.key].currency != CURRENCY for leg in legs):
        raise UnbalancedTransaction("Every account of a transaction is in IDR.")
    # Under the locks a concurrent posting of the same key (same accounts) has committed or rolled back by now.
    if not serialized and Transaction.objects.filter(idempotency_key=idempotency_key).exists():
        return None
    balances_after = {}
    for leg in legs:
        account = locked.get(leg.account.key)
        if account is not None:
            if account.balance + leg.amount < 0:
                raise InsufficientFunds(account, available=account.balance, needed=-leg.amount)
            balances_after[account.pk] = account.balance + leg.amount
    fields = {"kind": kind, "idempotency_key": idempotency_key, "description": description[:300], **causes}
    # With the key checked under the locks, or serialized by the caller, the insert cannot collide: no savepoint,
    # which keeps the wallet's lock short (the one lock every release and payout of a freelancer shares).
    posted = _insert_transaction(fields, can_collide=not (locked or serialized))
    if posted is None:
        return None
    Entry.objects.bulk_create([
        Entry(transaction=posted, account=rows[leg.account.key], amount=leg.amount,
              balance_after=balances_after.get(rows[leg.account.key].pk))
        for leg in legs
    ])
    _store_balances(balances_after)
    for account in locked.values():
        account.balance = balances_after[account.pk]
    for leg in legs:  # the caller's own Account rows see their new balance
        if isinstance(leg.account, Account) and leg.account.pk in balances_after:
            leg.account.balance = balances_after[leg.account.pk]
    return posted


def _insert_transaction(fields: dict, *, can_collide: bool) -> Transaction | None:
    """The Transaction row; None when `can_collide` and its key was posted meanwhile (a savepoint then)."""
    if not can_collide:
        return Transaction.objects.create(**fields)
    try:
        with transaction.atomic():
            return Transaction.objects.create(**fields)
    except IntegrityError:
        if Transaction.objects.filter(idempotency_key=fields["idempotency_key"]).exists():
            return None
        raise


def _store_balances(balances_after: dict) -> None:
    """One UPDATE for the new balances of the locked accounts ({account id: integer rupiah}).

    Written as SQL rather than through the ORM: it runs under the wallet's lock on every release and payout, and
    compiling an ORM `Case` update cost more Python than the rest of the posting (docs/benchmarks.md, escrow).
    Portable SQL (SQLite and PostgreSQL); the ids are prepared by the model's own field."""
    if not balances_after:
        return
    quote, pk = connection.ops.quote_name, Account._meta.pk
    ids = [pk.get_db_prep_value(account_id, connection) for account_id in balances_after]
    whens = " ".join(["WHEN %s THEN CAST(%s AS BIGINT)"] * len(ids))
    params = [value for account_id, balance in zip(ids, balances_after.values(), strict=True)
              for value in (account_id, balance)]
    table, column = quote(Account._meta.db_table), quote(pk.column)
    # Identifiers from the model's meta, every value a parameter.
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"UPDATE {table} SET balance = CASE {column} {whens} END WHERE {column} IN ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params + ids)


# --- Reading --------------------------------------------------------------------------------------------------


def balance_of(account: Account) -> int:
    """Integer rupiah: the stored running balance of an owned account, or the sum of entries of any other."""
    if account.tracked:
        return Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    return entries_sum(account)


def entries_sum(account: Account) -> int:
    return Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0
