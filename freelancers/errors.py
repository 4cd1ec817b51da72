"""Stable error codes of the freelancers app."""

ALREADY_FREELANCER = "already_freelancer"
UNKNOWN_SKILL = "unknown_skill"
