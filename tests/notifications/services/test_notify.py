"""In-app notifications, the domain side: notify() (PRODUCT.md §2.8), delivery to the sockets' groups and the
devices (§4), and nothing notified when the surrounding transaction rolls back (the REST list and marks: api/)."""

import logging

import pytest
from django.db import transaction

from jobs.models import Job
from jobs.services import job_remove
from notifications import delivery
from notifications.models import Notification
from notifications.serializers import notification_json
from notifications.services import notify
from proposals import services as proposal_services
from proposals.models import Contract, Proposal
from tests.factories import FreelancerProfileFactory
from tests.notifications.helpers import _deliver_and_receive, send
from tests.proposals.helpers import make_job, submit

pytestmark = pytest.mark.django_db


def test_notify_skips_the_excluded_user_and_duplicates(user, freelancer):
    rows = notify(user_ids=[user.pk, freelancer.pk, user.pk, None], kind=Notification.Kind.OFFER_COUNTERED,
                  title="Tawaran", exclude_user_id=freelancer.pk)

    assert [row.user_id for row in rows] == [user.pk]
    assert Notification.objects.count() == 1
    assert notify(user_ids=[freelancer.pk], kind=Notification.Kind.OFFER_COUNTERED, title="x",
                  exclude_user_id=freelancer.pk) == []


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


def test_each_channel_gets_a_notification_once(user, freelancer, monkeypatch, django_capture_on_commit_callbacks):
    sockets, devices = [], []
    monkeypatch.setattr(delivery, "deliver_to_sockets", sockets.append)
    monkeypatch.setattr(delivery, "deliver_to_devices", devices.append)

    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(user_ids=[user.pk, freelancer.pk], kind=Notification.Kind.PROPOSAL_SUBMITTED, title="x")

    payload = [(row.user_id, notification_json(row)) for row in rows]
    assert sockets == [payload]
    assert devices == [payload]


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
