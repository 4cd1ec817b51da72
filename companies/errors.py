"""Stable error codes of the companies app."""

NOT_A_MEMBER = "not_a_member"
NOT_A_MANAGER = "not_a_company_manager"
OWNER_REQUIRED = "owner_required"
ALREADY_MEMBER = "already_member"
USER_NOT_FOUND = "user_not_found"
LAST_OWNER = "last_owner"
