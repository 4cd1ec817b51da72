"""Shared helpers of the payments tests: a contract with milestones, the API calls of the money flow, and the
ledger invariants every test can assert."""

from django.db.models import Sum

from payments.models import Account, Entry, Transaction
from proposals.models import Contract
from proposals.services import proposal_accept
from tests.proposals.helpers import make_job, submit

API = "/api/v1"


def make_contract(company, owner, freelancer, amounts=(1_000_000,), **job_fields) -> Contract:
    """An active contract between `company` and `freelancer` with one milestone per amount (integer rupiah)."""
    job = make_job(company, owner, **job_fields)
    proposal = submit(job, freelancer, amount=sum(amounts))
    plan = [{"title": f"Tahap {index}", "amount": amount} for index, amount in enumerate(amounts, start=1)]
    return proposal_accept(proposal=proposal, actor=owner, milestones=plan)


def milestone_url(milestone_id, action: str) -> str:
    return f"{API}/milestones/{milestone_id}/{action}/"


def fund(client, milestone_id, **extra):
    return client.post(milestone_url(milestone_id, "fund"), {}, format="json", **extra)


def sandbox_pay(api, payment_id, outcome: str = "paid"):
    return api.post(f"{API}/payments/sandbox/{payment_id}/pay/", {"outcome": outcome}, format="json")


def ledger_balanced() -> None:
    """Every transaction sums to zero and every owned balance equals the sum of its entries."""
    unbalanced = (Entry.objects.values("transaction").annotate(total=Sum("amount")).exclude(total=0))
    assert list(unbalanced) == []
    assert not Transaction.objects.filter(entries__isnull=True).exists()
    for account in Account.objects.filter(kind__in=Account.TRACKED_KINDS):
        total = Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0
        assert account.balance == total, account.key
        last = Entry.objects.filter(account=account).order_by("-created_at", "-id").first()
        assert (last.balance_after if last else 0) == total, account.key


def balance(key: str) -> int:
    """Integer rupiah in the account `key` (0 for an account never used)."""
    account = Account.objects.filter(key=key).first()
    if account is None:
        return 0
    if account.tracked:
        return account.balance
    return Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0


def deliver(api, gateway: str, headers: dict, body: bytes):
    """POST a callback delivery (headers, raw body) to `webhooks/<gateway>/` as the gateway would."""
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
            if name.lower() != "content-type"}
    return api.generic("POST", f"{API}/webhooks/{gateway}/", body, content_type="application/json", **meta)
