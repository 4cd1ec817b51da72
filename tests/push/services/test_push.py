"""Push notifications (PRODUCT.md §2.8): a stored notification reaches the user's registered devices through a
Celery task, Web Push with VAPID checked end to end against a local push service that verifies the VAPID JWT and
decrypts the payload like a real one (tests/push/pushservice.py)."""

import importlib.util
import logging
import socket
import time
from datetime import timedelta

import pytest
from celery import signals

from notifications.models import Device, Notification
from notifications.services import device_register, notify, push_to_device
from notifications.tasks import TransientPushError, send_push_task
from tests.factories import UserFactory
from tests.proposals.helpers import apply, make_job

from ..conftest import SUBJECT
from ..pushservice import browser_keys, closed_port_url

pytestmark = pytest.mark.django_db

MAX_RETRIES = 5  # send_push_task's policy: 1 attempt + 5 retries


@pytest.fixture
def pushing(webpush_settings, eager_celery, push_service):
    """Web Push configured, Celery eager (as embedded; also under REDIS_URL), the local push service up."""
    return push_service


@pytest.fixture
def pushing_with_retries(webpush_settings, eager_celery_with_retries, push_service):
    """As `pushing`, with the task's retries run eagerly (see `eager_celery_with_retries`)."""
    return push_service


@pytest.fixture
def retries():
    """Task ids of every retry Celery announces (the `task_retry` signal fires in eager runs too)."""
    seen = []

    def on_retry(sender=None, request=None, **kwargs):
        seen.append(request.id)

    signals.task_retry.connect(on_retry, weak=False)
    yield seen
    signals.task_retry.disconnect(on_retry)


def webpush_device(user, push_service, name: str, *statuses: int, then: int = 201) -> Device:
    body = push_service.subscribe(name, *statuses, then=then)
    device, _ = device_register(user=user, kind="webpush", endpoint=body["endpoint"], p256dh=body["keys"]["p256dh"],
                                auth=body["keys"]["auth"])
    return device


def fcm_device(user, token: str = "fcm-token-" + "f" * 100) -> Device:
    return device_register(user=user, kind="fcm", token=token)[0]


def send(capture, *users, title="Proposal baru", body="Budi mengirim proposal untuk “Desain Logo”.",
         kind=Notification.Kind.PROPOSAL_SUBMITTED, data=None) -> list[Notification]:
    """`notify` as domain services call it, with the after-commit delivery executed."""
    with capture(execute=True):
        return notify(user_ids=[user.pk for user in users], kind=kind, title=title, body=body,
                      data={"job": "0190c3c8-0000-7000-8000-000000000001"} if data is None else data)


def expected_payload(notification: Notification) -> dict:
    """The notification's one shape, as `GET notifications/` renders it (UTC times)."""
    return {"id": str(notification.pk), "kind": notification.kind, "title": notification.title,
            "body": notification.body, "data": notification.data, "read_at": None,
            "created_at": notification.created_at.isoformat().replace("+00:00", "Z")}


def fresh(device: Device) -> Device:
    device.refresh_from_db()
    return device


def run_task(notification: Notification, device: Device, **options):
    return send_push_task.apply(args=[str(notification.pk), str(device.pk)], **options)


# --- delivered ---------------------------------------------------------------------------------------------------

def test_a_notification_is_pushed_to_the_users_browser(user, pushing, django_capture_on_commit_callbacks):
    device = webpush_device(user, pushing, "browser")

    [notification] = send(django_capture_on_commit_callbacks, user)

    [request] = pushing.requests
    assert pushing.problems() == []  # VAPID JWT verified with k, aud/exp/sub right, body decrypted
    assert request.status == 201
    assert request.payload == expected_payload(notification)
    assert request.claims["aud"] == pushing.origin
    assert request.claims["sub"] == SUBJECT
    assert request.headers["ttl"] == "86400"
    device = fresh(device)
    assert device.active is True
    assert device.last_error == ""
    assert device.last_success_at is not None


def test_every_registered_device_of_every_recipient_gets_each_notification_once(pushing,
                                                                                django_capture_on_commit_callbacks):
    alice, budi, citra = UserFactory(), UserFactory(), UserFactory()
    webpush_device(alice, pushing, "alice-laptop")
    webpush_device(alice, pushing, "alice-phone")
    webpush_device(budi, pushing, "budi-laptop")
    webpush_device(citra, pushing, "citra-old")
    Device.objects.filter(user=citra).update(active=False)

    notifications = send(django_capture_on_commit_callbacks, alice, budi, citra)

    by_user = {n.user_id: expected_payload(n) for n in notifications}
    assert pushing.problems() == []
    assert pushing.delivered("alice-laptop") == [by_user[alice.pk]]
    assert pushing.delivered("alice-phone") == [by_user[alice.pk]]
    assert pushing.delivered("budi-laptop") == [by_user[budi.pk]]
    assert pushing.requests_for("citra-old") == []  # an inactive device is not tried
    assert Notification.objects.filter(user=citra).count() == 1  # but the in-app notification is stored


def test_a_proposal_made_through_the_api_is_pushed_to_the_company_owner(as_user, company, owner, freelancer, pushing,
                                                                        django_capture_on_commit_callbacks):
    webpush_device(owner, pushing, "owner-browser")
    job = make_job(company, owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = apply(as_user(freelancer), job)

    assert response.status_code == 201, response.content
    notification = Notification.objects.get(user=owner)
    assert pushing.problems() == []
    assert pushing.delivered("owner-browser") == [expected_payload(notification)]
    assert notification.kind == Notification.Kind.PROPOSAL_SUBMITTED


# --- gone, failed, transient -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_deactivates_the_device_and_is_not_tried_again(user, pushing, status,
                                                                           django_capture_on_commit_callbacks):
    device = webpush_device(user, pushing, "gone", then=status)

    send(django_capture_on_commit_callbacks, user)

    device = fresh(device)
    assert device.active is False
    assert str(status) in device.last_error
    assert device.last_success_at is None
    assert len(pushing.requests_for("gone")) == 1  # gone is final: no retry

    send(django_capture_on_commit_callbacks, user, title="Penawaran balik")

    assert len(pushing.requests_for("gone")) == 1
    assert Notification.objects.filter(user=user).count() == 2


def test_a_flaky_push_service_is_retried_until_it_accepts(user, pushing_with_retries, retries):
    pushing = pushing_with_retries
    device = webpush_device(user, pushing, "flaky", 500, 503)
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.OFFER_COUNTERED, title="Penawaran balik")

    result = run_task(notification, device)

    assert result.get() == "sent"
    assert [request.status for request in pushing.requests_for("flaky")] == [500, 503, 201]
    assert len(retries) == 2
    assert pushing.problems() == []
    assert pushing.delivered("flaky") == [expected_payload(notification)]
    device = fresh(device)
    assert (device.active, device.last_error) == (True, "")
    assert device.last_success_at is not None


def test_a_flaky_push_service_through_the_deliverer_delivers_once(user, pushing_with_retries, retries,
                                                                  django_capture_on_commit_callbacks):
    pushing = pushing_with_retries
    webpush_device(user, pushing, "flaky", 500, 500)

    [notification] = send(django_capture_on_commit_callbacks, user)

    assert len(pushing.requests_for("flaky")) == 3
    assert len(retries) == 2
    assert pushing.delivered("flaky") == [expected_payload(notification)]


def test_429_is_transient(user, pushing_with_retries, retries):
    pushing = pushing_with_retries
    device = webpush_device(user, pushing, "busy", 429)
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED, title="Diterima")

    assert run_task(notification, device).get() == "sent"
    assert [request.status for request in pushing.requests_for("busy")] == [429, 201]
    assert len(retries) == 1


def test_a_push_service_that_keeps_failing_is_retried_then_given_up_on(user, pushing_with_retries, retries):
    pushing = pushing_with_retries
    device = webpush_device(user, pushing, "down", then=500)
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED, title="Diterima")

    result = run_task(notification, device)

    assert result.state == "FAILURE"
    with pytest.raises(TransientPushError):
        result.get()

    assert len(pushing.requests_for("down")) == 1 + MAX_RETRIES
    assert len(retries) == MAX_RETRIES
    device = fresh(device)
    assert device.active is True  # a transient failure never deactivates
    assert "500" in device.last_error


@pytest.mark.parametrize("status", [400, 403, 413])
def test_a_permanent_error_is_recorded_and_not_retried(user, pushing, retries, status):
    device = webpush_device(user, pushing, "refusing", then=status)
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_DECLINED, title="Ditolak")

    result = run_task(notification, device)

    assert result.get() == "failed"
    assert len(pushing.requests_for("refusing")) == 1
    assert retries == []
    device = fresh(device)
    assert device.active is True
    assert f"push service answered {status}" in device.last_error
    assert device.last_success_at is None


def test_a_later_success_clears_the_last_error(user, pushing):
    device = webpush_device(user, pushing, "once-refusing", 400)
    first, second = (notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_DECLINED, title=title)[0]
                     for title in ("Satu", "Dua"))

    assert run_task(first, device).get() == "failed"
    assert fresh(device).last_error.startswith("push service answered 400")
    assert run_task(second, device).get() == "sent"

    device = fresh(device)
    assert device.last_error == ""
    assert device.last_success_at is not None
    assert pushing.delivered("once-refusing") == [expected_payload(second)]


def test_an_unreachable_push_service_is_transient(user, webpush_settings, eager_celery_with_retries, retries):
    keys = browser_keys()
    device, _ = device_register(user=user, kind="webpush", endpoint=closed_port_url("/push/unreachable"),
                                p256dh=keys["p256dh"], auth=keys["auth"])
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.MESSAGE_RECEIVED, title="Pesan baru")

    result = run_task(notification, device)

    with pytest.raises(TransientPushError):
        result.get()

    assert len(retries) == MAX_RETRIES
    device = fresh(device)
    assert device.active is True
    assert device.last_error.startswith("push service unreachable")


def test_a_task_for_an_inactive_or_removed_device_or_a_removed_notification_is_skipped(user, pushing):
    device = webpush_device(user, pushing, "browser")
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.JOB_REMOVED, title="Dihapus")
    notification_id, device_id = str(notification.pk), str(device.pk)

    Device.objects.filter(pk=device_id).update(active=False)
    assert send_push_task.apply(args=[notification_id, device_id]).get() == "skipped"

    Device.objects.filter(pk=device_id).update(active=True)
    notification.delete()
    assert send_push_task.apply(args=[notification_id, device_id]).get() == "skipped"

    [other] = notify(user_ids=[user.pk], kind=Notification.Kind.JOB_REMOVED, title="Dihapus lagi")
    device.delete()
    assert send_push_task.apply(args=[str(other.pk), device_id]).get() == "skipped"
    assert pushing.requests == []


# --- not configured ----------------------------------------------------------------------------------------------

def test_without_vapid_keys_push_is_skipped_and_notifications_are_still_stored(user, no_push_settings, eager_celery,
                                                                               push_service, caplog,
                                                                               django_capture_on_commit_callbacks):
    device = webpush_device(user, push_service, "browser")
    caplog.set_level(logging.DEBUG, logger="notifications")

    [notification] = send(django_capture_on_commit_callbacks, user)

    assert Notification.objects.filter(pk=notification.pk, user=user).exists()
    assert push_service.requests == []
    assert any(record.name == "notifications.delivery" and "not configured" in record.getMessage()
               for record in caplog.records), caplog.text
    device = fresh(device)
    assert (device.active, device.last_error, device.last_success_at) == (True, "", None)


def test_a_push_task_left_over_from_before_the_keys_were_removed_skips_and_logs(user, no_push_settings, push_service,
                                                                                caplog):
    device = webpush_device(user, push_service, "browser")
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.JOB_REMOVED, title="Dihapus")
    caplog.set_level(logging.INFO, logger="notifications")

    assert push_to_device(notification_id=notification.pk, device_id=device.pk) == "skipped"

    assert push_service.requests == []
    assert f"Push skipped for device {device.pk}: VAPID keys are not configured" in caplog.text
    assert fresh(device).last_error == ""


def test_fcm_without_credentials_is_skipped(user, pushing, caplog, django_capture_on_commit_callbacks):
    phone = fcm_device(user)
    browser = webpush_device(user, pushing, "browser")
    caplog.set_level(logging.INFO, logger="notifications")

    [notification] = send(django_capture_on_commit_callbacks, user)

    assert pushing.delivered("browser") == [expected_payload(notification)]
    assert "Push skipped" not in caplog.text  # no task was made for the phone at all
    phone = fresh(phone)
    assert (phone.active, phone.last_error, phone.last_success_at) == (True, "", None)
    assert fresh(browser).last_success_at is not None

    assert push_to_device(notification_id=notification.pk, device_id=phone.pk) == "skipped"
    assert f"Push skipped for device {phone.pk}: FCM_CREDENTIALS_FILE is not set" in caplog.text


@pytest.mark.skipif(importlib.util.find_spec("firebase_admin") is not None, reason="firebase-admin is installed")
def test_fcm_credentials_without_firebase_admin_installed_is_skipped(user, webpush_settings, eager_celery, tmp_path,
                                                                     caplog, django_capture_on_commit_callbacks):
    credentials = tmp_path / "fcm.json"
    credentials.write_text("{}")
    webpush_settings.BANTU = {**webpush_settings.BANTU, "FCM_CREDENTIALS_FILE": str(credentials)}
    phone = fcm_device(user)
    caplog.set_level(logging.INFO, logger="notifications")

    send(django_capture_on_commit_callbacks, user)

    assert f"Push skipped for device {phone.pk}: firebase-admin is not installed" in caplog.text
    phone = fresh(phone)
    assert (phone.active, phone.last_error) == (True, "")


# --- service mode: the request only enqueues ---------------------------------------------------------------------

def test_in_service_mode_notify_only_enqueues_one_task_per_notification_and_device(
        webpush_settings, service_mode_celery, push_service, monkeypatch, django_capture_on_commit_callbacks):
    enqueued = []
    monkeypatch.setattr(send_push_task, "delay", lambda *args, **kwargs: enqueued.append((args, kwargs)))
    alice, budi = UserFactory(), UserFactory()
    laptop = webpush_device(alice, push_service, "alice-laptop")
    phone_browser = webpush_device(alice, push_service, "alice-phone")
    fcm_device(alice)  # FCM is not configured: no task for it
    old = webpush_device(budi, push_service, "budi-old")
    Device.objects.filter(pk=old.pk).update(active=False)

    started = time.monotonic()
    notifications = send(django_capture_on_commit_callbacks, alice, budi)
    elapsed = time.monotonic() - started

    alice_notification = next(n for n in notifications if n.user_id == alice.pk)
    assert sorted(enqueued) == sorted([((str(alice_notification.pk), str(laptop.pk)), {}),
                                       ((str(alice_notification.pk), str(phone_browser.pk)), {})])
    assert push_service.requests == []  # nothing was sent in the request
    assert elapsed < 5
    assert Notification.objects.count() == 2


def test_in_service_mode_a_down_push_service_does_not_slow_the_request(
        user, webpush_settings, service_mode_celery, monkeypatch, django_capture_on_commit_callbacks):
    """The notification is stored and the call returns even though the endpoint would fail: the outcome is the
    worker's business."""
    enqueued = []
    monkeypatch.setattr(send_push_task, "delay", lambda *args: enqueued.append(args))
    keys = browser_keys()
    device_register(user=user, kind="webpush", endpoint=closed_port_url(), p256dh=keys["p256dh"], auth=keys["auth"])

    [notification] = send(django_capture_on_commit_callbacks, user)

    assert len(enqueued) == 1
    assert enqueued[0][0] == str(notification.pk)
    assert Device.objects.get().last_error == ""


# --- failure isolation and limits ---------------------------------------------------------------------------

def test_in_the_embedded_default_one_failing_device_does_not_stop_pushes_to_the_others(
        pushing, django_capture_on_commit_callbacks):
    alice, budi = UserFactory(), UserFactory()
    budi_browser = webpush_device(budi, pushing, "budi-browser")
    alice_browser = webpush_device(alice, pushing, "alice-flaky", 503)
    # Devices are read newest first: make Alice's failing device the first one pushed to, whatever the clock did.
    Device.objects.filter(pk=alice_browser.pk).update(created_at=budi_browser.created_at + timedelta(seconds=1))

    notifications = send(django_capture_on_commit_callbacks, alice, budi)

    budi_notification = next(n for n in notifications if n.user_id == budi.pk)
    assert [request.status for request in pushing.requests_for("alice-flaky")][:1] == [503]
    assert pushing.delivered("budi-browser") == [expected_payload(budi_notification)]


NOT_A_P256_POINT = "A" * 87  # valid URL-safe base64 of 65 zero bytes: long enough for the API, not a public key


def test_a_subscription_with_an_unusable_key_is_recorded_as_failed(user, pushing):
    device, _ = device_register(user=user, kind="webpush", endpoint=f"{pushing.origin}/push/broken",
                                p256dh=NOT_A_P256_POINT, auth="tBHItJI5svbpez7KI4CCXg")
    pushing.subscribe("broken")
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED, title="Diterima")

    result = run_task(notification, device)

    assert result.get() == "failed"
    assert fresh(device).last_error != ""


def test_a_notification_at_the_models_length_limits_can_still_be_pushed(user, pushing,
                                                                       django_capture_on_commit_callbacks):
    webpush_device(user, pushing, "browser")
    title = ("Pesan dari ꦧꦸꦣꦶ " * 20)[:200]  # Javanese script, as a user may write
    body = ("ꦱꦸꦒꦼꦁꦲꦺꦗꦶꦁ ꦱꦩ꧀ꦥꦸꦤ꧀ " * 60)[:1000]

    [notification] = send(django_capture_on_commit_callbacks, user, title=title, body=body)

    assert (notification.title, notification.body) == (title, body)  # stored in full
    [request] = pushing.requests_for("browser")
    assert request.status == 201, request.problem
    assert (request.payload["id"], request.payload["kind"]) == (str(notification.pk), notification.kind)
    assert body.startswith(request.payload["body"].rstrip("…"))


# --- endpoints inside the network (server-side request forgery) -------------------------------------------------


@pytest.fixture
def production_endpoints(settings):
    """As in production: no push service on this machine may be reached (the tests' own is on 127.0.0.1)."""
    settings.BANTU = {**settings.BANTU, "PUSH_ALLOW_LOOPBACK_ENDPOINTS": False}


def test_an_endpoint_on_this_machine_is_never_reached(user, pushing, production_endpoints, retries):
    # Given a device whose endpoint is on 127.0.0.1 (stored before the check existed: registration refuses it)
    device = webpush_device(user, pushing, "internal")
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_DECLINED, title="Ditolak")

    # When a notification is pushed to it, Then nothing is sent, and the refusal is recorded, not retried
    assert run_task(notification, device).get() == "failed"
    assert pushing.requests_for("internal") == []
    assert retries == []
    assert fresh(device).last_error == "Web Push endpoints are on a public push service, not on this machine."


def test_a_public_name_that_resolves_inside_the_network_is_refused_when_connecting(user, pushing,
                                                                                  production_endpoints, monkeypatch):
    # Given an https endpoint whose name is public-looking but resolves to this machine (DNS answers as the
    # attacker's zone says, maybe differently at registration)
    device = webpush_device(user, pushing, "rebound")
    port = int(device.endpoint.split(":")[2].split("/")[0])
    Device.objects.filter(pk=device.pk).update(endpoint=f"https://push.rebound.example:{port}/push/rebound")
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real_getaddrinfo("127.0.0.1" if host == "push.rebound.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_DECLINED, title="Ditolak")

    # When it is pushed to, Then the connection is refused before anything is sent
    assert run_task(notification, device).get() == "failed"
    assert pushing.requests_for("rebound") == []
    assert fresh(device).last_error == "InvalidIPAddress: 127.0.0.1"


def test_a_redirect_is_not_followed(user, pushing):
    # Given a push service that answers 307 to its own address (followed, the POST would arrive a second time)
    device = webpush_device(user, pushing, "redirecting", 307)
    [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_DECLINED, title="Ditolak")

    # When a notification is pushed, Then one request was made, and the 307 is the answer
    assert run_task(notification, device).get() == "failed"
    assert len(pushing.requests_for("redirecting")) == 1
    assert fresh(device).last_error.startswith("push service answered 307")
