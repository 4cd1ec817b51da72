"""The service that stores a chat message (`chat.services.message_send`): its statements, its access check, its
idempotency and the read position it moves. The socket and REST paths around it are in
consumers/test_consumer.py and api/test_api.py."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bantu.core.exceptions import NotFound
from chat import services
from chat.models import Conversation, Message, Participant
from companies.models import Membership
from tests.factories import MembershipFactory


def test_a_send_by_a_participant_is_one_statement_on_postgresql_and_four_elsewhere(conversation, owner):
    """Lock, access check and numbering in one UPDATE; the insert; the sender's read position; the recipients. On
    PostgreSQL all four are one statement (data-modifying CTEs)."""
    with CaptureQueriesContext(connection) as queries:
        services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo", client_id=uuid.uuid4())

    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert [verb for verb in statements if verb not in ("SAVEPOINT", "RELEASE")] == (
        ["WITH"] if connection.vendor == "postgresql" else ["UPDATE", "INSERT", "UPDATE", "SELECT"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_outside_a_transaction_stores_it_whole_and_a_resend_stores_nothing(conversation, owner, freelancer):
    """Where no transaction is open (a socket's command, a REST request), PostgreSQL's one statement is its own
    transaction: no savepoint, and a resend's unique violation leaves nothing behind."""
    client_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries:
        message, created = services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo",
                                                 client_id=client_id)
    again, created_again = services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo",
                                                 client_id=client_id)

    conversation.refresh_from_db()
    stored = Message.objects.get(pk=message.pk)
    assert (created, created_again, again.pk) == (True, False, message.pk)
    assert (stored.seq, stored.body, stored.client_id, stored.sender_id) == (1, "Halo", client_id, owner.pk)
    assert stored.created_at == stored.updated_at == message.created_at == conversation.last_message_at
    assert (conversation.last_seq, conversation.last_message_id, Message.objects.count()) == (1, message.pk, 1)
    assert Participant.objects.get(conversation=conversation, user=owner).last_read_message_id == message.pk
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    if connection.vendor == "postgresql":  # then the recipient's notification (offline), after the commit
        assert statements[0] == "WITH" and "SAVEPOINT" not in statements


def test_a_resend_inside_a_callers_transaction_leaves_it_usable(conversation, owner):
    client_id = uuid.uuid4()
    with transaction.atomic():
        first, _ = services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo",
                                         client_id=client_id)
        again, created = services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo",
                                               client_id=client_id)
        count = Message.objects.count()

    assert (created, again.pk, count) == (False, first.pk, 1)


def test_a_send_numbers_the_message_and_makes_it_the_last(conversation, owner, freelancer):
    first, _ = services.message_send(conversation_id=conversation.pk, sender=owner, body=" Halo ",
                                     client_id=uuid.uuid4())
    second, created = services.message_send(conversation_id=conversation.pk, sender=freelancer, body="Siap",
                                            client_id=uuid.uuid4())

    conversation.refresh_from_db()
    stored = Message.objects.get(pk=second.pk)
    assert created is True
    assert (first.seq, second.seq, first.body) == (1, 2, "Halo")
    assert (conversation.last_seq, conversation.last_message_id) == (2, second.pk)
    assert conversation.last_message_at == stored.created_at == second.created_at
    assert Participant.objects.get(conversation=conversation, user=freelancer).last_read_seq == 2


def test_a_resend_returns_the_stored_message_and_numbers_nothing(conversation, owner):
    client_id = uuid.uuid4()
    first, _ = services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo", client_id=client_id)

    again, created = services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo",
                                           client_id=client_id)

    conversation.refresh_from_db()
    assert (created, again.pk, again.seq) == (False, first.pk, 1)
    assert (conversation.last_seq, Message.objects.count()) == (1, 1)


def test_an_outsider_or_an_unknown_conversation_is_not_found_and_nothing_changes(conversation, owner,
                                                                                other_company_owner, stranger):
    for user, conversation_id in ((other_company_owner, conversation.pk), (stranger, conversation.pk),
                                  (owner, uuid.uuid4())):
        with pytest.raises(NotFound) as raised:
            services.message_send(conversation_id=conversation_id, sender=user, body="Halo", client_id=uuid.uuid4())
        assert raised.value.code == "not_in_conversation"

    conversation.refresh_from_db()
    assert (conversation.last_seq, conversation.last_message_id, Message.objects.count()) == (0, None, 0)


def test_a_member_who_joined_the_company_later_takes_part_from_their_first_message(conversation, company, owner,
                                                                                   freelancer, monkeypatch):
    newcomer = MembershipFactory(company=company, role=Membership.Role.RECRUITER).user
    assert not Participant.objects.filter(conversation=conversation, user=newcomer).exists()

    heard = []
    monkeypatch.setattr(services.events, "message_created", lambda message, user_ids: heard.extend(user_ids))

    message, _ = services.message_send(conversation_id=conversation.pk, sender=newcomer, body="Halo",
                                       client_id=uuid.uuid4())

    participant = Participant.objects.get(conversation=conversation, user=newcomer)
    assert (participant.last_read_seq, participant.last_read_message_id) == (1, message.pk)
    assert sorted(map(str, heard)) == sorted(map(str, [owner.pk, freelancer.pk, newcomer.pk]))


def test_a_member_who_left_the_company_can_no_longer_send(conversation, company, owner):
    Membership.objects.filter(company=company, user=owner).delete()

    with pytest.raises(NotFound):
        services.message_send(conversation_id=conversation.pk, sender=owner, body="Halo", client_id=uuid.uuid4())

    assert Conversation.objects.get(pk=conversation.pk).last_seq == 0


def test_a_member_who_left_the_company_hears_nothing_more(conversation, company, owner, freelancer,
                                                          django_capture_on_commit_callbacks, monkeypatch):
    """They keep their Participant row (their read position), but no message, read receipt or typing event, nor
    the push and in-app notification of a message while offline, reaches them."""
    recruiter = MembershipFactory(company=company, role=Membership.Role.RECRUITER).user
    services.message_send(conversation_id=conversation.pk, sender=recruiter, body="Halo", client_id=uuid.uuid4())
    Membership.objects.filter(company=company, user=recruiter).delete()
    heard = []
    def send_to_users(user_ids, payload, presence_of=None):
        heard.append((payload["type"], sorted(map(str, user_ids))))
        return None if presence_of is None else set()  # everyone offline

    monkeypatch.setattr(services.events.realtime, "send_to_users", send_to_users)
    notified = []
    monkeypatch.setattr(services.events, "notify",
                        lambda *, user_ids, **kwargs: notified.append(sorted(map(str, user_ids))))

    with django_capture_on_commit_callbacks(execute=True):
        message, _ = services.message_send(conversation_id=conversation.pk, sender=freelancer, body="Siap",
                                           client_id=uuid.uuid4())
        services.conversation_mark_read(conversation=conversation, user=owner, message_id=message.pk)
        services.typing_announce(conversation=conversation, user=freelancer)

    parties = sorted([str(owner.pk), str(freelancer.pk)])
    assert sorted(heard) == [("message.created", parties), ("message.read", parties), ("typing", [str(owner.pk)])]
    assert notified == [[str(owner.pk)]]
    assert Participant.objects.filter(conversation=conversation, user=recruiter).exists()
