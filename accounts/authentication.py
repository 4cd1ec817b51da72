from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from bantu.core.rowlock import db_value
from bantu.core.sql import table

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
        """The token's user, in one query that also tells whether the token's session is live: one raw statement,
        because this runs on every authenticated request and building the same query with the ORM each time
        cost ~2,800 Python calls of the ~20,000 of an escrow approval (bench/escrow_cost.py --by-frame)."""
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session_id = validated_token.get(SESSION_CLAIM)
        try:
            user = _user_with_session(user_id, session_id) if user_id is not None else None
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            user = None
        if user is None:
            raise _failed("The access token names no valid user.", errors.TOKEN_INVALID)
        if not user.is_active:
            raise _failed("This account is suspended.", errors.ACCOUNT_SUSPENDED)
        if validated_token.get(AUTH_VERSION_CLAIM) != user.auth_version or (session_id and not user.session_live):
            raise _failed("The access token has been revoked: sign in again.", errors.TOKEN_REVOKED)
        return user


def _user_with_session(user_id, session_id):
    """The User `user_id` (None if there is none) with `session_live`: whether AuthSession `session_id` is one of
    its sessions and not revoked (False when `session_id` is None). Raises ValidationError for an id that is not a
    UUID."""
    from .models import User

    for user in User.objects.raw(*_with_session("u.*", user_id, session_id)):
        return user
    return None


def user_standing(user_id, session_id) -> tuple[bool, int, bool] | None:
    """(is_active, auth_version, session_live) of the User `user_id`, None if there is none: what
    `_user_with_session` reads, without building a User, for a socket, which checks it before every command
    (chat/consumers.py). Raises ValidationError for an id that is not a UUID."""
    with connection.cursor() as cursor:
        cursor.execute(*_with_session("u.is_active, u.auth_version", user_id, session_id))
        row = cursor.fetchone()
    return None if row is None else (bool(row[0]), row[1], bool(row[2]))


def _with_session(columns: str, user_id, session_id) -> tuple[str, list]:
    """The statement (and its parameters) selecting `columns` of the User `user_id` and `session_live`."""
    from .models import AuthSession, User

    user_pk = db_value(User, "id", user_id)
    session_pk = db_value(AuthSession, "id", session_id) if session_id else None
    sql = _USER_WITH_SESSION_SQL.format(columns=columns, user=table(User), session=table(AuthSession))
    return sql, [session_pk, user_pk]


# The session must belong to the user and be unrevoked; its expiry is the refresh token's, not the access token's.
_USER_WITH_SESSION_SQL = (
    "SELECT {columns}, EXISTS (SELECT 1 FROM {session} s WHERE s.id = %s AND s.user_id = u.id AND s.revoked_at IS NULL)"
    " AS session_live FROM {user} u WHERE u.id = %s"
)
