"""Shared helpers of the payments tests: a contract with milestones, the API calls of the money flow, and the
ledger invariants every test can assert."""

from django.db.models import Sum

from bantu.core.models import IdempotencyRecord
from notifications.models import Notification
from payments.gateways import sandbox
from payments.models import Account, Dispute, Entry, Payment, Payout, Transaction, WebhookEvent
from payments.services import escrow, webhooks
from proposals.models import Contract, Milestone
from tests.factories import ContractFactory
from tests.problems import assert_problem
from tests.proposals.helpers import make_job, submit

API = "/api/v1"


def make_contract(company, owner, freelancer, amounts=(1_000_000,), **job_fields) -> Contract:
    """An active contract between `company` and `freelancer` with one milestone per amount (integer rupiah)."""
    proposal = submit(make_job(company, owner, **job_fields), freelancer, amount=sum(amounts))
    return ContractFactory(proposal=proposal, actor=owner, amounts=amounts)


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


def snapshot() -> dict:
    """Everything a refused call must leave as it was."""
    return {
        "payments": sorted(Payment.objects.values_list("pk", "status")),
        "milestones": dict(Milestone.objects.values_list("pk", "status")),
        "transactions": Transaction.objects.count(),
        "entries": Entry.objects.count(),
        "balances": dict(Account.objects.values_list("key", "balance")),
        "disputes": Dispute.objects.count(),
        "payouts": sorted(Payout.objects.values_list("pk", "status")),
        "webhooks_applied": WebhookEvent.objects.exclude(outcome=WebhookEvent.Outcome.REJECTED).count(),
        "idempotency": IdempotencyRecord.objects.count(),
        "notifications": Notification.objects.count(),
    }


def assert_refused(capture, call, status: int, code: str, errors: dict | None = None) -> dict:
    """`call()` answers the problem `status`/`code` (and `errors`), schedules nothing on commit and changes
    nothing. `capture` is pytest-django's `django_capture_on_commit_callbacks`. Returns the problem body."""
    before = snapshot()
    with capture(execute=True) as callbacks:
        response = call()
    body = assert_problem(response, status, code, errors)
    assert callbacks == []
    assert snapshot() == before
    return body


def pay(owner, milestone_id):
    """Setup: `owner` funds a milestone and the sandbox checkout pays it (the services and the signed callback
    the checkout page posts; the API paths are under test elsewhere). Returns the payment."""
    payment = escrow.milestone_fund(milestone_id=milestone_id, actor=owner)
    headers, body = sandbox.callback(kind="payment", reference=payment.external_id, status="paid",
                                     amount=payment.amount, event_id=f"sandbox:{payment.pk}:paid")
    assert webhooks.webhook_receive(gateway="sandbox", headers=headers, body=body).outcome == "applied"
    return payment


def release(owner, milestone_id):
    """Setup: fund, pay and approve a milestone: its amount minus the 10% fee lands in the freelancer's wallet."""
    pay(owner, milestone_id)
    escrow.milestone_approve(milestone_id=milestone_id, actor=owner)


def post(client, milestone_id, action, body=None, **extra):
    return client.post(milestone_url(milestone_id, action), body, format="json", **extra)


# --- Thread races (api/test_races.py, services/test_races.py) ---------------------------------------------------

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
