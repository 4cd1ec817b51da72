"""The shapes of signing up with a role and of `me/`, which shows the objects of each role the user holds."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import roles
from accounts.api.serializers import TokenPairSerializer, password_rules
from accounts.models import User
from bantu.core.serializers import StrictSerializer
from companies.selectors import memberships_of
from freelancers.selectors import freelancer_profile_of


class CompanyMembershipBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="company.id")
    name = serializers.CharField(source="company.name")
    slug = serializers.CharField(source="company.slug")
    role = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(read_only=True, help_text=(
        "Whether the email is verified. Until it is (with EMAIL_VERIFICATION mandatory) posting jobs, applying, "
        "funding and withdrawing answer 403 `email_unverified`."))
    roles = serializers.SerializerMethodField()
    freelancer_profile = serializers.SerializerMethodField()
    companies = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "email_verified", "full_name", "phone", "roles", "is_staff", "date_joined",
                  "freelancer_profile", "companies"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        return roles.user_roles(user)

    def get_freelancer_profile(self, user) -> str | None:
        profile = freelancer_profile_of(user=user)
        return str(profile.pk) if profile else None

    @staticmethod
    def _memberships(user):
        return memberships_of(user=user)

    @extend_schema_field(CompanyMembershipBriefSerializer(many=True))
    def get_companies(self, user):
        return CompanyMembershipBriefSerializer(self._memberships(user), many=True).data


class MeUpdateSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, required=False, help_text=(
        "A new email: a confirmation link is mailed to it, and `email` changes only when that link is used "
        "(`auth/email/verify/`). The answer still shows the current email."))
    full_name = serializers.CharField(max_length=150, min_length=1, required=False)
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{6,20}$", max_length=20, required=False, allow_blank=True)


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, min_length=1)
    role = serializers.ChoiceField(choices=roles.REGISTRATION_ROLES)
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=False,
                                         help_text="Required when role is `company`.")

    schema_constraints = {"password": password_rules}

    def validate(self, attrs):
        if attrs["role"] == roles.COMPANY and not attrs.get("company_name", "").strip():
            raise serializers.ValidationError({"company_name": ["Required when registering as a company."]})
        if attrs["role"] != roles.COMPANY and "company_name" in attrs:
            raise serializers.ValidationError({"company_name": ["Only for role `company`."]})
        candidate = User(email=attrs["email"].lower(), full_name=attrs["full_name"])
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from None
        return attrs


class RegisterResponseSerializer(TokenPairSerializer):
    user = MeSerializer()


class GoogleSignInSerializer(StrictSerializer):
    id_token = serializers.CharField(max_length=8000, help_text="The ID token the client app got from Google.")
    role = serializers.ChoiceField(choices=roles.REGISTRATION_ROLES, required=False, help_text=(
        "Required when no account has the token's email yet: the role to create it with."))
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=False,
                                         help_text="Required when creating an account with role `company`.")

    def validate(self, attrs):
        if attrs.get("role") == roles.COMPANY and not attrs.get("company_name", "").strip():
            raise serializers.ValidationError({"company_name": ["Required when registering as a company."]})
        if attrs.get("role") != roles.COMPANY and "company_name" in attrs:
            raise serializers.ValidationError({"company_name": ["Only for role `company`."]})
        return attrs
