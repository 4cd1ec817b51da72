"""Writes of the chat app. Authorization (who may open/post/read) is enforced here as well as in the views,
because the WebSocket consumer calls these functions too."""

import contextlib
import functools

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Action, audit_record
from bantu.core.exceptions import ApplicationError, Conflict, Forbidden, NotFound
from bantu.core.models import uuid7
from bantu.core.permissions import is_member
from bantu.core.rowlock import db_value
from bantu.core.sql import column, table
from companies.models import Company, Membership
from companies.selectors import company_member_ids

from . import errors, events
from .models import Conversation, Message, MessageReport, Participant
from .permissions import can_access_conversation


def not_in_conversation() -> NotFound:
    """The error for a conversation that does not exist or that the user is not part of: 404, not 403 (a
    conversation one is not part of does not exist for them), over REST and on the socket alike."""
    return NotFound("No such conversation.", code=errors.NOT_IN_CONVERSATION)


def _require_access(user: User, conversation: Conversation) -> None:
    if not can_access_conversation(user, conversation):
        raise not_in_conversation()


def _join(conversation: Conversation, user: User) -> Participant:
    participant, _ = Participant.objects.get_or_create(conversation=conversation, user=user)
    return participant


def _join_both_sides(conversation: Conversation) -> None:
    """A new conversation starts with the freelancer and every current member of the company; members who
    join the company later become participants when they first open or post in it."""
    user_ids = [conversation.freelancer_id, *company_member_ids(company_id=conversation.company_id)]
    Participant.objects.bulk_create([Participant(conversation=conversation, user_id=uid) for uid in user_ids],
                                    ignore_conflicts=True)


def _hears_sql(user: str, *, freelancer: str, company: str) -> str:
    """The SQL condition that the user `user` (an SQL expression) hears a conversation whose freelancer and company
    are the expressions `freelancer` and `company`: they are its freelancer or a current member of its company
    (`_audience`, and the send's one statement)."""
    # Only model table and column names, quoted by the backend, are formatted in.
    return (f"({user} = {freelancer} OR EXISTS (SELECT 1 FROM {table(Membership)} m "  # noqa: S608
            f"WHERE m.{column(Membership, 'company')} = {company} AND m.{column(Membership, 'user')} = {user}))")


def _claim_sql(returning: str) -> str:
    """`_claim_seq`'s UPDATE, returning `returning` (SQL): its parameters are the message's id and time, the
    conversation's id, and the sender's id twice. Only model table and column names are formatted in."""
    seq = column(Conversation, "last_seq")
    return (
        f"UPDATE {table(Conversation)} SET {seq} = {seq} + 1, "  # noqa: S608
        f"{column(Conversation, 'last_message')} = %s, {column(Conversation, 'last_message_at')} = %s "
        f"WHERE {column(Conversation, 'id')} = %s AND ({column(Conversation, 'freelancer')} = %s "
        f"OR {column(Conversation, 'company')} IN (SELECT {column(Membership, 'company')} "
        f"FROM {table(Membership)} WHERE {column(Membership, 'user')} = %s)) RETURNING {returning}")


def _audience(conversation_id) -> list:
    """The user ids that hear conversation `conversation_id`'s events (messages, reads, typing): its participants
    who still take part, the freelancer and the company's current members. A member who left the company keeps a
    Participant row (their read position, should they return) but hears nothing more, in one statement (SQL, as
    in `_claim_seq`: it runs on every send)."""
    user = column(Participant, "user")
    hears = _hears_sql(f"p.{user}", freelancer=f"c.{column(Conversation, 'freelancer')}",
                       company=f"c.{column(Conversation, 'company')}")
    # Only model table and column names, quoted by the backend, are formatted in; values are parameters.
    statement = (
        f"SELECT p.{user} FROM {table(Participant)} p "  # noqa: S608
        f"INNER JOIN {table(Conversation)} c ON c.{column(Conversation, 'id')} = "
        f"p.{column(Participant, 'conversation')} "
        f"WHERE p.{column(Participant, 'conversation')} = %s AND {hears}")
    user_field = Participant._meta.get_field("user")
    with connection.cursor() as cursor:
        cursor.execute(statement, [db_value(Conversation, "id", conversation_id)])
        return [user_field.to_python(row[0]) for row in cursor.fetchall()]  # a UUID, also from SQLite's hex text


def _read_up_to(*, conversation_id, user_id, message: Message) -> bool:
    """Move `user_id`'s read position in the conversation to `message` (its seq), whatever it was: one UPDATE
    (SQL: it runs on every send). Whether the user had a Participant row."""
    # Only model table and column names, quoted by the backend, are formatted in; values are parameters.
    statement = (
        f"UPDATE {table(Participant)} SET {column(Participant, 'last_read_seq')} = %s, "  # noqa: S608
        f"{column(Participant, 'last_read_message')} = %s "
        f"WHERE {column(Participant, 'conversation')} = %s AND {column(Participant, 'user')} = %s")
    params = [message.seq, db_value(Message, "id", message.pk), db_value(Conversation, "id", conversation_id),
              db_value(User, "id", user_id)]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount > 0


def _get_or_create(lookup: dict, defaults: dict) -> tuple[Conversation, bool]:
    try:
        with transaction.atomic():
            return Conversation.objects.get_or_create(**lookup, defaults=defaults)
    except IntegrityError:  # a concurrent open of the same conversation won
        return Conversation.objects.get(**lookup), False


@transaction.atomic
def conversation_open_for_proposal(*, user: User, proposal) -> tuple[Conversation, bool]:
    """The conversation of a proposal (at most one); either side may open it. Returns (conversation, created)."""
    if proposal.freelancer_id != user.pk and not is_member(user, proposal.job.company_id):
        raise NotFound("No such proposal.", code="not_found")
    conversation, created = _get_or_create(
        {"proposal": proposal},
        {"company_id": proposal.job.company_id, "freelancer_id": proposal.freelancer_id, "started_by": user},
    )
    if created:
        _join_both_sides(conversation)
    _join(conversation, user)
    return conversation, created


@transaction.atomic
def conversation_open_direct(*, user: User, company: Company, freelancer: User) -> tuple[Conversation, bool]:
    """A company member writes to a freelancer without a proposal (one such conversation per pair)."""
    if not is_member(user, company.pk):
        raise Forbidden("Only members of the company may open its conversations.", code="not_a_member")
    if freelancer.pk == user.pk:
        raise ApplicationError("You cannot start a conversation with yourself.", code=errors.CANNOT_MESSAGE_SELF)
    if not hasattr(freelancer, "freelancer_profile"):
        raise ApplicationError("That user is not a freelancer.", code=errors.NOT_A_FREELANCER,
                               errors={"freelancer": ["Not a freelancer."]})
    conversation, created = _get_or_create(
        {"company": company, "freelancer": freelancer, "proposal": None}, {"started_by": user}
    )
    if created:
        _join_both_sides(conversation)
    _join(conversation, user)
    return conversation, created


def _claim_seq(*, conversation_id, sender: User, message: Message) -> int | None:
    """One statement (UPDATE … RETURNING) that locks the conversation's row until commit, checks that `sender`
    takes part (its freelancer or a member of its company: `can_access_conversation`), numbers `message` and
    makes it the conversation's last. Returns the message's seq, or None when there is no such conversation for
    `sender`. Expects a transaction; the message row is inserted after it in the same transaction (foreign keys
    are checked at commit: Django creates them deferred)."""
    statement = _claim_sql(column(Conversation, "last_seq"))
    params = [db_value(Message, "id", message.pk), db_value(Conversation, "last_message_at", message.created_at),
              db_value(Conversation, "id", conversation_id), db_value(User, "id", sender.pk),
              db_value(User, "id", sender.pk)]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return row[0] if row else None


@functools.cache
def _one_statement_send_sql(vendor: str) -> str:
    """The statement of `_store_in_one_statement`, built once per database backend (building it cost as much CPU as
    running it). The message's columns are the model's concrete fields in `_meta` order: `seq` is taken from the
    claim, the others are parameters."""
    participant, user = table(Participant), column(Participant, "user")
    read_seq, read_message = column(Participant, "last_read_seq"), column(Participant, "last_read_message")
    fields = Message._meta.concrete_fields
    message_columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    message_values = ", ".join("c.last_seq" if field.attname == "seq" else "%s" for field in fields)
    claim = _claim_sql(f"{column(Conversation, 'last_seq')} AS last_seq, {column(Conversation, 'freelancer')} AS "
                       f"freelancer, {column(Conversation, 'company')} AS company")
    # Only model table and column names, quoted by the backend, are formatted in; values are parameters.
    return (
        f"WITH claim AS ({claim}), "  # noqa: S608
        f"stored AS (INSERT INTO {table(Message)} ({message_columns}) SELECT {message_values} FROM claim c "
        f"RETURNING {column(Message, 'seq')} AS seq), "
        f"position AS (INSERT INTO {participant} ({column(Participant, 'conversation')}, {user}, {read_seq}, "
        f"{read_message}, {column(Participant, 'joined_at')}) SELECT %s, %s, s.seq, %s, %s FROM stored s "
        f"ON CONFLICT ({column(Participant, 'conversation')}, {user}) DO UPDATE SET "
        f"{read_seq} = EXCLUDED.{read_seq}, {read_message} = EXCLUDED.{read_message}) "
        f"SELECT s.seq, p.{user} FROM stored s CROSS JOIN claim c "
        f"LEFT JOIN {participant} p ON p.{column(Participant, 'conversation')} = %s "
        f"AND {_hears_sql(f'p.{user}', freelancer='c.freelancer', company='c.company')}")


def _store_in_one_statement(*, conversation_id, sender: User, message: Message) -> list | None:
    """PostgreSQL: what `_claim_seq`, the message's insert, `_read_up_to` and `_audience` do, as one statement (data-
    modifying CTEs, `_one_statement_send_sql`): one round trip instead of four, and in autocommit no BEGIN or
    COMMIT of its own (a statement is its own transaction; the deferred foreign keys are checked as it ends). The
    sender's read position is an upsert, so a company member who joined after the conversation started gets their
    Participant row in the same statement. The message is inserted with every concrete field of the model,
    prepared as the ORM prepares them.

    Sets `message.seq`. Returns the audience's user ids (as `_audience`; the sender among them), or None when there
    is no such conversation for `sender` (nothing written). Raises IntegrityError when (sender, client_id) is
    stored already (nothing written). Locks the conversation row until the statement's transaction ends."""
    message_params = [field.get_db_prep_save(getattr(message, field.attname), connection)
                      for field in Message._meta.concrete_fields if field.attname != "seq"]
    message_id, conversation_pk = db_value(Message, "id", message.pk), db_value(Conversation, "id", conversation_id)
    sender_pk = db_value(User, "id", sender.pk)
    params = [message_id, db_value(Conversation, "last_message_at", message.created_at), conversation_pk, sender_pk,
              sender_pk, *message_params, conversation_pk, sender_pk, message_id,
              db_value(Participant, "joined_at", message.created_at), conversation_pk]
    with connection.cursor() as cursor:
        cursor.execute(_one_statement_send_sql(connection.vendor), params)
        rows = cursor.fetchall()
    if not rows:
        return None
    message.seq = rows[0][0]
    user_field = Participant._meta.get_field("user")
    # The statement reads the participants as they were before it, so a first-time poster is added here.
    audience = [user_field.to_python(row[1]) for row in rows if row[1] is not None]
    return audience if sender.pk in audience else [*audience, sender.pk]


def message_send(*, conversation_id, sender: User, body: str, client_id) -> tuple[Message, bool]:
    """Store a message in conversation `conversation_id` (a UUID), then broadcast it after commit.

    Idempotent on (sender, client_id), through the unique constraint: a resend returns the stored message and
    broadcasts nothing. Raises ApplicationError (empty_message) for a blank body, NotFound (not_in_conversation)
    when there is no such conversation or `sender` does not take part in it. Locks the conversation row, to number
    messages in commit order. On PostgreSQL one statement (`_store_in_one_statement`), its own transaction when
    none is open; elsewhere four statements (five for a first-time poster) and the commit.

    Returns (message, created)."""
    body = body.strip()
    if not body:
        raise ApplicationError("A message needs a body.", code=errors.EMPTY_MESSAGE,
                               errors={"body": ["May not be blank."]})
    now = timezone.now()
    message = Message(id=uuid7(), conversation_id=conversation_id, sender=sender, body=body, client_id=client_id,
                      created_at=now, updated_at=now)
    try:
        if connection.vendor == "postgresql":
            # A statement of its own, in a savepoint only when a caller's transaction is open.
            with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
                audience = _store_in_one_statement(conversation_id=conversation_id, sender=sender, message=message)
                if audience is None:
                    raise not_in_conversation()
                events.message_created(message, audience)
            return message, True
        with transaction.atomic():
            message.seq = _claim_seq(conversation_id=conversation_id, sender=sender, message=message)
            if message.seq is None:
                raise not_in_conversation()
            # raw: keep created_at as set above, which the conversation recorded as last_message_at
            # (auto_now_add would take a later time).
            message.save_base(raw=True, force_insert=True)
            if not _read_up_to(conversation_id=conversation_id, user_id=sender.pk, message=message):
                # A company member who joined the company after the conversation started posts for the first time.
                Participant.objects.get_or_create(conversation_id=conversation_id, user=sender)
                _read_up_to(conversation_id=conversation_id, user_id=sender.pk, message=message)
            events.message_created(message, _audience(conversation_id))
    except IntegrityError:  # this client_id is stored already: a resend, maybe racing in from another socket
        return Message.objects.get(sender=sender, client_id=client_id), False
    return message, True


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, user: User, message_id=None) -> Participant:
    """Move the user's read position forward (never back) to `message_id` (default: the latest)."""
    _require_access(user, conversation)
    if message_id is None:
        message = conversation.messages.order_by("-seq").first()
    else:
        message = conversation.messages.filter(pk=message_id).first()
        if message is None:
            raise ApplicationError("That message is not in this conversation.", code=errors.UNKNOWN_MESSAGE,
                                   errors={"message": ["Unknown message."]})
    participant = _join(conversation, user)
    if message is None:
        return participant
    moved = Participant.objects.filter(pk=participant.pk, last_read_seq__lt=message.seq).update(
        last_read_seq=message.seq, last_read_message=message)
    if moved:
        events.message_read(conversation.pk, user.pk, message.pk, _audience(conversation.pk))
    participant.refresh_from_db()
    return participant


def typing_announce(*, conversation: Conversation, user: User) -> None:
    _require_access(user, conversation)
    events.typing(conversation.pk, user.pk, _audience(conversation.pk))


def message_report(*, message: Message, reporter: User, reason: str) -> MessageReport:
    _require_access(reporter, message.conversation)
    try:
        with transaction.atomic():
            return MessageReport.objects.create(message=message, reporter=reporter, reason=reason)
    except IntegrityError:
        raise Conflict("You already reported this message.", code=errors.ALREADY_REPORTED) from None


CLOSING_ACTIONS = {MessageReport.Status.RESOLVED: Action.REPORT_RESOLVE,
                   MessageReport.Status.DISMISSED: Action.REPORT_DISMISS}


@transaction.atomic
def report_close(*, report: MessageReport, operator: User, status: str, reason: str = "") -> MessageReport:
    """An operator closes an open report: `resolved` (action was taken) or `dismissed` (none needed).

    A compare-and-set on the open status, so two operators closing one report close it once. Raises
    ApplicationError (invalid_report_status) for another status, Conflict (report_not_open) when it is closed
    already. Writes one audit row and tells the reporter after commit."""
    if status not in CLOSING_ACTIONS:
        raise ApplicationError("A report is closed as resolved or dismissed.", code=errors.INVALID_REPORT_STATUS,
                               errors={"status": ["Choose resolved or dismissed."]})
    closed = MessageReport.objects.filter(pk=report.pk, status=MessageReport.Status.OPEN).update(
        status=status, handled_by=operator, updated_at=timezone.now())
    if not closed:
        raise Conflict("This report is closed already.", code=errors.REPORT_NOT_OPEN)
    report.refresh_from_db()
    audit_record(actor=operator, action=CLOSING_ACTIONS[status], target=report, reason=reason)
    events.report_closed(report, reason)
    return report
