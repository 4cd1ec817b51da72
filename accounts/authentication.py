from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import AccessToken

from . import errors

AUTH_VERSION_CLAIM = "ver"


def _failed(detail: str, code: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(detail, code=code)


class BantuJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, plus: tokens issued before the user's last password change or
    suspension are refused (the `ver` claim must equal `User.auth_version`), and every refusal is one human
    sentence with one stable code per cause (`accounts.errors`), never simplejwt's nested detail.

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
        try:
            user = super().get_user(validated_token)  # refuses unknown and inactive (suspended) users
        except (InvalidToken, DjangoValidationError, ValueError, TypeError, OverflowError):
            raise _failed("The access token names no valid user.", errors.TOKEN_INVALID) from None
        except exceptions.AuthenticationFailed as failure:
            detail = failure.detail if isinstance(failure.detail, dict) else {"code": failure.get_codes()}
            if detail.get("code") == "user_inactive":
                raise _failed("This account is suspended.", errors.ACCOUNT_SUSPENDED) from None
            raise _failed("The access token names no valid user.", errors.TOKEN_INVALID) from None
        if validated_token.get(AUTH_VERSION_CLAIM) != user.auth_version:
            raise _failed("The access token has been revoked: sign in again.", errors.TOKEN_REVOKED)
        return user
