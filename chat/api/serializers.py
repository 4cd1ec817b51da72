from rest_framework import serializers

from bantu.core.serializers import StrictSerializer, Variant
from chat.models import Conversation
from chat.serializers import MessageSerializer


class ConversationCompanySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ConversationPersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class ConversationSerializer(serializers.ModelSerializer):
    company = ConversationCompanySerializer(read_only=True)
    freelancer = ConversationPersonSerializer(read_only=True)
    last_message = MessageSerializer(read_only=True, allow_null=True)
    unread = serializers.IntegerField(read_only=True, default=0, help_text="Messages from others after your "
                                                                           "read position.")

    class Meta:
        model = Conversation
        fields = ["id", "company", "freelancer", "proposal", "last_message", "last_message_at", "unread",
                  "created_at"]
        read_only_fields = fields


class ConversationOpenSerializer(StrictSerializer):
    variants = (Variant(fields=("proposal",)), Variant(fields=("company", "freelancer")))

    proposal = serializers.UUIDField(required=False, help_text="Open (or get) the conversation of a proposal.")
    company = serializers.UUIDField(required=False, help_text="Direct conversation: your company ...")
    freelancer = serializers.UUIDField(required=False, help_text="... and the freelancer's user id.")

    def validate(self, attrs):
        if ("proposal" in attrs) == ("company" in attrs or "freelancer" in attrs):
            raise serializers.ValidationError({"non_field_errors": [
                "Give either `proposal`, or `company` and `freelancer`."]})
        if "proposal" not in attrs and not ("company" in attrs and "freelancer" in attrs):
            raise serializers.ValidationError({"non_field_errors": ["A direct conversation needs `company` and "
                                                                    "`freelancer`."]})
        return attrs


class ReportSerializer(StrictSerializer):
    reason = serializers.CharField(min_length=3, max_length=1000)
