"""In-app notifications: the REST list and marks (PRODUCT.md §2.8, §3), socket delivery (§4), and who is notified
when an operator removes a job."""

import datetime

import pytest

from jobs.services import job_remove
from notifications import delivery
from notifications.models import Notification
from tests.notifications.helpers import _deliver_and_receive, send
from tests.problems import assert_problem
from tests.proposals.helpers import apply, make_job, submit

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/notifications/"
READ_ALL = f"{NOTIFICATIONS}read-all/"
READ_AT = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def read_url(notification) -> str:
    return f"{NOTIFICATIONS}{notification.pk}/read/"


def test_list_is_newest_first_with_unread_count(as_user, user, freelancer):
    first = send(user, "Satu", body="Isi satu", data={"job": "j1"})
    second = send(user, "Dua", kind=Notification.Kind.OFFER_COUNTERED)
    third = send(user, "Tiga")
    send(freelancer, "Bukan milikmu")
    Notification.objects.filter(pk=second.pk).update(read_at=READ_AT)

    response = as_user(user).get(NOTIFICATIONS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert body["unread_count"] == 2
    assert (body["next"], body["previous"]) == (None, None)
    assert [row["id"] for row in body["results"]] == [str(third.pk), str(second.pk), str(first.pk)]
    oldest = body["results"][2]
    assert set(oldest) == {"id", "kind", "title", "body", "data", "read_at", "created_at"}
    assert (oldest["kind"], oldest["title"], oldest["body"], oldest["data"], oldest["read_at"]) == (
        "proposal.submitted", "Satu", "Isi satu", {"job": "j1"}, None)
    assert datetime.datetime.fromisoformat(body["results"][1]["read_at"]) == READ_AT


def test_list_is_paginated(as_user, user):
    sent = [send(user, f"Notifikasi {n}") for n in range(5)]
    client = as_user(user)

    page_one = client.get(NOTIFICATIONS, {"page_size": 2}).json()
    page_three = client.get(NOTIFICATIONS, {"page_size": 2, "page": 3}).json()

    assert page_one["count"] == 5
    assert page_one["unread_count"] == 5
    assert [row["title"] for row in page_one["results"]] == ["Notifikasi 4", "Notifikasi 3"]
    assert page_one["next"].endswith("?page=2&page_size=2")
    assert page_one["previous"] is None
    assert [row["id"] for row in page_three["results"]] == [str(sent[0].pk)]
    assert page_three["next"] is None
    assert page_three["unread_count"] == 5


@pytest.mark.parametrize(("value", "titles"), [("true", ["Tiga", "Satu"]), ("1", ["Tiga", "Satu"]),
                                               ("false", ["Tiga", "Dua", "Satu"]), ("0", ["Tiga", "Dua", "Satu"])])
def test_unread_filter(as_user, user, value, titles):
    send(user, "Satu")
    read = send(user, "Dua")
    send(user, "Tiga")
    Notification.objects.filter(pk=read.pk).update(read_at=READ_AT)

    body = as_user(user).get(NOTIFICATIONS, {"unread": value}).json()

    assert [row["title"] for row in body["results"]] == titles
    assert body["count"] == len(titles)
    assert body["unread_count"] == 2


@pytest.mark.parametrize("value", ["maybe", "yes", "TRUE", "2"])
def test_unread_filter_rejects_other_values(as_user, user, value):
    response = as_user(user).get(NOTIFICATIONS, {"unread": value})

    problem = assert_problem(response, 400, "validation_error")
    assert problem["errors"] == {"unread": ["Must be true or false."]}


def test_mark_read_is_idempotent_and_keeps_the_first_read_time(as_user, user):
    notification = send(user)
    other = send(user, "Lain")
    client = as_user(user)

    first = client.post(read_url(notification))
    second = client.post(read_url(notification))

    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == str(notification.pk)
    assert first.json()["read_at"] is not None
    assert second.json()["read_at"] == first.json()["read_at"]
    notification.refresh_from_db()
    stored = notification.read_at
    assert stored is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.get(NOTIFICATIONS).json()["unread_count"] == 1


def test_mark_read_of_someone_elses_notification_is_404(as_user, user, freelancer):
    notification = send(freelancer)

    response = as_user(user).post(read_url(notification))

    assert_problem(response, 404, "not_found")
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_read_of_an_unknown_notification_is_404(as_user, user):
    response = as_user(user).post(f"{NOTIFICATIONS}00000000-0000-7000-8000-000000000000/read/")

    assert_problem(response, 404, "not_found")


def test_read_all_marks_only_mine_and_answers_the_number_marked(as_user, user, freelancer):
    already = send(user, "Sudah dibaca")
    Notification.objects.filter(pk=already.pk).update(read_at=READ_AT)
    for n in range(3):
        send(user, f"Baru {n}")
    theirs = send(freelancer)
    client = as_user(user)

    first = client.post(READ_ALL)
    second = client.post(READ_ALL)

    assert first.status_code == 200, first.content
    assert first.json() == {"marked": 3}
    assert second.json() == {"marked": 0}
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=already.pk).read_at == READ_AT
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(NOTIFICATIONS).json()["unread_count"] == 0


def test_anonymous_gets_401(api, user):
    notification = send(user)

    for response in (api.get(NOTIFICATIONS), api.post(read_url(notification)), api.post(READ_ALL)):
        assert_problem(response, 401, "not_authenticated")
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_constant(as_user, user, rows, django_assert_num_queries):
    for n in range(rows):
        send(user, f"Notifikasi {n}")
    client = as_user(user)

    with django_assert_num_queries(4):
        response = client.get(NOTIFICATIONS, {"page_size": 100})

    assert len(response.json()["results"]) == rows


def test_api_event_reaches_the_socket_of_each_recipient(as_user, company, owner, recruiter, freelancer,
                                                        django_capture_on_commit_callbacks):
    job = make_job(company, owner)

    def make():
        response = apply(as_user(freelancer), job)
        assert response.status_code == 201, response.content
        return response.json()["id"]

    proposal_id, messages = _deliver_and_receive(django_capture_on_commit_callbacks, [owner, recruiter, freelancer],
                                                 make)

    for message in messages[:2]:  # on each member's own channel
        notification = message["payload"]["notification"]
        assert message["payload"]["type"] == "notification.created"
        assert notification["kind"] == "proposal.submitted"
        assert notification["data"] == {"proposal": proposal_id, "job": str(job.pk)}
    assert messages[2] is None


def test_a_failing_channel_does_not_fail_the_request(as_user, company, owner, freelancer, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    job = make_job(company, owner)

    def broken_push(notifications):
        raise ConnectionError("push gateway down")

    monkeypatch.setattr(delivery, "deliver_to_devices", broken_push)
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(as_user(freelancer), job)

    assert response.status_code == 201, response.content
    assert Notification.objects.get().user_id == owner.pk


# --- operator removal ------------------------------------------------------------------------------------------


def test_job_removal_by_an_operator_notifies_the_company_members(as_user, company, owner, recruiter, freelancer,
                                                                 operator, other_company_owner,
                                                                 django_capture_on_commit_callbacks):
    job = make_job(company, owner)
    submit(job, freelancer)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(operator).post(f"/api/v1/jobs/{job.pk}/remove/", {"reason": "Penipuan"}, format="json")

    assert response.status_code == 200, response.content
    for member in (owner, recruiter):
        notification = member.notifications.get()
        assert notification.kind == "job.removed"
        assert notification.title == "Your job “Desain Logo Kedai Kopi” was removed by an operator"
        assert notification.body == "Penipuan"
        assert notification.data == {"job": str(job.pk)}
    assert Notification.objects.count() == 2
    listed = as_user(recruiter).get(NOTIFICATIONS).json()
    assert [row["kind"] for row in listed["results"]] == ["job.removed"]


def test_removing_an_already_removed_job_notifies_nobody(as_user, company, owner, operator,
                                                         django_capture_on_commit_callbacks):
    job = make_job(company, owner)
    job_remove(job=job, operator=operator, reason="Spam")  # its notification's callback is never run here

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(operator).post(f"/api/v1/jobs/{job.pk}/remove/", {"reason": "Lagi"}, format="json")

    assert_problem(response, 409, "already_removed")
    assert callbacks == []
    assert Notification.objects.count() == 0
