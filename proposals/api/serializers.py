from rest_framework import serializers

from bantu.core import indonesia
from bantu.core.serializers import FieldsBuiltOnceMixin, StrictSerializer
from jobs.models import MAX_BUDGET
from proposals.models import MAX_ATTACHMENTS, MAX_DURATION_DAYS, Contract, Milestone, Offer, Proposal

MAX_MILESTONES = 20


class CompanyBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ProposalJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    company = CompanyBriefSerializer()


class PartySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class ProposalSerializer(serializers.ModelSerializer):
    job = ProposalJobSerializer(read_only=True)
    freelancer = PartySerializer(read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "job", "freelancer", "cover_letter", "attachments", "status", "amount", "duration_days",
                  "currency", "last_offer_side", "created_at", "updated_at"]
        read_only_fields = fields


class OfferSerializer(serializers.ModelSerializer):
    author = PartySerializer(read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "side", "author", "amount", "duration_days", "message", "created_at"]
        read_only_fields = fields


class ApplySerializer(StrictSerializer):
    cover_letter = serializers.CharField(min_length=20, max_length=10_000)
    amount = serializers.IntegerField(min_value=1, max_value=MAX_BUDGET, help_text="Your bid, integer rupiah.")
    duration_days = serializers.IntegerField(min_value=1, max_value=MAX_DURATION_DAYS)
    attachments = serializers.ListField(child=serializers.URLField(max_length=500), max_length=MAX_ATTACHMENTS,
                                        required=False)


class CounterOfferSerializer(StrictSerializer):
    amount = serializers.IntegerField(min_value=1, max_value=MAX_BUDGET)
    duration_days = serializers.IntegerField(min_value=1, max_value=MAX_DURATION_DAYS)
    message = serializers.CharField(max_length=5_000, required=False, allow_blank=True)


class MilestonePlanSerializer(StrictSerializer):
    title = serializers.CharField(min_length=2, max_length=200)
    amount = serializers.IntegerField(min_value=1, max_value=MAX_BUDGET)
    due_date = serializers.DateField(required=False, allow_null=True)

    def validate_due_date(self, value):
        if value is not None and value < indonesia.today():
            raise serializers.ValidationError("The due date is in the past.")
        return value


class AcceptSerializer(StrictSerializer):
    milestones = MilestonePlanSerializer(many=True, required=False, max_length=MAX_MILESTONES, allow_empty=False,
                                         help_text="Optional plan; amounts must sum to the agreed amount. "
                                                   "Default: one milestone for the whole amount.")


class DeclineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MilestoneSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    contract = serializers.UUIDField(source="contract_id", read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "contract", "position", "title", "amount", "due_date", "status", "funded_at",
                  "submitted_at", "submission_note", "auto_approve_at", "settled_at"]
        read_only_fields = fields
        extra_kwargs = {"auto_approve_at": {"help_text": "When a submitted milestone is approved automatically "
                                                         "unless the company approves or disputes it first."},
                        "amount": {"help_text": "Integer rupiah."}}


class ContractSerializer(serializers.ModelSerializer):
    job = ProposalJobSerializer(read_only=True)
    freelancer = PartySerializer(read_only=True)
    company = CompanyBriefSerializer(read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    platform_fee_percent = serializers.SerializerMethodField(
        help_text="The platform fee on released escrow agreed for this contract, in percent (e.g. \"10.00\").")

    class Meta:
        model = Contract
        fields = ["id", "proposal", "job", "company", "freelancer", "amount", "currency", "duration_days", "status",
                  "platform_fee_percent", "milestones", "created_at", "completed_at"]
        read_only_fields = fields

    def get_platform_fee_percent(self, contract) -> str:
        return f"{contract.platform_fee_bps / 100:.2f}"
