from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import roles
from accounts.models import User
from bantu.core.serializers import StrictSerializer


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
        from freelancers.selectors import freelancer_profile_of

        profile = freelancer_profile_of(user=user)
        return str(profile.pk) if profile else None

    @staticmethod
    def _memberships(user):
        from companies.selectors import memberships_of

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


def password_rules() -> dict:
    """The schema constraints of a new password that Django's configured validators state without data: the
    minimum length, and not only digits (`[^0-9]` is found). The common-password list and the similarity to the
    user's email and name cannot be stated; the service answers those with a 400 (`weak_password` on change)."""
    rules = {}
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, password_validation.MinimumLengthValidator):
            rules["minLength"] = validator.min_length
        elif isinstance(validator, password_validation.NumericPasswordValidator):
            rules["pattern"] = "[^0-9]"
    return rules


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


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Access JWT (short-lived); claims include `roles`.")
    refresh = serializers.CharField(help_text="Refresh JWT; single use: refreshing rotates it.")


class RegisterResponseSerializer(TokenPairSerializer):
    user = MeSerializer()


class RefreshSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=2000)


class PasswordChangeSerializer(StrictSerializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    schema_constraints = {"new_password": password_rules}


class WsTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="Use once: `/ws/?ticket=<ticket>`.")
    expires_in = serializers.IntegerField(help_text="Seconds it stays valid.")


class TokenSerializer(StrictSerializer):
    token = serializers.CharField(max_length=1000, help_text="The `token` parameter of the mailed link.")


class EmailVerifiedSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The account's email, now verified (the new one after a change).")
    email_verified = serializers.BooleanField()


class EmailSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=1000, help_text="The `token` parameter of the mailed link.")
    new_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True,
                                         style={"input_type": "password"})


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


class SessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField(help_text="When you signed in.")
    last_used_at = serializers.DateTimeField(help_text="The sign-in, or the latest token refresh.")
    expires_at = serializers.DateTimeField(help_text="When it ends unless refreshed before.")
    user_agent = serializers.CharField(help_text="The `User-Agent` of the client that signed in.")
    current = serializers.SerializerMethodField(help_text="Whether this request comes from this session.")

    def get_current(self, session) -> bool:
        return str(session.pk) == self.context.get("current_session_id")
