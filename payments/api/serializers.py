import re

from django.conf import settings
from rest_framework import serializers

from bantu.core.serializers import FieldsBuiltOnceMixin, StrictSerializer
from proposals.api.serializers import CompanyBriefSerializer, PartySerializer

from ..banks import BANK_CHOICES, BANKS
from ..gateways import NAMES as GATEWAY_NAMES
from ..models import Dispute, Entry, Payment, Payout, Transaction

# Letters (any script), spaces and the punctuation Indonesian bank account names carry.
HOLDER_NAME = re.compile(r"^[^\W\d_]+(?:[ .,'\-][^\W\d_]*)*$")


class PaymentSerializer(serializers.ModelSerializer):
    milestone = serializers.UUIDField(source="milestone_id", read_only=True)
    contract = serializers.UUIDField(source="contract_id", read_only=True)
    company = CompanyBriefSerializer(read_only=True)
    payer = PartySerializer(read_only=True)
    payee = PartySerializer(read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "milestone", "contract", "company", "payer", "payee", "gateway", "amount", "currency",
                  "status", "checkout_url", "expires_at", "paid_at", "applied_to_escrow", "failure_reason",
                  "created_at", "updated_at"]
        read_only_fields = fields
        extra_kwargs = {
            "amount": {"help_text": "Integer rupiah."},
            "checkout_url": {"help_text": "Open this page to pay (the gateway's checkout)."},
            "applied_to_escrow": {"help_text": "False when the money arrived for a milestone that was already "
                                               "funded: it is refunded."},
        }


class FundSerializer(StrictSerializer):
    gateway = serializers.ChoiceField(choices=GATEWAY_NAMES, required=False,
                                      help_text="Which gateway to pay through; default: the configured one.")


class SubmitSerializer(StrictSerializer):
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True,
                                 help_text="What you delivered (links, notes).")


class DisputeCreateSerializer(StrictSerializer):
    reason = serializers.CharField(min_length=10, max_length=5_000)


class DisputeSerializer(serializers.ModelSerializer):
    milestone = serializers.UUIDField(source="milestone_id", read_only=True)
    raised_by = PartySerializer(read_only=True)

    class Meta:
        model = Dispute
        fields = ["id", "milestone", "raised_by", "side", "reason", "status", "resolution", "released_amount",
                  "refunded_amount", "resolution_note", "resolved_at", "created_at"]
        read_only_fields = fields


class WalletSerializer(serializers.Serializer):
    currency = serializers.CharField()
    available = serializers.IntegerField(help_text="Integer rupiah you can withdraw now.")
    pending = serializers.IntegerField(help_text="Integer rupiah in escrow for your open milestones (before the "
                                                 "platform fee): yours once approved.")
    in_payout = serializers.IntegerField(help_text="Integer rupiah on its way to your bank.")


class WalletEntrySerializer(serializers.ModelSerializer):
    transaction = serializers.UUIDField(source="transaction_id", read_only=True)
    kind = serializers.ChoiceField(source="transaction.kind", read_only=True,
                                   choices=Transaction.Kind.choices)
    description = serializers.CharField(source="transaction.description", read_only=True)
    milestone = serializers.UUIDField(source="transaction.milestone_id", read_only=True, allow_null=True)
    payout = serializers.UUIDField(source="transaction.payout_id", read_only=True, allow_null=True)

    class Meta:
        model = Entry
        fields = ["id", "transaction", "kind", "description", "amount", "balance_after", "milestone", "payout",
                  "created_at"]
        read_only_fields = fields
        extra_kwargs = {"amount": {"help_text": "Integer rupiah: positive into your wallet, negative out of it."},
                        "balance_after": {"help_text": "Your available balance after this line."}}


class PayoutSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    account_number = serializers.SerializerMethodField(help_text="Masked: the last four digits.")

    class Meta:
        model = Payout
        fields = ["id", "amount", "currency", "bank_code", "account_number", "account_holder_name", "status",
                  "failure_reason", "created_at", "completed_at"]
        read_only_fields = fields

    def get_account_number(self, payout) -> str:
        return f"••••{payout.account_number[-4:]}"


class PayoutCreateSerializer(StrictSerializer):
    amount = serializers.IntegerField(min_value=1, help_text="Integer rupiah, at least PAYOUT_MINIMUM.")
    bank_code = serializers.ChoiceField(choices=BANK_CHOICES)
    account_number = serializers.CharField(min_length=8, max_length=16, help_text="Digits only.")
    account_holder_name = serializers.CharField(min_length=3, max_length=100,
                                                help_text="As the bank has it: letters, spaces and . , ' -")

    def validate_account_number(self, value):
        if not value.isascii() or not value.isdigit():
            raise serializers.ValidationError("Digits only.")
        return value

    def validate_account_holder_name(self, value):
        value = " ".join(value.split())
        if not HOLDER_NAME.match(value):
            raise serializers.ValidationError("Letters, spaces and . , ' - only.")
        return value

    def validate(self, attrs):
        bank = BANKS[attrs["bank_code"]]
        digits = len(attrs["account_number"])
        if not bank.min_digits <= digits <= bank.max_digits:
            expected = (f"{bank.min_digits}" if bank.min_digits == bank.max_digits
                        else f"{bank.min_digits} to {bank.max_digits}")
            raise serializers.ValidationError({"account_number": [f"{bank.name} account numbers have {expected} "
                                                                  f"digits."]})
        return attrs


class StatementLineSerializer(serializers.Serializer):
    milestone = serializers.UUIDField(source="milestone_id")
    position = serializers.IntegerField()
    title = serializers.CharField()
    amount = serializers.IntegerField()
    status = serializers.CharField()
    funded = serializers.IntegerField()
    released = serializers.IntegerField(help_text="Released from escrow, before the fee.")
    fee = serializers.IntegerField()
    paid_to_freelancer = serializers.IntegerField()
    refunded = serializers.IntegerField()
    held = serializers.IntegerField(help_text="Still in escrow.")


class StatementTotalsSerializer(serializers.Serializer):
    funded = serializers.IntegerField()
    released = serializers.IntegerField()
    fee = serializers.IntegerField()
    paid_to_freelancer = serializers.IntegerField()
    refunded = serializers.IntegerField()
    held = serializers.IntegerField()


class StatementSerializer(serializers.Serializer):
    contract = serializers.UUIDField(source="contract.pk")
    currency = serializers.CharField()
    platform_fee_percent = serializers.SerializerMethodField()
    totals = StatementTotalsSerializer()
    milestones = StatementLineSerializer(many=True)

    def get_platform_fee_percent(self, statement) -> str:
        return f"{statement['platform_fee_bps'] / 100:.2f}"


class WebhookAckSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["applied", "duplicate", "ignored"])


class SandboxCheckoutSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()
    return_url = serializers.SerializerMethodField(
        help_text="Where the payer goes next: the success or failure URL once the payment is settled.")

    class Meta:
        model = Payment
        fields = ["id", "status", "amount", "currency", "description", "expires_at", "return_url"]
        read_only_fields = fields

    def get_description(self, payment) -> str:
        return f"{payment.contract.job.title} — {payment.milestone.title}"

    def get_return_url(self, payment) -> str | None:
        if payment.status == Payment.Status.PENDING:
            return None
        setting = "PAYMENT_SUCCESS_URL" if payment.status == Payment.Status.PAID else "PAYMENT_FAILURE_URL"
        return settings.BANTU[setting].format(payment=payment.pk)


class SandboxPaySerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=["paid", "failed"])
