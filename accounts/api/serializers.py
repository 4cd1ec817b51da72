from django.contrib.auth import password_validation
from rest_framework import serializers

from bantu.core.serializers import StrictSerializer


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


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Access JWT (short-lived); claims include `roles`.")
    refresh = serializers.CharField(help_text="Refresh JWT; single use: refreshing rotates it.")


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


class SessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField(help_text="When you signed in.")
    last_used_at = serializers.DateTimeField(help_text="The sign-in, or the latest token refresh.")
    expires_at = serializers.DateTimeField(help_text="When it ends unless refreshed before.")
    user_agent = serializers.CharField(help_text="The `User-Agent` of the client that signed in.")
    current = serializers.SerializerMethodField(help_text="Whether this request comes from this session.")

    def get_current(self, session) -> bool:
        return str(session.pk) == self.context.get("current_session_id")
