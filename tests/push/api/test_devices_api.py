"""devices/: registering where a user's push notifications go (PRODUCT.md §2.8, §3 "notifications")."""

import uuid

import pytest

from notifications.models import Device
from tests.factories import UserFactory
from tests.problems import assert_problem

from ..pushservice import browser_keys

pytestmark = pytest.mark.django_db

DEVICES = "/api/v1/devices/"
WEBPUSH_KEY = f"{DEVICES}webpush-key/"
DEVICE_FIELDS = {"id", "kind", "endpoint", "active", "last_success_at", "created_at"}
FCM_TOKEN = "fcm-registration-token:" + "x" * 140


def detail_url(device_id) -> str:
    return f"{DEVICES}{device_id}/"


def test_register_a_webpush_subscription(as_user, user, push_service):
    subscription = push_service.subscribe("browser")

    response = as_user(user).post(DEVICES, subscription, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == DEVICE_FIELDS  # the keys are never echoed back
    assert (body["kind"], body["endpoint"], body["active"], body["last_success_at"]) == (
        "webpush", subscription["endpoint"], True, None)
    device = Device.objects.get()
    assert str(device.pk) == body["id"]
    assert device.user == user
    assert (device.endpoint, device.p256dh, device.auth, device.token) == (
        subscription["endpoint"], subscription["keys"]["p256dh"], subscription["keys"]["auth"], "")


def test_registering_the_same_subscription_again_answers_200_and_refreshes_its_keys(as_user, user, push_service):
    client = as_user(user)
    first = client.post(DEVICES, push_service.subscribe("browser"), format="json").json()
    renewed = push_service.subscribe("browser")  # same endpoint, new keys (the browser re-subscribed)

    response = client.post(DEVICES, renewed, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["id"] == first["id"]
    device = Device.objects.get()
    assert (device.p256dh, device.auth) == (renewed["keys"]["p256dh"], renewed["keys"]["auth"])


def test_registering_again_reactivates_a_device_the_push_service_had_given_up(as_user, user, push_service):
    subscription = push_service.subscribe("browser")
    client = as_user(user)
    device_id = client.post(DEVICES, subscription, format="json").json()["id"]
    Device.objects.filter(pk=device_id).update(active=False, last_error="push service answered 410")

    response = client.post(DEVICES, subscription, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["active"] is True
    device = Device.objects.get()
    assert (device.active, device.last_error) == (True, "")


def test_a_subscription_registered_by_another_account_moves_to_the_new_one(as_user, user, push_service):
    """One browser, two accounts signing in in turn: pushes go to whoever registered it last."""
    subscription = push_service.subscribe("shared-browser")
    other = UserFactory()
    first = as_user(other).post(DEVICES, subscription, format="json")
    assert first.status_code == 201, first.content

    response = as_user(user).post(DEVICES, subscription, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["id"] == first.json()["id"]
    assert Device.objects.get().user == user
    assert as_user(other).get(DEVICES).json()["results"] == []
    assert [row["id"] for row in as_user(user).get(DEVICES).json()["results"]] == [first.json()["id"]]


def test_register_an_fcm_token(as_user, user):
    client = as_user(user)

    response = client.post(DEVICES, {"kind": "fcm", "token": FCM_TOKEN}, format="json")
    again = client.post(DEVICES, {"kind": "fcm", "token": FCM_TOKEN}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == DEVICE_FIELDS
    assert (body["kind"], body["endpoint"], body["active"]) == ("fcm", "", True)
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"]
    device = Device.objects.get()
    assert (device.user, device.kind, device.token, device.endpoint, device.p256dh) == (
        user, "fcm", FCM_TOKEN, "", "")


ENDPOINT = "http://127.0.0.1:9/push/browser"
KEYS = browser_keys()


@pytest.mark.parametrize(("body", "fields"), [
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT}, {"keys"}, id="webpush-without-keys"),
    pytest.param({"kind": "webpush", "keys": KEYS}, {"endpoint"}, id="webpush-without-endpoint"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": KEYS, "token": "t" * 20}, {"token"},
                 id="webpush-with-token"),
    pytest.param({"kind": "fcm", "token": FCM_TOKEN, "endpoint": ENDPOINT}, {"token", "endpoint"},
                 id="fcm-with-endpoint"),
    pytest.param({"kind": "fcm", "token": FCM_TOKEN, "keys": KEYS}, {"token", "keys"}, id="fcm-with-keys"),
    pytest.param({"kind": "fcm"}, {"token"}, id="fcm-without-token"),
    pytest.param({"kind": "apns", "token": FCM_TOKEN}, {"kind"}, id="unknown-kind"),
    pytest.param({"endpoint": ENDPOINT, "keys": KEYS}, {"kind"}, id="no-kind"),
    pytest.param({"kind": "webpush", "endpoint": "not a url", "keys": KEYS}, {"endpoint"}, id="non-url-endpoint"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": {**KEYS, "p256dh": "BPx8pX3u"}},
                 {"keys.p256dh"}, id="short-p256dh"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": {**KEYS, "auth": "abc"}}, {"keys.auth"},
                 id="short-auth"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": {"p256dh": KEYS["p256dh"]}}, {"keys.auth"},
                 id="keys-without-auth"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": KEYS, "expirationTime": None},
                 {"expirationTime"}, id="unknown-field"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": {**KEYS, "extra": "x"}}, {"keys.extra"},
                 id="unknown-key-field"),
    pytest.param({"kind": "fcm", "token": 12345678901234567890}, {"token"}, id="token-not-a-string"),
    pytest.param({"kind": "webpush", "endpoint": ENDPOINT, "keys": "p256dh=...;auth=..."}, {"keys"},
                 id="keys-not-an-object"),
])
def test_bad_registrations_are_refused_with_problem_details(as_user, user, body, fields):
    response = as_user(user).post(DEVICES, body, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert set(problem["errors"]) & fields, problem
    assert not Device.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(as_user, user):
    response = as_user(user).post(DEVICES, [{"kind": "fcm", "token": FCM_TOKEN}], format="json")

    assert_problem(response, 400, "validation_error")
    assert not Device.objects.exists()


def test_the_list_shows_only_my_devices(as_user, user, push_service):
    other = UserFactory()
    mine = [as_user(user).post(DEVICES, push_service.subscribe("mine"), format="json").json()["id"],
            as_user(user).post(DEVICES, {"kind": "fcm", "token": FCM_TOKEN}, format="json").json()["id"]]
    as_user(other).post(DEVICES, push_service.subscribe("theirs"), format="json")
    as_user(other).post(DEVICES, {"kind": "fcm", "token": FCM_TOKEN + "-other"}, format="json")

    response = as_user(user).get(DEVICES)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert sorted(row["id"] for row in body["results"]) == sorted(mine)
    assert all(set(row) == DEVICE_FIELDS for row in body["results"])


def test_delete_my_device(as_user, user, push_service):
    client = as_user(user)
    device_id = client.post(DEVICES, push_service.subscribe("browser"), format="json").json()["id"]

    response = client.delete(detail_url(device_id))

    assert response.status_code == 204, response.content
    assert not Device.objects.exists()
    assert client.get(DEVICES).json()["results"] == []


def test_someone_elses_device_is_not_found(as_user, user, push_service):
    theirs = as_user(UserFactory()).post(DEVICES, push_service.subscribe("theirs"), format="json").json()["id"]

    response = as_user(user).delete(detail_url(theirs))

    assert_problem(response, 404)
    assert Device.objects.filter(pk=theirs).exists()


def test_an_unknown_device_is_not_found(as_user, user):
    assert_problem(as_user(user).delete(detail_url(uuid.uuid4())), 404)


def test_anonymous_requests_are_refused(api, user, push_service):
    device_id = Device.objects.create(user=user, kind="fcm", token=FCM_TOKEN).pk

    assert_problem(api.get(DEVICES), 401)
    assert_problem(api.post(DEVICES, push_service.subscribe("browser"), format="json"), 401)
    assert_problem(api.delete(detail_url(device_id)), 401)
    assert Device.objects.count() == 1


def test_the_webpush_key_is_the_configured_vapid_public_key_for_anyone(api, as_user, user, webpush_settings,
                                                                      vapid_keys):
    anonymous = api.get(WEBPUSH_KEY)
    signed_in = as_user(user).get(WEBPUSH_KEY)

    assert anonymous.status_code == 200, anonymous.content
    assert anonymous.json() == {"public_key": vapid_keys.public_key}
    assert signed_in.json() == {"public_key": vapid_keys.public_key}


def test_the_webpush_key_is_empty_when_web_push_is_not_configured(api, no_push_settings):
    response = api.get(WEBPUSH_KEY)

    assert response.status_code == 200, response.content
    assert response.json() == {"public_key": ""}


@pytest.mark.parametrize("p256dh", ["A" * 87, "not base64 at all, but long enough!"])
def test_a_p256dh_that_is_not_a_p256_public_key_is_refused(as_user, user, p256dh):
    body = {"kind": "webpush", "endpoint": ENDPOINT, "keys": {**KEYS, "p256dh": p256dh}}

    response = as_user(user).post(DEVICES, body, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert "keys.p256dh" in problem["errors"]
    assert not Device.objects.exists()


# --- endpoints inside the network (server-side request forgery, notifications/push.py) --------------------------


@pytest.mark.parametrize(("endpoint", "reason"), [
    ("http://fcm.googleapis.com/fcm/send/abc", "Web Push endpoints are https URLs."),
    ("https://127.0.0.1:6379/", "Web Push endpoints are on a public push service, not on this machine."),
    ("https://localhost/push/x", "Web Push endpoints are on a public push service, not on this machine."),
    ("https://10.0.0.5/push/x", "Web Push endpoints are on a public push service, not on a private address."),
    ("https://192.168.1.1/push/x", "Web Push endpoints are on a public push service, not on a private address."),
    ("https://169.254.169.254/latest/meta-data/",
     "Web Push endpoints are on a public push service, not on a private address."),
    ("https://100.64.0.1/push/x", "Web Push endpoints are on a public push service, not on a private address."),
], ids=["http", "loopback", "localhost", "10/8", "192.168/16", "link-local-metadata", "shared-cgnat"])
def test_an_endpoint_inside_the_network_or_not_https_is_refused(as_user, user, settings, endpoint, reason):
    settings.BANTU = {**settings.BANTU, "PUSH_ALLOW_LOOPBACK_ENDPOINTS": False}  # as in production

    response = as_user(user).post(DEVICES, {"kind": "webpush", "endpoint": endpoint, "keys": browser_keys()},
                                  format="json")

    assert_problem(response, 400, "validation_error", {"endpoint": [reason]})
    assert not Device.objects.exists()


def test_a_public_push_service_endpoint_is_accepted(as_user, user, settings):
    settings.BANTU = {**settings.BANTU, "PUSH_ALLOW_LOOPBACK_ENDPOINTS": False}  # as in production
    endpoint = "https://fcm.googleapis.com/fcm/send/dGVzdC1zdWJzY3JpcHRpb24"

    response = as_user(user).post(DEVICES, {"kind": "webpush", "endpoint": endpoint, "keys": browser_keys()},
                                  format="json")

    assert response.status_code == 201, response.content
    assert Device.objects.get().endpoint == endpoint
