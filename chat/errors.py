"""Stable error codes of the chat app."""

NOT_IN_CONVERSATION = "not_in_conversation"
CANNOT_MESSAGE_SELF = "cannot_message_yourself"
NOT_A_FREELANCER = "not_a_freelancer"
UNKNOWN_MESSAGE = "unknown_message"
ALREADY_REPORTED = "already_reported"
EMPTY_MESSAGE = "empty_message"
