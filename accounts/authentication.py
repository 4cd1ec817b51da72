from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from . import errors

AUTH_VERSION_CLAIM = "ver"
SESSION_CLAIM = "sid"


def _failed(detail: str, code: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(detail, code=code)


class BantuJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, plus: tokens issued before the user's last password change or
    suspension are refused (the `ver` claim must equal `User.auth_version`), and every refusal is one human
    sentence with one stable code per cause (`accounts.errors`), never simplejwt's nested detail.

    Tokens of a session the user ended (`me/sessions/`, logout) are refused too (the `sid` claim).

    Raises AuthenticationFailed (401): bad_authorization_header, token_expired, token_invalid (bad signature,
    garbage, a user id that is not one), token_revoked, account_suspended."""

    def get_raw_token(self, header: bytes):
        try:
            return super().get_raw_token(header)
        except exceptions.AuthenticationFailed:
            raise _failed("The Authorization header must be `Bearer <access token>`.",
                          errors.BAD_AUTHORIZATION_HEADER) from None

    def get_validated_token(self, raw_token):
        try:
            return AccessToken(raw_token)
        except TokenError as error:
            if "expired" in str(error).lower():
                raise _failed("The access token has expired: refresh it.", errors.TOKEN_EXPIRED) from None
            raise _failed("The access token is not valid.", errors.TOKEN_INVALID) from None

    def get_user(self, validated_token):
        """The token's user, in one query that also tells whether the token's session was revoked."""
        from .models import AuthSession, User

        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session_id = validated_token.get(SESSION_CLAIM)
        try:
            users = User.objects.filter(pk=user_id)
            if session_id:
                users = users.annotate(session_revoked=~Exists(
                    AuthSession.objects.filter(pk=session_id, user=OuterRef("pk"), revoked_at__isnull=True)))
            user = users.first() if user_id is not None else None
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            user = None
        if user is None:
            raise _failed("The access token names no valid user.", errors.TOKEN_INVALID)
        if not user.is_active:
            raise _failed("This account is suspended.", errors.ACCOUNT_SUSPENDED)
        if validated_token.get(AUTH_VERSION_CLAIM) != user.auth_version or getattr(user, "session_revoked", False):
            raise _failed("The access token has been revoked: sign in again.", errors.TOKEN_REVOKED)
        return user
