"""Concurrent sends over REST, for real: threads with their own PostgreSQL connections (`select_for_update` is a
no-op on SQLite). Sequence numbers stay gapless and unique; a resent client_id stores one message."""

import uuid
from collections import Counter

import pytest

from chat.models import Conversation, Message
from tests.concurrency import run_at_once
from tests.conftest import client_for

from ..helpers import messages_url

# One xdist worker runs every thread race (`make test` uses --dist loadgroup): two at once on two workers would
# need more connections than PostgreSQL allows (100).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.xdist_group("thread_races")]


def test_concurrent_sends_get_unique_gapless_sequence_numbers(conversation, owner, freelancer):
    clients = [client_for(owner if index % 2 else freelancer) for index in range(20)]

    statuses = run_at_once(20, lambda i: clients[i].post(
        messages_url(conversation), {"body": f"Pesan {i}", "client_id": str(uuid.uuid4())},
        format="json").status_code)

    assert statuses == [201] * 20
    assert sorted(Message.objects.filter(conversation=conversation).values_list("seq", flat=True)) == list(
        range(1, 21))
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.last_seq == 20
    assert Message.objects.get(pk=conversation.last_message_id).seq == 20


def test_concurrent_resends_of_one_client_id_store_one_message(conversation, owner):
    clients = [client_for(owner) for _ in range(10)]
    body = {"body": "Sekali saja", "client_id": str(uuid.uuid4())}

    responses = run_at_once(10, lambda i: clients[i].post(messages_url(conversation), body, format="json"))

    assert Counter(response.status_code for response in responses) == {201: 1, 200: 9}
    assert len({response.json()["id"] for response in responses}) == 1
    assert Message.objects.count() == 1
    assert Conversation.objects.get(pk=conversation.pk).last_seq == 1
