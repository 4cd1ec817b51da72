"""In-app notifications: the REST list and marks (PRODUCT.md §2.8, §3), socket delivery (§4), and who is notified
when an operator removes a job."""

import asyncio
import datetime
import logging

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from bantu.core.realtime import user_group
from jobs.models import Job
from jobs.services import job_remove
from notifications import delivery
from notifications.models import Notification
from notifications.serializers import notification_json
from notifications.services import notify
from proposals import services as proposal_services
from proposals.models import Contract, Proposal
from tests.factories import FreelancerProfileFactory
from tests.problems import assert_problem
from tests.proposals.helpers import apply, make_job, submit

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/notifications/"
READ_ALL = f"{NOTIFICATIONS}read-all/"
READ_AT = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def read_url(notification) -> str:
    return f"{NOTIFICATIONS}{notification.pk}/read/"


def send(user, title="Proposal baru", kind=Notification.Kind.PROPOSAL_SUBMITTED, **kwargs) -> Notification:
    return notify(user_ids=[user.pk], kind=kind, title=title, **kwargs)[0]


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


def test_notify_skips_the_excluded_user_and_duplicates(user, freelancer):
    rows = notify(user_ids=[user.pk, freelancer.pk, user.pk, None], kind=Notification.Kind.OFFER_COUNTERED,
                  title="Tawaran", exclude_user_id=freelancer.pk)

    assert [row.user_id for row in rows] == [user.pk]
    assert Notification.objects.count() == 1
    assert notify(user_ids=[freelancer.pk], kind=Notification.Kind.OFFER_COUNTERED, title="x",
                  exclude_user_id=freelancer.pk) == []


# --- delivery -------------------------------------------------------------------------------------------------


def _deliver_and_receive(capture, users, make_notifications):
    """Subscribe one test channel per user to that user's socket group, run `make_notifications` (committing its
    on-commit callbacks), then collect what each channel received within a short wait."""
    layer = get_channel_layer()

    def produce():
        with capture(execute=True):
            return make_notifications()

    async def scenario():
        channels = [await layer.new_channel() for _ in users]
        for user, channel in zip(users, channels, strict=True):
            await layer.group_add(user_group(user.pk), channel)
        try:
            produced = await sync_to_async(produce)()
            received = []
            for channel in channels:
                try:
                    received.append(await asyncio.wait_for(layer.receive(channel), timeout=2))
                except TimeoutError:
                    received.append(None)
            return produced, received
        finally:
            for user, channel in zip(users, channels, strict=True):
                await layer.group_discard(user_group(user.pk), channel)

    return async_to_sync(scenario)()


def test_notify_delivers_notification_created_to_the_users_socket(user, freelancer,
                                                                  django_capture_on_commit_callbacks):
    def make():
        with transaction.atomic():
            return send(user, "Tawaran baru", kind=Notification.Kind.OFFER_COUNTERED, body="Rp1.000.000",
                        data={"proposal": "p1"})

    notification, (message, nothing) = _deliver_and_receive(django_capture_on_commit_callbacks, [user, freelancer],
                                                            make)

    stored = Notification.objects.get()
    assert stored.pk == notification.pk
    assert message == {"type": "relay", "payload": {"type": "notification.created", "notification": {
        "id": str(stored.pk), "kind": "proposal.countered", "title": "Tawaran baru",
        "body": "Rp1.000.000", "data": {"proposal": "p1"}, "read_at": None,
        "created_at": stored.created_at.isoformat().replace("+00:00", "Z")}}}  # UTC, as the REST API renders it
    assert nothing is None


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


def test_a_failing_push_channel_stops_neither_storage_nor_the_sockets(user, caplog, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    def broken_push(notifications):
        raise ConnectionError("push gateway down")

    monkeypatch.setattr(delivery, "deliver_to_devices", broken_push)
    with caplog.at_level(logging.ERROR, logger="notifications.delivery"):
        notification, (message,) = _deliver_and_receive(django_capture_on_commit_callbacks, [user],
                                                        lambda: send(user, "Tetap tersimpan"))

    assert Notification.objects.get().title == "Tetap tersimpan"
    assert message["payload"]["notification"]["id"] == str(notification.pk)
    assert "Notification delivery to devices failed" in caplog.text


def test_a_failing_socket_channel_does_not_stop_push(user, caplog, monkeypatch, django_capture_on_commit_callbacks):
    delivered = []

    def broken_sockets(notifications):
        raise ConnectionError("redis down")

    monkeypatch.setattr(delivery, "deliver_to_sockets", broken_sockets)
    monkeypatch.setattr(delivery, "deliver_to_devices", delivered.append)
    with caplog.at_level(logging.ERROR, logger="notifications.delivery"), \
            django_capture_on_commit_callbacks(execute=True):
        send(user, "Tetap dikirim")

    row = Notification.objects.get()
    assert row.title == "Tetap dikirim"
    assert delivered == [[(user.pk, notification_json(row))]]
    assert "Notification delivery to sockets failed" in caplog.text


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


def test_each_channel_gets_a_notification_once(user, freelancer, monkeypatch, django_capture_on_commit_callbacks):
    sockets, devices = [], []
    monkeypatch.setattr(delivery, "deliver_to_sockets", sockets.append)
    monkeypatch.setattr(delivery, "deliver_to_devices", devices.append)

    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(user_ids=[user.pk, freelancer.pk], kind=Notification.Kind.PROPOSAL_SUBMITTED, title="x")

    payload = [(row.user_id, notification_json(row)) for row in rows]
    assert sockets == [payload]
    assert devices == [payload]


# --- operator removal and rollbacks ----------------------------------------------------------------------------


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


def test_nothing_is_notified_when_the_surrounding_transaction_rolls_back(company, owner, operator,
                                                                         django_capture_on_commit_callbacks):
    job = make_job(company, owner)

    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        job_remove(job=job, operator=operator, reason="Penipuan")
        raise RuntimeError("later step failed")

    assert callbacks == []
    assert Notification.objects.count() == 0


def test_nothing_is_notified_when_accept_fails_midway(company, owner, freelancer, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    job = make_job(company, owner)
    proposal = submit(job, freelancer)
    other = submit(job, FreelancerProfileFactory().user)

    seen = []

    def explode(*args):  # the last step: the other proposal is already declined and its notification scheduled
        seen.append(Proposal.objects.get(pk=other.pk).status)
        raise RuntimeError("boom")

    monkeypatch.setattr(proposal_services.events, "proposal_accepted", explode)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        proposal_services.proposal_accept(proposal=proposal, actor=owner)

    assert seen == ["declined"]
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Contract.objects.count() == 0
    assert list(Proposal.objects.filter(pk__in=[proposal.pk, other.pk]).values_list("status", flat=True)) == [
        "submitted", "submitted"]
    assert Job.objects.get(pk=job.pk).status == "open"


def test_a_kind_outside_the_registry_is_refused_and_stores_nothing(user):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(user_ids=[user.pk], kind="proposal.teleported", title="?")
    assert not Notification.objects.exists()


def test_a_new_kind_needs_no_migration_of_the_notifications_app():
    """The kinds are a registry in code (Notification.Kind), not database choices."""
    field = Notification._meta.get_field("kind")
    assert field.choices is None
