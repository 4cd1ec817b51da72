"""Reads of the payments app: who sees which money, wallets and statements built from the ledger.

Each list is one query for its page (joins are selected up front), whatever the page size or the data.
"""

import dataclasses

from django.db.models import Q, QuerySet, Sum

from bantu.core.permissions import MANAGER_ROLES, company_roles

from .models import Account, Entry, Payment, Payout, Transaction


def _managed_company_ids(user) -> list:
    return [company_id for company_id, role in company_roles(user).items() if role in MANAGER_ROLES]


def payment_visible_to(user) -> QuerySet[Payment]:
    """Payments of the companies `user` manages (owner/admin), and payments to `user` as freelancer."""
    return (Payment.objects.select_related("company", "payer", "payee")
            .filter(Q(payee=user) | Q(company_id__in=_managed_company_ids(user))))


def payout_list_mine(*, user) -> QuerySet[Payout]:
    return Payout.objects.filter(user=user)


@dataclasses.dataclass(frozen=True)
class WalletSummary:
    available: int  # integer rupiah the freelancer may withdraw now
    pending: int  # escrow funded for their open milestones (before the platform fee): theirs once approved
    in_payout: int  # withdrawals on their way to the bank
    currency: str = "IDR"


def wallet_summary(*, user) -> WalletSummary:
    """Three aggregates, each one query over indexed rows."""
    available = (Account.objects.filter(kind=Account.Kind.WALLET, user=user).values_list("balance", flat=True)
                 .first()) or 0
    pending = Account.objects.filter(kind=Account.Kind.ESCROW, milestone__contract__freelancer=user).aggregate(
        total=Sum("balance"))["total"] or 0
    in_payout = Payout.objects.filter(user=user, status__in=(Payout.Status.PENDING, Payout.Status.PROCESSING)) \
        .aggregate(total=Sum("amount"))["total"] or 0
    return WalletSummary(available=available, pending=pending, in_payout=in_payout)


def wallet_entries(*, user) -> QuerySet[Entry]:
    """The ledger lines of `user`'s wallet, newest first, with their transaction."""
    return (Entry.objects.filter(account__kind=Account.Kind.WALLET, account__user=user)
            .select_related("transaction").order_by("-created_at", "-id"))


@dataclasses.dataclass
class MilestoneStatement:
    milestone_id: object
    position: int
    title: str
    amount: int
    status: str
    funded: int = 0
    released: int = 0  # gross, out of escrow to the freelancer (fee included)
    fee: int = 0
    refunded: int = 0  # out of escrow back to the company
    held: int = 0  # still in escrow

    @property
    def paid_to_freelancer(self) -> int:
        return self.released - self.fee


def contract_statement(*, contract) -> dict:
    """The escrow statement of a contract from its ledger lines: per milestone and in total, integer rupiah.

    Two queries: the milestones, and one aggregate over the entries of their escrow and fee accounts grouped by
    milestone, transaction kind and account kind."""
    rows = {m.pk: MilestoneStatement(milestone_id=m.pk, position=m.position, title=m.title, amount=m.amount,
                                     status=m.status)
            for m in contract.milestones.order_by("position")}
    sums = (Entry.objects.filter(transaction__contract=contract, transaction__milestone__isnull=False,
                                 account__kind__in=(Account.Kind.ESCROW, Account.Kind.PLATFORM_FEES))
            .values("transaction__milestone_id", "transaction__kind", "account__kind")
            .annotate(total=Sum("amount")))
    for row in sums:
        line = rows[row["transaction__milestone_id"]]
        kind, total = row["transaction__kind"], row["total"]
        if row["account__kind"] == Account.Kind.PLATFORM_FEES:
            line.fee += total
        elif kind == Transaction.Kind.ESCROW_FUNDED:
            line.funded += total
        elif kind == Transaction.Kind.ESCROW_RELEASED:
            line.released += -total
        elif kind == Transaction.Kind.ESCROW_REFUNDED:
            line.refunded += -total
    for line in rows.values():
        line.held = line.funded - line.released - line.refunded
    lines = list(rows.values())
    totals = {name: sum(getattr(line, name) for line in lines)
              for name in ("funded", "released", "fee", "paid_to_freelancer", "refunded", "held")}
    return {"contract": contract, "currency": contract.currency, "platform_fee_bps": contract.platform_fee_bps,
            "totals": totals, "milestones": lines}
