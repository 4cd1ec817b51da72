"""The one socket a signed-in client keeps open: `/ws/?token=<access JWT>` (PRODUCT.md §4).

Thin, like a view: parse the frame, rate-limit, call a chat service (in a thread, through
`database_sync_to_async`), answer. Everything to be broadcast leaves from the services after commit, through
the user groups (`bantu.core.realtime`), so a message sent over REST or from another server process arrives
here the same way.
"""

import asyncio
import functools
import logging
import time

from channels.db import DatabaseSyncToAsync, database_sync_to_async

from accounts.authentication import user_standing
from bantu.core import realtime
from bantu.core.consumers import BantuSocketConsumer
from bantu.core.exceptions import (
    SERVER_ERROR,
    ApplicationError,
    PayloadTooLarge,
    Throttled,
    problem_body,
    problem_for,
)
from bantu.core.ids import uuid_or_none
from bantu.core.jsonsafe import JSONInputError, loads_strict
from bantu.core.permissions import forget_company_roles

from . import services
from .models import Conversation
from .serializers import MessageSendSerializer, ReadSerializer, message_json

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = realtime.CLOSE_UNAUTHENTICATED
MAX_FRAME_BYTES = 16 * 1024
PRESENCE_REFRESH_SECONDS = 60


class TokenBucket:
    """`rate` actions per second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _frame(text_data) -> dict:
    """A client frame as a JSON object with a `type`. Raises ApplicationError (400, or PayloadTooLarge) for
    binary, oversized or malformed frames (deep nesting, lone surrogates, NUL: an error event, never a crash)."""
    if text_data is None:
        raise ApplicationError("Send JSON text frames.", code="text_frames_only")
    if len(text_data.encode("utf-8", errors="replace")) > MAX_FRAME_BYTES:
        raise PayloadTooLarge(f"Frames are limited to {MAX_FRAME_BYTES} bytes.", code="frame_too_large")
    try:
        content = loads_strict(text_data)
    except JSONInputError:
        raise ApplicationError("Not valid JSON.", code="malformed_frame") from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise ApplicationError("Expected a JSON object with a `type`.", code="malformed_frame")
    return content


@functools.cache
def _field_names(serializer_class) -> tuple[str, ...]:
    return tuple(serializer_class().fields)


def _validated(serializer_class, content: dict) -> dict:
    """A command's fields (`{"body": ..., "client_id": ...}`) validated by the input serializer REST uses for the
    same action (chat.serializers); the frame's `type` and `conversation` are the socket's own. Raises DRF's
    ValidationError, which `problem_for` renders as REST does."""
    serializer = serializer_class(data={name: content[name] for name in _field_names(serializer_class)
                                        if name in content})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _conversation(conversation_id) -> Conversation:
    conversation_pk = uuid_or_none(conversation_id)
    conversation = Conversation.objects.filter(pk=conversation_pk).first() if conversation_pk else None
    if conversation is None:
        raise services.not_in_conversation()
    return conversation


def _in_pool(function):
    """Run a service off the event loop on the shared thread pool, each call with its own connection handling.

    Channels' default is one thread for all database work of the process ("thread sensitive"), which
    serialises every socket's sends; the services take row locks, so they are safe to run in parallel."""
    return DatabaseSyncToAsync(function, thread_sensitive=False)


class Revoked(Exception):
    """The socket's user may no longer act: suspended, signed out, or their password changed."""


def _still_allowed(user) -> bool:
    """Suspension and password changes revoke tokens; membership changes revoke access. A long-lived socket
    must notice both: re-read the user's standing (the statement of REST authentication) and forget the memoised
    company roles before each command."""
    forget_company_roles(user)
    session_id = getattr(user, "auth_session_id", None)
    standing = user_standing(user.pk, session_id)
    if standing is None:
        return False
    is_active, auth_version, session_live = standing
    return is_active and auth_version == user.auth_version and (session_live or not session_id)


def _command(function):
    """A command's database work: the user's standing, then `function(user, ...)`, in one hop to the pool (one
    database connection borrowed per command, not one per step). Raises Revoked when the user may no longer
    act."""

    @_in_pool
    def run(user, *args):
        if not _still_allowed(user):
            raise Revoked
        return function(user, *args)

    return run


@_command
def _send(user, conversation_id, body, client_id):
    conversation_pk = uuid_or_none(conversation_id)
    if conversation_pk is None:
        raise services.not_in_conversation()
    # The service checks access in the statement that locks the conversation: no lookup before it.
    message, _created = services.message_send(conversation_id=conversation_pk, sender=user, body=body,
                                              client_id=client_id)
    return message_json(message)


@_command
def _typing(user, conversation_id):
    services.typing_announce(conversation=_conversation(conversation_id), user=user)


@_command
def _read(user, conversation_id, message_id):
    services.conversation_mark_read(conversation=_conversation(conversation_id), user=user, message_id=message_id)


RELEASE_ATTEMPTS = 4
RELEASE_PAUSE_SECONDS = 0.2  # then 0.4, 0.8: with the pool's own wait, about 20 s in all before giving up


@database_sync_to_async
def _socket_closed(user_id):
    realtime.socket_closed(user_id)


async def _retrying(step, what: str) -> bool:
    """Await `step()` until it succeeds, at most RELEASE_ATTEMPTS times; whether it did. Never raises (but a
    cancellation of the caller goes through)."""
    for attempt in range(RELEASE_ATTEMPTS):
        try:
            await step()
            return True
        except Exception as exc:
            if attempt + 1 == RELEASE_ATTEMPTS:
                logger.error("%s failed %d times, the last with %r", what, RELEASE_ATTEMPTS, exc)
                return False
            await asyncio.sleep(RELEASE_PAUSE_SECONDS * 2 ** attempt)
    return False


class UserSocketConsumer(BantuSocketConsumer):
    send_rate = (5.0, 20)  # messages per second, burst
    typing_rate = (2.0, 5)

    group = None
    present = False

    async def __call__(self, scope, receive, send):
        # However the socket ends (a clean close, a crash in a handler, the server stopping), its group and
        # presence are released: a stale presence count would hide the user from offline notifications.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._release()

    async def connect(self):
        self.user = self.scope.get("user")
        await self.accept()  # accept first: closing before accepting reaches the client as HTTP 403, not 4401
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.buckets = {"message.send": TokenBucket(*self.send_rate), "typing": TokenBucket(*self.typing_rate)}
        self.presence_refreshed = time.monotonic()
        try:
            await self.channel_layer.group_add(realtime.user_group(self.user.pk), self.channel_name)
            self.group = realtime.user_group(self.user.pk)
            await database_sync_to_async(realtime.socket_opened)(self.user.pk)
            self.present = True
        except Exception:
            logger.exception("Socket of user %s: the channel layer is unavailable", self.user.pk)
            await self.close(code=realtime.CLOSE_UNAVAILABLE)

    async def disconnect(self, code):
        await self._release()

    async def _release(self):
        """Leave the user's group and count the socket out of the user's presence, once, whatever fails.

        A burst of closing sockets (a thousand at once, a server restart) can find the channel layer's pool
        busy or Redis briefly gone: each step is retried (RELEASE_ATTEMPTS, with a growing pause), failures are
        logged, and nothing is raised, so the other step and the rest of the socket's shutdown still run. A
        group left behind after every attempt only costs deliveries to a closed channel until the layer's
        group expiry."""
        group, present = self.group, self.present
        self.group, self.present = None, False
        if group:
            await _retrying(lambda: self.channel_layer.group_discard(group, self.channel_name),
                            f"Socket of user {self.user.pk}: leaving its group")
        if present:
            await _retrying(lambda: _socket_closed(self.user.pk), f"Socket of user {self.user.pk}: presence")

    async def receive(self, text_data=None, bytes_data=None):
        if not self.group:
            return
        command, reply_to = None, {}
        try:
            content = _frame(text_data)
            command = content["type"]
            if isinstance(content.get("client_id"), str):
                reply_to["client_id"] = content["client_id"]
            if time.monotonic() - self.presence_refreshed > PRESENCE_REFRESH_SECONDS:
                self.presence_refreshed = time.monotonic()
                await database_sync_to_async(realtime.socket_alive)(self.user.pk)
            handler = {"message.send": self.command_send, "typing": self.command_typing,
                       "message.read": self.command_read}.get(command)
            if handler is None:
                raise ApplicationError(f"Unknown command {command!r}.", code="unknown_command")
            bucket = self.buckets.get(command)
            if bucket is not None and not bucket.take():
                raise Throttled("Too many commands; slow down.")
            await handler(content)
        except Revoked:
            await self.close(code=CLOSE_UNAUTHENTICATED)
        except Exception as exc:  # every error is answered; a bug is logged as well
            problem = problem_for(exc)
            if problem is None:
                # A bug must not drop the socket: the client gets a 500 event, as REST would answer, and the
                # details go to the log.
                logger.exception("Socket command %r of user %s failed", command, self.user.pk)
                problem = problem_body(**SERVER_ERROR), {}
            await self._error(problem[0], command, reply_to)

    async def _error(self, problem: dict, command, reply_to):
        """The REST API's problem details of the error (`bantu.core.exceptions.problem_for`), as an `error` event:
        `type` names the event instead of the problem (its `code` names the problem), with the command it answers
        and the command's `client_id`."""
        await self.send_json({**problem, "type": "error", "command": command, **reply_to})

    async def command_send(self, content):
        data = _validated(MessageSendSerializer, content)
        message = await _send(self.user, content.get("conversation"), data["body"], data["client_id"])
        await self.send_json({"type": "message.ack", "client_id": str(data["client_id"]), "message": message})

    async def command_typing(self, content):
        await _typing(self.user, content.get("conversation"))

    async def command_read(self, content):
        data = _validated(ReadSerializer, content)
        await _read(self.user, content.get("conversation"), data.get("message"))

    async def relay(self, event):
        """Group message `{"type": "relay", "payload": {...}}` → the payload to this client.

        The Redis layer hands one message dict to all of a process's sockets it was sent to (a room's hundreds):
        the first encodes the payload and leaves the text in the event for the others."""
        text = event.get("_text")
        if text is None:
            text = event["_text"] = await self.encode_json(event["payload"])
        await self.send(text_data=text)

    async def session_close(self, event):
        """Group message `{"type": "session.close", "code": 4401}`: the user's tokens were revoked; with
        `"session"`, only that sign-in session's (the socket of another session stays open)."""
        if event.get("session") and event["session"] != getattr(self.user, "auth_session_id", None):
            return
        await self.close(code=event["code"])
