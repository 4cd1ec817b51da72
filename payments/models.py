"""Money: a double-entry ledger in integer rupiah, and the payments, payouts, refunds and disputes that move it.

Ledger conventions (docs/payments.md has the full picture):
- An entry's `amount` is signed: positive means money into the account, negative money out of it. The entries of
  every `Transaction` sum to zero, so money is only ever moved, never created or lost.
- An account's balance is the sum of its entries. Accounts that hold someone's money (a company's funding, a
  milestone's escrow, a freelancer's wallet) also keep that sum in `balance`, updated under a row lock in the
  same database transaction as the entries, with `balance_after` on each entry; a check constraint keeps it
  from going below zero. Platform-wide accounts (fee revenue, gateway clearing, money in transit) would be a
  lock every operation contends on, so theirs is derived from the entries on demand (`balance` is NULL).
- A gateway clearing account is the boundary with the outside world: money entering through a gateway leaves
  it (its balance goes negative), money paid out through it comes back. Minus its balance is the money the
  platform holds at that gateway.
- Rows of `Transaction` and `Entry` are never updated or deleted: on PostgreSQL, triggers refuse it, and a
  deferred constraint trigger refuses a transaction whose entries do not sum to zero at commit
  (migration 0002). A correction is a new, reversing transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bantu.core.models import BaseModel, uuid7

from .banks import BANK_CHOICES

CURRENCY = "IDR"


class Account(models.Model):
    class Kind(models.TextChoices):
        COMPANY_FUNDING = "company_funding", "Company funding"
        ESCROW = "escrow", "Milestone escrow"
        WALLET = "wallet", "Freelancer wallet"
        PLATFORM_FEES = "platform_fees", "Platform fee revenue"
        GATEWAY_CLEARING = "gateway_clearing", "Gateway clearing"
        PAYOUTS_IN_TRANSIT = "payouts_in_transit", "Payouts in transit"
        REFUNDS_IN_TRANSIT = "refunds_in_transit", "Refunds in transit"

    # Accounts that hold somebody's money keep a locked running balance that must never go negative.
    TRACKED_KINDS = (Kind.COMPANY_FUNDING, Kind.ESCROW, Kind.WALLET)

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the account belongs to: "company:<id>", "escrow:<milestone id>", "wallet:<user id>",
    # "gateway:<name>", or the kind itself for the platform-wide accounts. One account per key.
    key = models.CharField(max_length=80, unique=True)
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    milestone = models.OneToOneField("proposals.Milestone", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="escrow_account")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    currency = models.CharField(max_length=3, default=CURRENCY, editable=False)
    balance = models.BigIntegerField(null=True, blank=True, editable=False,
                                     help_text="Integer rupiah; kept for owned accounts only (NULL: derived).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__isnull=True) | Q(balance__gte=0),
                                   name="payments_account_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["company_funding", "escrow", "wallet"], balance__isnull=False)
                | (~Q(kind__in=["company_funding", "escrow", "wallet"]) & Q(balance__isnull=True)),
                name="payments_account_tracked_kinds_have_balance"),
        ]
        indexes = [models.Index(fields=["user"], condition=Q(kind="wallet"), name="payments_wallet_user_idx")]

    def __str__(self):
        return self.key

    @property
    def tracked(self) -> bool:
        return self.kind in self.TRACKED_KINDS


class Transaction(models.Model):
    """One movement of money (the brief's *Transaksi*): what kind, what caused it, and its entries."""

    class Kind(models.TextChoices):
        PAYMENT_CAPTURED = "payment_captured", "Payment received"
        ESCROW_FUNDED = "escrow_funded", "Escrow funded"
        ESCROW_RELEASED = "escrow_released", "Escrow released"
        ESCROW_REFUNDED = "escrow_refunded", "Escrow returned to the company"
        REFUND_REQUESTED = "refund_requested", "Refund requested"
        REFUND_COMPLETED = "refund_completed", "Refund completed"
        REFUND_FAILED = "refund_failed", "Refund failed (returned)"
        PAYOUT_REQUESTED = "payout_requested", "Payout requested"
        PAYOUT_COMPLETED = "payout_completed", "Payout completed"
        PAYOUT_FAILED = "payout_failed", "Payout failed (returned)"
        PAYOUT_REVERSED = "payout_reversed", "Payout returned by the bank"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Exactly-once: each business event posts under one deterministic key ("milestone:<id>:release", ...).
    idempotency_key = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # What caused it (any that apply).
    contract = models.ForeignKey("proposals.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="ledger_transactions")
    milestone = models.ForeignKey("proposals.Milestone", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="ledger_transactions")
    payment = models.ForeignKey("Payment", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ledger_transactions")
    payout = models.ForeignKey("Payout", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="ledger_transactions")
    refund = models.ForeignKey("Refund", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="ledger_transactions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="Who caused it; empty for gateways and schedules.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.id}"


class Entry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Integer rupiah; positive into the account, negative out of it.")
    balance_after = models.BigIntegerField(null=True, blank=True,
                                           help_text="The account's balance after this entry (owned accounts).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="payments_entry_amount_not_zero")]
        indexes = [models.Index(fields=["account", "-created_at", "-id"], name="payments_entry_account_idx")]

    def __str__(self):
        return f"{self.account_id} {self.amount:+d}"


class Payment(BaseModel):
    """A company paying one milestone into escrow through a gateway checkout."""

    class Status(models.TextChoices):
        PENDING = "pending"  # checkout open, waiting for the payer
        PAID = "paid"  # money received (and in escrow, or returned when the milestone no longer needed it)
        EXPIRED = "expired"
        FAILED = "failed"

    class Gateway(models.TextChoices):
        XENDIT = "xendit"
        MIDTRANS = "midtrans"
        SANDBOX = "sandbox"

    milestone = models.ForeignKey("proposals.Milestone", on_delete=models.PROTECT, related_name="payments")
    contract = models.ForeignKey("proposals.Contract", on_delete=models.PROTECT, related_name="payments")
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments_made")
    payee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments_received")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    amount = models.PositiveBigIntegerField(help_text="Integer rupiah.")
    currency = models.CharField(max_length=3, default=CURRENCY, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Our reference, sent to the gateway as its external id / order id and echoed in its callbacks.
    external_id = models.CharField(max_length=64, unique=True)
    gateway_reference = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # False when the money arrived for a milestone that no longer needed it (paid twice): it is refunded.
    applied_to_escrow = models.BooleanField(default=False)
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one open checkout per milestone, whatever races the API sees.
            models.UniqueConstraint(fields=["milestone"], condition=Q(status="pending"),
                                    name="payments_one_pending_per_milestone"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="payments_payment_company_idx"),
            models.Index(fields=["payee", "-created_at"], name="payments_payment_payee_idx"),
            models.Index(fields=["expires_at"], condition=Q(status="pending"), name="payments_pending_expiry_idx"),
        ]

    def __str__(self):
        return f"Payment {self.external_id} ({self.amount} {self.currency}, {self.status})"


class Payout(BaseModel):
    """A freelancer withdrawing from their wallet to an Indonesian bank account."""

    class Status(models.TextChoices):
        PENDING = "pending"  # money held out of the wallet; the gateway has not confirmed receiving the order
        PROCESSING = "processing"  # accepted by the gateway; waiting for the bank
        COMPLETED = "completed"
        FAILED = "failed"  # the money is back in the wallet
        REVERSED = "reversed"  # completed, then returned by the bank: the money is back in the wallet

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")
    gateway = models.CharField(max_length=10, choices=Payment.Gateway.choices)
    amount = models.PositiveBigIntegerField(help_text="Integer rupiah.")
    currency = models.CharField(max_length=3, default=CURRENCY, editable=False)
    bank_code = models.CharField(max_length=10, choices=BANK_CHOICES)
    account_number = models.CharField(max_length=20)
    account_holder_name = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payout_amount_positive")]
        indexes = [models.Index(fields=["user", "-created_at"], name="payments_payout_user_idx")]

    def __str__(self):
        return f"Payout {self.id} ({self.amount} {self.currency}, {self.status})"


class Refund(BaseModel):
    """Money returned to the company through the gateway that took its payment."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # the money went back to the company's funding account; operators retry

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    milestone = models.ForeignKey("proposals.Milestone", on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(help_text="Integer rupiah.")
    currency = models.CharField(max_length=3, default=CURRENCY, editable=False)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # One-to-one: a failed refund is sent again at most once (its money went back to the company's funding account
    # once); a retry that fails in turn may be retried itself.
    retry_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="retry",
                                    help_text="The failed refund this one sends again.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive")]

    def __str__(self):
        return f"Refund {self.id} ({self.amount} {self.currency}, {self.status})"


class Dispute(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    class Resolution(models.TextChoices):
        RELEASE = "release", "Release to the freelancer"
        REFUND = "refund", "Refund to the company"
        SPLIT = "split", "Split"

    milestone = models.ForeignKey("proposals.Milestone", on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=[("freelancer", "freelancer"), ("company", "company")])
    reason = models.TextField(max_length=5_000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    released_amount = models.PositiveBigIntegerField(null=True, blank=True,
                                                     help_text="Integer rupiah released to the freelancer "
                                                               "(before the platform fee).")
    refunded_amount = models.PositiveBigIntegerField(null=True, blank=True,
                                                     help_text="Integer rupiah refunded to the company.")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["milestone"], condition=Q(status="open"),
                                    name="payments_one_open_dispute_per_milestone"),
        ]

    def __str__(self):
        return f"Dispute on {self.milestone_id} ({self.status})"


class WebhookEvent(models.Model):
    """Every callback delivery we received, applied or rejected. An event applies at most once: the unique
    constraint over applied events is the last line behind the state checks."""

    class Outcome(models.TextChoices):
        APPLIED = "applied"  # moved money or changed state
        IGNORED = "ignored"  # authentic, but nothing to do (a pending status, a state already reached)
        REJECTED = "rejected"  # forged, malformed, unknown or mismatched: changed nothing

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    gateway = models.CharField(max_length=10, choices=Payment.Gateway.choices)
    event_id = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField()
    detail = models.CharField(max_length=500, blank=True)
    payload = models.TextField(blank=True, help_text="The body as received (truncated for rejected deliveries).")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], condition=Q(outcome="applied"),
                                    name="payments_webhook_applied_once"),
        ]

    def __str__(self):
        return f"{self.gateway} {self.event_id or '-'} ({self.outcome})"
