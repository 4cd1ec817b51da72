"""Writes of the accounts app. One package, one import path: `from accounts import services`."""

from .google import google_account_find, google_id_token_verify, google_identity_link
from .mail import (
    email_change_request,
    email_verification_resend,
    email_verification_send,
    email_verify,
    password_reset_confirm,
    password_reset_request,
)
from .sessions import (
    WS_TICKET_SECONDS,
    revoke_all_tokens,
    session_revoke,
    sessions_delete_ended,
    tokens_issue,
    tokens_refresh,
    user_logout,
    user_logout_all,
    ws_ticket_issue,
    ws_ticket_redeem,
)
from .users import (
    user_create,
    user_login,
    user_password_change,
    user_reactivate,
    user_suspend,
    user_update,
)

__all__ = [
    "WS_TICKET_SECONDS",
    "email_change_request",
    "email_verification_resend",
    "email_verification_send",
    "email_verify",
    "google_account_find",
    "google_id_token_verify",
    "google_identity_link",
    "password_reset_confirm",
    "password_reset_request",
    "revoke_all_tokens",
    "session_revoke",
    "sessions_delete_ended",
    "tokens_issue",
    "tokens_refresh",
    "user_create",
    "user_login",
    "user_logout",
    "user_logout_all",
    "user_password_change",
    "user_reactivate",
    "user_suspend",
    "user_update",
    "ws_ticket_issue",
    "ws_ticket_redeem",
]
