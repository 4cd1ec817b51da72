from rest_framework import serializers

from bantu.core.indonesia import PROVINCES
from bantu.core.ratings import RATING_AVERAGE_HELP, RATING_COUNT_HELP
from bantu.core.serializers import StrictSerializer
from companies.models import Company, Membership


class CompanySerializer(serializers.ModelSerializer):
    rating_average = serializers.DecimalField(source="rating_avg", max_digits=3, decimal_places=2, read_only=True,
                                              help_text=RATING_AVERAGE_HELP)
    rating_count = serializers.IntegerField(read_only=True, help_text=RATING_COUNT_HELP)

    class Meta:
        model = Company
        fields = ["id", "name", "slug", "description", "website", "industry", "size", "city", "province",
                  "verified", "rating_average", "rating_count", "created_at"]
        read_only_fields = fields


class CompanyWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, min_length=2)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    website = serializers.URLField(max_length=300, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    size = serializers.ChoiceField(choices=Company.Size.choices, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    province = serializers.ChoiceField(choices=PROVINCES, required=False, allow_blank=True)


class MemberUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class MembershipSerializer(serializers.ModelSerializer):
    user = MemberUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = fields


class MembershipCreateSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)
