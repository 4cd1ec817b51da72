"""Stable error codes of the jobs app."""

ILLEGAL_TRANSITION = "illegal_status_transition"
NOT_EDITABLE = "job_not_editable"
STATUS_MANAGED_BY_CONTRACTS = "status_managed_by_contracts"
COMPANY_REQUIRED = "company_required"
NOT_A_MEMBER = "not_a_member_of_company"
ALREADY_REMOVED = "already_removed"
NOT_REMOVED = "not_removed"
