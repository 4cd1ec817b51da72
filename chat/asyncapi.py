"""docs/asyncapi.yaml: the WebSocket protocol (PRODUCT.md §4) as an AsyncAPI 3.0 document.

Built here rather than written by hand so that what the code fixes (close codes, frame and body limits, rate
limits, notification kinds, error codes) is taken from the code: when one changes, `make docs` rewrites the file
and the test that compares it fails until it is committed. The document describes the server: it `receive`s the
client's commands and `send`s events."""

import jsonschema
import yaml

from bantu.core.consumers import CLOSE_GOING_AWAY
from bantu.core.realtime import CLOSE_UNAUTHENTICATED, CLOSE_UNAVAILABLE, PRESENCE_TTL
from chat.consumers import MAX_FRAME_BYTES, UserSocketConsumer
from chat.models import MAX_BODY
from notifications.models import Notification

_UUID = {"type": "string", "format": "uuid"}
_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC (`Z`), as the REST API renders it."}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _event(type_: str, properties: dict, required: list[str], title: str, summary: str, *, example: dict) -> dict:
    """A message whose JSON payload is an object with a constant `type` and the given properties."""
    return {
        "name": type_,
        "title": title,
        "summary": summary,
        "contentType": "application/json",
        "payload": {
            "type": "object",
            "required": ["type", *required],
            "properties": {"type": {"type": "string", "const": type_}, **properties},
        },
        "examples": [{"name": type_, "payload": {"type": type_, **example}}],
    }


_IDS = {
    "conversation": "0193a6f0-7c1e-7d3a-9b2f-2a5e8c0d4f11",
    "message": "0193a6f2-1a2b-7c3d-8e4f-5a6b7c8d9e01",
    "user": "0193a6e9-0d4c-7b1a-a3f2-6c5d4e3f2a10",
    "client_id": "5b0e8a1c-3f47-4d2e-9a6b-1c2d3e4f5a6b",
    "notification": "0193a6f3-4b5c-7d6e-8f90-1a2b3c4d5e6f",
}
_MESSAGE_EXAMPLE = {
    "id": _IDS["message"],
    "conversation": _IDS["conversation"],
    "sender": _IDS["user"],
    "seq": 42,
    "body": "Halo, desainnya sudah saya kirim.",
    "client_id": _IDS["client_id"],
    "created_at": "2026-12-04T09:30:00.000000Z",
}


def _schemas() -> dict:
    return {
        "ChatMessage": {
            "type": "object",
            "description": "A stored message: the same shape as in `GET conversations/{id}/messages/`.",
            "required": ["id", "conversation", "sender", "seq", "body", "client_id", "created_at"],
            "properties": {
                "id": _UUID,
                "conversation": _UUID,
                "sender": _UUID,
                "seq": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Position in the conversation, in commit "
                    "order: numbers never skip, so a gap means a missed message.",
                },
                "body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY},
                "client_id": _UUID,
                "created_at": _TIME,
            },
        },
        "Notification": {
            "type": "object",
            "description": "The same shape as in `GET notifications/`.",
            "required": ["id", "kind", "title", "body", "data", "read_at", "created_at"],
            "properties": {
                "id": _UUID,
                "kind": {"type": "string", "enum": list(Notification.Kind.values)},
                "title": {"type": "string", "maxLength": 200},
                "body": {"type": "string", "maxLength": 1000},
                "data": {"type": "object", "description": "Ids of what it is about (job, proposal, conversation…)."},
                "read_at": {"oneOf": [_TIME, {"type": "null"}]},
                "created_at": _TIME,
            },
        },
    }


def _messages() -> dict:
    conversation = {"conversation": _UUID}
    send_rate, send_burst = UserSocketConsumer.send_rate
    typing_rate, typing_burst = UserSocketConsumer.typing_rate
    return {
        "messageSend": _event(
            "message.send",
            {
                **conversation,
                "body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY,
                         "description": "Trimmed of surrounding whitespace; a blank body is refused."},
                "client_id": {
                    **_UUID,
                    "description": "Made by the client. Resending the same `client_id` stores "
                    "nothing new and answers the same `message.ack`.",
                },
            },
            ["conversation", "body", "client_id"],
            "Send a message",
            f"Store a message in a conversation you take part in and broadcast it: the same input as `POST "
            f"conversations/{{id}}/messages/`. Rate limit: {send_rate:g} a "
            f"second per socket, bursts of {send_burst}.",
            example={
                "conversation": _IDS["conversation"],
                "body": _MESSAGE_EXAMPLE["body"],
                "client_id": _IDS["client_id"],
            },
        ),
        "typingCommand": _event(
            "typing",
            conversation,
            ["conversation"],
            "Say you are typing",
            f"Broadcast to the other participants, never stored. Rate limit: {typing_rate:g} a second per socket, "
            f"bursts of {typing_burst}.",
            example={"conversation": _IDS["conversation"]},
        ),
        "messageReadCommand": _event(
            "message.read",
            {**conversation, "message": {**_UUID, "description": "Read up to this message (default: the latest)."}},
            ["conversation"],
            "Mark read",
            "Move your read position forward (never back) to this message, or to the latest; the participants get "
            "`message.read`. The same input as `POST conversations/{id}/read/`.",
            example={"conversation": _IDS["conversation"], "message": _IDS["message"]},
        ),
        "messageAck": _event(
            "message.ack",
            {"client_id": _UUID, "message": _ref("schemas", "ChatMessage")},
            ["client_id", "message"],
            "Message stored",
            "The answer to `message.send`, once the message is committed (it is stored before it is broadcast).",
            example={"client_id": _IDS["client_id"], "message": _MESSAGE_EXAMPLE},
        ),
        "messageCreated": _event(
            "message.created",
            {**conversation, "message": _ref("schemas", "ChatMessage")},
            ["conversation", "message"],
            "New message",
            "To every open socket of every participant, the sender's other devices included, whether the message "
            "came over this socket, another one or REST.",
            example={"conversation": _IDS["conversation"], "message": _MESSAGE_EXAMPLE},
        ),
        "messageRead": _event(
            "message.read",
            {**conversation, "user": _UUID, "message": _UUID},
            ["conversation", "user", "message"],
            "Read receipt",
            "A participant's read position moved to `message`.",
            example={"conversation": _IDS["conversation"], "user": _IDS["user"], "message": _IDS["message"]},
        ),
        "typingEvent": _event(
            "typing",
            {**conversation, "user": _UUID},
            ["conversation", "user"],
            "Someone is typing",
            "Another participant is typing. Not stored; show it for a few seconds.",
            example={"conversation": _IDS["conversation"], "user": _IDS["user"]},
        ),
        "notificationCreated": _event(
            "notification.created",
            {"notification": _ref("schemas", "Notification")},
            ["notification"],
            "New notification",
            "Every in-app notification of the user, as it is stored.",
            example={
                "notification": {
                    "id": _IDS["notification"],
                    "user": _IDS["user"],
                    "kind": "proposal.accepted",
                    "title": "Proposal accepted",
                    "body": "",
                    "data": {"proposal": _IDS["message"]},
                    "read_at": None,
                    "created_at": "2026-12-04T09:31:00+00:00",
                }
            },
        ),
        "error": _event(
            "error",
            {
                "status": {"type": "integer", "description": "The HTTP status the same mistake gets over REST "
                           "(503 `database_unavailable` when the database is down: retry)."},
                "title": {"type": "string"},
                "code": {
                    "type": "string",
                    "description": "Stable code: `malformed_frame`, `text_frames_only`, "
                    "`frame_too_large`, `unknown_command`, `rate_limited`, `validation_error`, "
                    "`not_in_conversation`, `unknown_message`, `server_error`, or a domain code.",
                },
                "detail": {"type": "string"},
                "command": {"type": ["string", "null"], "description": "The `type` of the frame it answers."},
                "client_id": {"type": "string", "description": "Echoed when the frame had one."},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Field → messages, for `validation_error`.",
                },
            },
            ["status", "title", "code", "detail", "command"],
            "Command refused",
            "The problem-details body the REST API answers for the same mistake (its `title`, `status`, `detail`, "
            "`code` and `errors`; commands are validated by the same input serializers), with `type` naming this "
            "event; nothing was stored and the socket stays open.",
            example={
                "status": 404,
                "title": "Not found",
                "code": "not_in_conversation",
                "detail": "No such conversation.",
                "command": "message.send",
                "client_id": _IDS["client_id"],
            },
        ),
    }


_CLOSE_CODES = {
    CLOSE_UNAUTHENTICATED: "Missing, invalid, expired or revoked token or ticket, or a suspended user; also sent "
    "to every open socket of a user who is suspended, changes the password or logs out everywhere. Do not "
    "reconnect with the same credentials: refresh the token (or get a new ticket) first.",
    CLOSE_UNAVAILABLE: "A dependency (the channel layer, Redis) is down. Reconnect later with exponential backoff.",
    CLOSE_GOING_AWAY: "The server process is shutting down (a deploy or a scale-in). Reconnect at once; another "
    "process answers. Then fetch what you missed with `GET conversations/{id}/messages/?after=<last id>`.",
}


def build_document() -> dict:
    """The AsyncAPI 3.0.0 document, as plain data (mappings in a fixed order, so the YAML is deterministic)."""
    messages = _messages()
    commands = ["messageSend", "typingCommand", "messageReadCommand"]
    events = ["messageAck", "messageCreated", "messageRead", "typingEvent", "notificationCreated", "error"]
    close_lines = "\n".join(f"- **{code}**: {text}" for code, text in _CLOSE_CODES.items())
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Bantu WebSocket",
            "version": "1.0.0",
            "description": (
                "One socket per signed-in client carries every conversation the user takes part in and their "
                "notifications. Frames are JSON text objects with a `type`, at most "
                f"{MAX_FRAME_BYTES} bytes; a binary, oversized or malformed frame gets an `error` event and the "
                "socket stays open. Generated by `manage.py docs_asyncapi` (`make docs`); docs/websocket.md "
                "explains the protocol with examples.\n\nClose codes:\n\n" + close_lines
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:8000",
                "protocol": "ws",
                "pathname": "/ws/",
                "description": "`make run`. In production: `wss://` on the API's host, same path.",
                "security": [_ref("securitySchemes", "ticket"), _ref("securitySchemes", "token")],
            },
        },
        "channels": {
            "userSocket": {
                "address": "/ws/",
                "title": "The user's socket",
                "description": (
                    "Authenticated by `?ticket=` (single use, from `POST /api/v1/auth/ws-ticket/`, valid 30 "
                    "seconds) or `?token=<access JWT>`. The server accepts every handshake and then closes a "
                    "refused one with 4401, so that clients see the code. Browsers must connect from an allowed "
                    "origin (`ALLOWED_HOSTS` or `CORS_ALLOWED_ORIGINS`); native clients send no `Origin`. "
                    f"Presence (who gets a push for a new message) lasts {PRESENCE_TTL} s after the last frame."
                ),
                "messages": {name: _ref("messages", name) for name in [*commands, *events]},
                "bindings": {
                    "ws": {
                        "method": "GET",
                        "query": {
                            "type": "object",
                            "properties": {
                                "ticket": {"type": "string", "description": "A single-use ticket."},
                                "token": {"type": "string", "description": "An access JWT."},
                            },
                        },
                        "bindingVersion": "0.1.0",
                    }
                },
                "x-close-codes": {str(code): text for code, text in _CLOSE_CODES.items()},
            },
        },
        "operations": {
            "receiveMessageSend": {
                "action": "receive",
                "channel": {"$ref": "#/channels/userSocket"},
                "summary": "A client sends a chat message.",
                "messages": [{"$ref": "#/channels/userSocket/messages/messageSend"}],
                "reply": {
                    "channel": {"$ref": "#/channels/userSocket"},
                    "messages": [
                        {"$ref": "#/channels/userSocket/messages/messageAck"},
                        {"$ref": "#/channels/userSocket/messages/error"},
                    ],
                },
            },
            "receiveTyping": {
                "action": "receive",
                "channel": {"$ref": "#/channels/userSocket"},
                "summary": "A client is typing.",
                "messages": [{"$ref": "#/channels/userSocket/messages/typingCommand"}],
            },
            "receiveMessageRead": {
                "action": "receive",
                "channel": {"$ref": "#/channels/userSocket"},
                "summary": "A client moves its read position.",
                "messages": [{"$ref": "#/channels/userSocket/messages/messageReadCommand"}],
            },
            "sendEvents": {
                "action": "send",
                "channel": {"$ref": "#/channels/userSocket"},
                "summary": "Events for the user: messages, read receipts, typing, notifications, refusals.",
                "messages": [{"$ref": f"#/channels/userSocket/messages/{name}"} for name in events[1:]],
            },
        },
        "components": {
            "schemas": _schemas(),
            "messages": messages,
            "securitySchemes": {
                "ticket": {
                    "type": "httpApiKey",
                    "name": "ticket",
                    "in": "query",
                    "description": "Single-use ticket from `POST /api/v1/auth/ws-ticket/` (30 seconds).",
                },
                "token": {
                    "type": "httpApiKey",
                    "name": "token",
                    "in": "query",
                    "description": "Access JWT from `POST /api/v1/auth/token/`.",
                },
            },
        },
    }


def validate_payload(document: dict, message: str, payload: dict) -> None:
    """Check `payload` against the payload schema of `components.messages.<message>` of `document` (references
    to its `components` resolved). Raises jsonschema.ValidationError."""
    wrapper = {"components": document["components"], "$ref": f"#/components/messages/{message}/payload"}
    jsonschema.Draft7Validator(wrapper).validate(payload)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # repeated schemas are written out, not as YAML anchors
        return True


def render_yaml() -> str:
    header = (
        "# Generated by `manage.py docs_asyncapi` (`make docs`) from chat/asyncapi.py; do not edit.\n"
        "# Validated against the AsyncAPI 3.0.0 JSON schema by tests/core/test_generated_docs.py.\n"
    )
    return header + yaml.dump(build_document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
