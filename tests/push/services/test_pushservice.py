"""The local push service refuses what a real one refuses, so that a passing push test means something."""

import json
import time

import pytest
import requests
from py_vapid import Vapid
from pywebpush import WebPusher, webpush

from ..conftest import SUBJECT
from ..pushservice import b64url, generate_vapid_keys, unb64url


def post(service, subscription: dict, *, claims: dict | None = None, vapid_private_key: str, data=b'{"ok": 1}',
         ttl: str | None = "60", tamper=None):
    """Encrypt `data` for `subscription` and POST it with a VAPID header signed over `claims` (no defaults added,
    unlike pywebpush.webpush)."""
    prepared = WebPusher(subscription).encode(data, "aes128gcm")
    claims = {"aud": service.origin, "exp": int(time.time()) + 3600, "sub": SUBJECT} if claims is None else claims
    authorization = Vapid.from_string(vapid_private_key).sign(claims)["Authorization"]
    if tamper:
        authorization = tamper(authorization)
    headers = {"Authorization": authorization, "Content-Encoding": "aes128gcm"}
    if ttl is not None:
        headers["TTL"] = ttl
    return requests.post(subscription["endpoint"], data=prepared["body"], headers=headers, timeout=5)


def test_a_proper_web_push_is_accepted_and_decrypted(push_service, vapid_keys):
    subscription = push_service.subscribe("browser")

    response = webpush(subscription_info=subscription, data=json.dumps({"title": "Halo", "emoji": "🙏"}),
                       vapid_private_key=vapid_keys.private_key, vapid_claims={"sub": SUBJECT}, ttl=60, timeout=5)

    assert response.status_code == 201
    assert response.headers["Location"].startswith("/message/")
    assert push_service.problems() == []
    assert push_service.delivered("browser") == [{"title": "Halo", "emoji": "🙏"}]


def test_statuses_are_answered_in_turn_then_the_default(push_service, vapid_keys):
    subscription = push_service.subscribe("flaky", 500, 410, then=201)

    statuses = [post(push_service, subscription, vapid_private_key=vapid_keys.private_key).status_code
                for _ in range(4)]

    assert statuses == [500, 410, 201, 201]
    assert len(push_service.delivered("flaky")) == 2


def swap_claims(authorization: str) -> str:
    """Same signature, other claims: what a forger without the private key could send."""
    head, token_and_key = authorization.split(" ", 1)
    token, key = token_and_key.split(",k=")
    header, _claims, signature = token.removeprefix("t=").split(".")
    forged = b64url(json.dumps({"aud": "x", "exp": int(time.time()) + 60, "sub": SUBJECT}).encode())
    return f"{head} t={header}.{forged}.{signature},k={key}"


def truncate_signature(authorization: str) -> str:
    head, token_and_key = authorization.split(" ", 1)
    token, key = token_and_key.split(",k=")
    return f"{head} {token[:-4]},k={key}"


@pytest.mark.parametrize(("case", "status", "problem"), [
    ("forged claims", 401, "does not verify"),
    ("short signature", 401, "not r||s"),
    ("wrong aud", 401, "aud is"),
    ("expired", 401, "exp"),
    ("exp beyond 24 h", 401, "exp"),
    ("wrong sub", 401, "sub is"),
    ("another server's key", 403, "application server key"),
    ("no TTL", 400, "TTL"),
    ("encrypted for another browser", 400, "decrypt"),
    ("too large", 413, "more than 4096"),
    ("old VAPID draft scheme", 401, "not 'vapid'"),
])
def test_what_a_real_push_service_refuses_is_refused(push_service, vapid_keys, case, status, problem):
    subscription = push_service.subscribe("browser")
    other_browser = push_service.subscribe("other")
    now = int(time.time())
    options = {"vapid_private_key": vapid_keys.private_key}
    good_claims = {"aud": push_service.origin, "exp": now + 3600, "sub": SUBJECT}
    options.update({
        "forged claims": {"tamper": swap_claims},
        "short signature": {"tamper": truncate_signature},
        "wrong aud": {"claims": {**good_claims, "aud": "https://fcm.googleapis.com"}},
        "expired": {"claims": {**good_claims, "exp": now - 5}},
        "exp beyond 24 h": {"claims": {**good_claims, "exp": now + 25 * 3600}},
        "wrong sub": {"claims": {**good_claims, "sub": "mailto:someone@else.id"}},
        "another server's key": {"vapid_private_key": generate_vapid_keys().private_key},
        "no TTL": {"ttl": None},
        "too large": {"data": json.dumps({"body": "x" * 4100}).encode()},
        "old VAPID draft scheme": {"tamper": lambda value: value.replace("vapid ", "WebPush ", 1)},
    }.get(case, {}))
    if case == "encrypted for another browser":
        subscription = {**subscription, "keys": other_browser["keys"]}

    response = post(push_service, subscription, **options)

    assert response.status_code == status, response.text
    [request] = push_service.requests
    assert problem in request.problem
    assert push_service.delivered() == []


def test_an_unknown_subscription_is_404(push_service, vapid_keys):
    subscription = push_service.subscribe("browser")

    response = post(push_service, {**subscription, "endpoint": f"{push_service.origin}/push/unknown"},
                    vapid_private_key=vapid_keys.private_key)

    assert response.status_code == 404


def test_subscription_keys_are_what_a_browser_gives(push_service):
    keys = push_service.subscribe("browser")["keys"]

    assert len(unb64url(keys["p256dh"])) == 65
    assert unb64url(keys["p256dh"])[0] == 4  # uncompressed point
    assert len(unb64url(keys["auth"])) == 16
    assert "=" not in keys["p256dh"] + keys["auth"]
