from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication

from . import errors

AUTH_VERSION_CLAIM = "ver"


class BantuJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, plus: tokens issued before the user's last password change or
    suspension are refused (the `ver` claim must equal `User.auth_version`)."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)  # refuses unknown and inactive (suspended) users
        if validated_token.get(AUTH_VERSION_CLAIM) != user.auth_version:
            raise exceptions.AuthenticationFailed(_("Token has been revoked."), code=errors.TOKEN_REVOKED)
        return user
