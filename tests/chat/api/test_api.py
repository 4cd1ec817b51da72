"""Chat over REST (PRODUCT.md §2.7, §3): opening conversations, the list with unread counts, messages with cursor
pagination and `?after=`, read positions, reports, and who may do what."""

import datetime
import uuid

import pytest
from django.utils import timezone

from bantu.core.permissions import forget_company_roles
from chat import services
from chat.models import Conversation, Message, MessageReport, Participant
from tests.conftest import client_for
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory
from tests.problems import assert_problem

from .. import helpers
from ..helpers import CONVERSATIONS, conversation_url, messages_url, post_message, report_url, send

pytestmark = pytest.mark.django_db


def conversation_body(conversation, *, last_message=None, unread=0) -> dict:
    conversation.refresh_from_db()
    company, freelancer = conversation.company, conversation.freelancer
    return {
        "id": str(conversation.pk),
        "company": {"id": str(company.pk), "name": company.name},
        "freelancer": {"id": str(freelancer.pk), "full_name": freelancer.full_name},
        "proposal": str(conversation.proposal_id) if conversation.proposal_id else None,
        "last_message": None if last_message is None else message_body(last_message),
        "last_message_at": None if last_message is None else _drf_datetime(last_message.created_at),
        "unread": unread,
        "created_at": _drf_datetime(conversation.created_at),
    }


def _drf_datetime(value: datetime.datetime) -> str:
    """As the API renders it: in the current time zone (Asia/Jakarta), ISO 8601."""
    rendered = timezone.localtime(value).isoformat()
    return rendered.removesuffix("+00:00") + "Z" if rendered.endswith("+00:00") else rendered


def message_body(message) -> dict:
    return {"id": str(message.pk), "conversation": str(message.conversation_id), "sender": str(message.sender_id),
            "seq": message.seq, "body": message.body, "client_id": str(message.client_id),
            "created_at": _drf_datetime(message.created_at)}


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def unread_of(user, conversation) -> int:
    rows = {row["id"]: row for row in client_for(user).get(CONVERSATIONS).json()["results"]}
    return rows[str(conversation.pk)]["unread"]


# --- opening -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["owner", "freelancer"])
def test_either_side_opens_the_conversation_of_a_proposal_once(as_user, proposal, owner, freelancer, first):
    opener, other = (owner, freelancer) if first == "owner" else (freelancer, owner)

    created = as_user(opener).post(CONVERSATIONS, {"proposal": str(proposal.pk)}, format="json")
    again = as_user(opener).post(CONVERSATIONS, {"proposal": str(proposal.pk)}, format="json")
    by_other = as_user(other).post(CONVERSATIONS, {"proposal": str(proposal.pk)}, format="json")

    assert created.status_code == 201, created.content
    conversation = Conversation.objects.get()
    assert created.json() == conversation_body(conversation)
    assert (conversation.company_id, conversation.freelancer_id, conversation.proposal_id,
            conversation.started_by_id) == (proposal.job.company_id, freelancer.pk, proposal.pk, opener.pk)
    assert (again.status_code, again.json()) == (200, created.json())
    assert (by_other.status_code, by_other.json()) == (200, created.json())
    assert set(Participant.objects.values_list("user_id", flat=True)) == {owner.pk, freelancer.pk}


@pytest.mark.parametrize("who", ["stranger", "other_company_owner"])
def test_a_stranger_cannot_open_the_conversation_of_a_proposal(as_user, proposal, who, request):
    response = as_user(request.getfixturevalue(who)).post(CONVERSATIONS, {"proposal": str(proposal.pk)},
                                                          format="json")

    assert_problem(response, 404, "not_found")
    assert not Conversation.objects.exists()


def test_company_sees_a_proposal_conversation_the_freelancer_opened(as_user, proposal, owner, freelancer):
    opened = as_user(freelancer).post(CONVERSATIONS, {"proposal": str(proposal.pk)}, format="json")
    assert opened.status_code == 201, opened.content
    post_message(freelancer, Conversation.objects.get(), "Halo, saya sudah kirim proposal.")

    listed = as_user(owner).get(CONVERSATIONS).json()["results"]

    assert [(row["id"], row["unread"]) for row in listed] == [(opened.json()["id"], 1)]


def test_company_member_opens_a_direct_conversation_with_a_freelancer(as_user, company, recruiter, freelancer):
    body = {"company": str(company.pk), "freelancer": str(freelancer.pk)}

    created = as_user(recruiter).post(CONVERSATIONS, body, format="json")
    again = as_user(recruiter).post(CONVERSATIONS, body, format="json")

    assert created.status_code == 201, created.content
    conversation = Conversation.objects.get()
    assert created.json() == conversation_body(conversation)
    assert (conversation.company_id, conversation.freelancer_id, conversation.proposal_id,
            conversation.started_by_id) == (company.pk, freelancer.pk, None, recruiter.pk)
    assert (again.status_code, again.json()) == (200, created.json())
    assert set(Participant.objects.values_list("user_id", flat=True)) == {recruiter.pk, freelancer.pk}


def test_direct_conversation_by_a_non_member_of_the_company_is_forbidden(as_user, company, other_company_owner,
                                                                        freelancer):
    response = as_user(other_company_owner).post(
        CONVERSATIONS, {"company": str(company.pk), "freelancer": str(freelancer.pk)}, format="json")

    assert_problem(response, 403, "not_a_member")
    assert not Conversation.objects.exists()


def test_direct_conversation_with_a_non_freelancer_is_refused(as_user, company, owner, stranger):
    response = as_user(owner).post(CONVERSATIONS, {"company": str(company.pk), "freelancer": str(stranger.pk)},
                                   format="json")

    body = assert_problem(response, 400, "not_a_freelancer")
    assert body["errors"] == {"freelancer": ["Not a freelancer."]}
    assert not Conversation.objects.exists()


def test_direct_conversation_with_yourself_is_refused(as_user, company, owner):
    FreelancerProfileFactory(user=owner)  # a company owner who also freelances

    response = as_user(owner).post(CONVERSATIONS, {"company": str(company.pk), "freelancer": str(owner.pk)},
                                   format="json")

    assert_problem(response, 400, "cannot_message_yourself")
    assert not Conversation.objects.exists()


# --- the list ------------------------------------------------------------------------------------------------


def test_conversation_list_has_my_conversations_with_last_message_and_unread(as_user, conversation, owner,
                                                                            freelancer, company, stranger):
    send(freelancer, conversation, "Satu")
    send(owner, conversation, "Dua")
    send(freelancer, conversation, "Tiga")
    last = send(freelancer, conversation, "Empat")
    other_company = CompanyFactory()
    MembershipFactory(company=other_company, user=freelancer)
    forget_company_roles(freelancer)  # memoised by the sends above
    empty = services.conversation_open_direct(user=freelancer, company=other_company,
                                              freelancer=FreelancerProfileFactory().user)[0]

    mine = as_user(owner).get(CONVERSATIONS)
    theirs = as_user(freelancer).get(CONVERSATIONS)

    assert mine.status_code == 200, mine.content
    assert mine.json() == {"count": 1, "next": None, "previous": None,
                           "results": [conversation_body(conversation, last_message=last, unread=2)]}
    assert {row["id"]: (row["unread"], row["last_message"] and row["last_message"]["id"])
            for row in theirs.json()["results"]} == {str(conversation.pk): (0, str(last.pk)),
                                                    str(empty.pk): (0, None)}
    assert as_user(stranger).get(CONVERSATIONS).json()["results"] == []


def test_conversation_list_puts_the_latest_activity_first(as_user, company, owner):
    quiet = services.conversation_open_direct(user=owner, company=company,
                                              freelancer=FreelancerProfileFactory().user)[0]
    busy = services.conversation_open_direct(user=owner, company=company,
                                             freelancer=FreelancerProfileFactory().user)[0]
    older = services.conversation_open_direct(user=owner, company=company,
                                              freelancer=FreelancerProfileFactory().user)[0]
    send(owner, older, "Lama")
    send(owner, busy, "Baru")

    assert ids(as_user(owner).get(CONVERSATIONS)) == [str(busy.pk), str(older.pk), str(quiet.pk)]


def _conversations_with_unread(owner, company, count: int) -> None:
    for _ in range(count):
        freelancer = FreelancerProfileFactory().user
        conversation = services.conversation_open_direct(user=owner, company=company, freelancer=freelancer)[0]
        send(owner, conversation, "Halo")
        send(freelancer, conversation, "Halo juga")


@pytest.mark.parametrize("count", [3, 30])
def test_conversation_list_takes_a_constant_number_of_queries(as_user, company, owner, count,
                                                              django_assert_num_queries):
    _conversations_with_unread(owner, company, count)
    client = as_user(owner)

    with django_assert_num_queries(4):
        response = client.get(CONVERSATIONS)

    assert response.status_code == 200, response.content
    assert response.json()["count"] == count
    assert [row["unread"] for row in response.json()["results"]] == [1] * min(count, 20)


# --- messages ------------------------------------------------------------------------------------------------


def test_post_message_stores_and_answers_it(conversation, owner):
    client_id = uuid.uuid4()

    response = post_message(owner, conversation, "  Halo, kapan bisa mulai?  ", client_id)

    assert response.status_code == 201, response.content
    message = Message.objects.get()
    assert (message.conversation_id, message.sender_id, message.seq, message.body, message.client_id) == (
        conversation.pk, owner.pk, 1, "Halo, kapan bisa mulai?", client_id)
    assert response.json() == message_body(message)
    conversation.refresh_from_db()
    assert (conversation.last_seq, conversation.last_message_id) == (1, message.pk)


def test_resending_a_client_id_returns_the_stored_message(conversation, owner):
    client_id = uuid.uuid4()
    first = post_message(owner, conversation, "Halo", client_id)

    again = post_message(owner, conversation, "Halo", client_id)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Message.objects.count() == 1


def test_a_message_of_5000_characters_is_accepted(conversation, owner):
    response = post_message(owner, conversation, "a" * 5000)

    assert response.status_code == 201, response.content
    assert len(Message.objects.get().body) == 5000


@pytest.mark.parametrize(("payload", "field"), [
    ({"body": "a" * 5001, "client_id": "6f1c1a52-9c2e-4a57-9f6f-0d3c3b1e2a10"}, "body"),
    ({"body": "   ", "client_id": "6f1c1a52-9c2e-4a57-9f6f-0d3c3b1e2a10"}, "body"),
    ({"body": "", "client_id": "6f1c1a52-9c2e-4a57-9f6f-0d3c3b1e2a10"}, "body"),
    ({"client_id": "6f1c1a52-9c2e-4a57-9f6f-0d3c3b1e2a10"}, "body"),
    ({"body": "Halo"}, "client_id"),
    ({"body": "Halo", "client_id": "not-a-uuid"}, "client_id"),
], ids=["too-long", "blank", "empty", "no-body", "no-client-id", "bad-uuid"])
def test_invalid_message_is_refused_and_nothing_stored(as_user, conversation, owner, payload, field):
    response = as_user(owner).post(messages_url(conversation), payload, format="json")

    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == [field]
    assert not Message.objects.exists()


def test_posting_to_someone_elses_conversation_is_not_found(conversation, other_company_owner, stranger):
    for user in (other_company_owner, stranger):
        assert_problem(post_message(user, conversation), 404, "not_found")
        assert_problem(client_for(user).get(messages_url(conversation)), 404, "not_found")
        assert_problem(client_for(user).get(conversation_url(conversation)), 404, "not_found")
    assert not Message.objects.exists()


def test_messages_are_newest_first_and_next_goes_to_older(as_user, conversation, owner, freelancer):
    sent = [send(owner if index % 2 else freelancer, conversation, f"Pesan {index}") for index in range(5)]
    client = as_user(freelancer)

    first = client.get(messages_url(conversation), {"page_size": 2})
    second = client.get(first.json()["next"])
    third = client.get(second.json()["next"])
    back = client.get(second.json()["previous"])

    assert first.status_code == 200, first.content
    assert first.json()["results"] == [message_body(sent[4]), message_body(sent[3])]
    assert first.json()["previous"] is None
    assert ids(second) == [str(sent[2].pk), str(sent[1].pk)]
    assert ids(third) == [str(sent[0].pk)]
    assert third.json()["next"] is None
    assert ids(back) == [str(sent[4].pk), str(sent[3].pk)]


def test_messages_default_page_is_the_newest_fifty(as_user, conversation, owner):
    sent = [send(owner, conversation, f"Pesan {index}") for index in range(55)]

    response = as_user(owner).get(messages_url(conversation))

    assert ids(response) == [str(message.pk) for message in reversed(sent[5:])]
    assert response.json()["next"] is not None


def test_after_returns_exactly_the_later_messages_oldest_first(as_user, conversation, owner, freelancer, company):
    sent = [send(owner if index % 2 else freelancer, conversation, f"Pesan {index}") for index in range(6)]
    elsewhere = services.conversation_open_direct(user=owner, company=company,
                                                  freelancer=FreelancerProfileFactory().user)[0]
    send(owner, elsewhere, "Di percakapan lain")

    response = as_user(freelancer).get(messages_url(conversation), {"after": str(sent[2].pk)})
    latest = as_user(freelancer).get(messages_url(conversation), {"after": str(sent[5].pk)})

    assert response.status_code == 200, response.content
    assert response.json()["results"] == [message_body(message) for message in sent[3:]]
    assert response.json()["next"] is None
    assert latest.json()["results"] == []


def test_after_pages_forward_through_a_long_gap(as_user, conversation, owner):
    sent = [send(owner, conversation, f"Pesan {index}") for index in range(7)]
    client = as_user(owner)

    first = client.get(messages_url(conversation), {"after": str(sent[0].pk), "page_size": 4})
    second = client.get(first.json()["next"])

    assert ids(first) == [str(message.pk) for message in sent[1:5]]
    assert ids(second) == [str(message.pk) for message in sent[5:]]
    assert second.json()["next"] is None


@pytest.mark.parametrize("after", ["", "not-a-uuid", "unknown", "other-conversation"])
def test_after_with_an_unknown_message_is_refused(as_user, conversation, owner, company, after):
    send(owner, conversation)
    elsewhere = services.conversation_open_direct(user=owner, company=company,
                                                  freelancer=FreelancerProfileFactory().user)[0]
    anchors = {"unknown": str(uuid.uuid4()), "other-conversation": str(send(owner, elsewhere).pk)}

    response = as_user(owner).get(messages_url(conversation), {"after": anchors.get(after, after)})

    body = assert_problem(response, 400, "validation_error")
    assert body["errors"] == {"after": ["Not a message of this conversation."]}


# --- reading -------------------------------------------------------------------------------------------------


def read_position(user, conversation) -> tuple:
    return tuple(Participant.objects.filter(conversation=conversation, user=user).values_list(
        "last_read_seq", "last_read_message_id").get())


def test_read_moves_the_read_position_to_the_latest(as_user, conversation, owner, freelancer):
    send(freelancer, conversation, "Satu")
    last = send(freelancer, conversation, "Dua")
    assert unread_of(owner, conversation) == 2

    response = as_user(owner).post(conversation_url(conversation, "read"), {}, format="json")

    assert response.status_code == 204, response.content
    assert read_position(owner, conversation) == (2, last.pk)
    assert unread_of(owner, conversation) == 0


def test_read_up_to_a_message_and_never_backwards(as_user, conversation, owner, freelancer):
    sent = [send(freelancer, conversation, f"Pesan {index}") for index in range(3)]
    client = as_user(owner)

    partly = client.post(conversation_url(conversation, "read"), {"message": str(sent[1].pk)}, format="json")
    position_partly, unread_partly = read_position(owner, conversation), unread_of(owner, conversation)
    client.post(conversation_url(conversation, "read"), {"message": str(sent[2].pk)}, format="json")
    backwards = client.post(conversation_url(conversation, "read"), {"message": str(sent[0].pk)}, format="json")

    assert (partly.status_code, backwards.status_code) == (204, 204)
    assert (position_partly, unread_partly) == ((2, sent[1].pk), 1)
    assert read_position(owner, conversation) == (3, sent[2].pk)
    assert unread_of(owner, conversation) == 0


def test_read_of_a_message_of_another_conversation_is_refused(as_user, conversation, owner, freelancer, company):
    send(freelancer, conversation)
    elsewhere = services.conversation_open_direct(user=owner, company=company,
                                                  freelancer=FreelancerProfileFactory().user)[0]
    foreign = send(owner, elsewhere)

    response = as_user(owner).post(conversation_url(conversation, "read"), {"message": str(foreign.pk)},
                                   format="json")

    assert_problem(response, 400, "unknown_message")
    assert read_position(owner, conversation) == (0, None)


def test_reading_someone_elses_conversation_is_not_found(as_user, conversation, freelancer, stranger):
    send(freelancer, conversation)

    response = as_user(stranger).post(conversation_url(conversation, "read"), {}, format="json")

    assert_problem(response, 404, "not_found")
    assert not Participant.objects.filter(user=stranger).exists()


def test_my_own_messages_are_never_unread(conversation, owner):
    send(owner, conversation, "Satu")
    last = send(owner, conversation, "Dua")

    assert unread_of(owner, conversation) == 0
    assert read_position(owner, conversation) == (2, last.pk)


# --- reports -------------------------------------------------------------------------------------------------


def test_report_a_message_once(as_user, conversation, owner, freelancer):
    message = send(freelancer, conversation, "Transfer ke rekening pribadi saya saja ya.")
    client = as_user(owner)

    first = client.post(report_url(message.pk), {"reason": "Meminta pembayaran di luar platform."}, format="json")
    second = client.post(report_url(message.pk), {"reason": "Lagi."}, format="json")

    assert first.status_code == 201, first.content
    assert_problem(second, 409, "already_reported")
    report = MessageReport.objects.get()
    assert (report.message_id, report.reporter_id, report.reason, report.status) == (
        message.pk, owner.pk, "Meminta pembayaran di luar platform.", MessageReport.Status.OPEN)


@pytest.mark.parametrize("who", ["stranger", "other_company_owner"])
def test_an_outsider_cannot_report_a_message(as_user, conversation, freelancer, who, request):
    message = send(freelancer, conversation)

    response = as_user(request.getfixturevalue(who)).post(report_url(message.pk), {"reason": "Spam sekali."},
                                                          format="json")

    assert_problem(response, 404, "not_found")
    assert not MessageReport.objects.exists()


def test_report_of_an_unknown_message_is_not_found(as_user, owner):
    assert_problem(as_user(owner).post(report_url(uuid.uuid4()), {"reason": "Spam sekali."}, format="json"),
                   404, "not_found")


# --- anonymous -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("get", "conversations/"),
    ("post", "conversations/"),
    ("get", "conversations/{conversation}/"),
    ("get", "conversations/{conversation}/messages/"),
    ("get", "conversations/{conversation}/messages/?after={message}"),
    ("post", "conversations/{conversation}/messages/"),
    ("post", "conversations/{conversation}/read/"),
    ("post", "messages/{message}/report/"),
])
def test_anonymous_is_unauthorized_everywhere(as_user, conversation, owner, method, path):
    message = send(owner, conversation)
    url = f"{helpers.API}/" + path.format(conversation=conversation.pk, message=message.pk)
    payload = {"body": "Halo", "client_id": str(uuid.uuid4()), "reason": "Spam", "proposal": str(uuid.uuid4())}

    client = as_user(None)
    response = client.post(url, payload, format="json") if method == "post" else client.get(url)

    assert_problem(response, 401, "not_authenticated")
    assert Message.objects.count() == 1
    assert not MessageReport.objects.exists()
