"""Password reset by mail (PRODUCT.md §1): the same answer for known and unknown emails, throttles per client and
per email, a single-use expiring link (through a real SMTP server on 127.0.0.1) that revokes every earlier token."""

import time
from unittest import mock

import pytest
from django.core import mail
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import AuthSession, User
from accounts.services import tokens_issue
from tests.factories import PASSWORD, UserFactory
from tests.problems import assert_problem

from ..mail import token_of

RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"
NEW_PASSWORD = "Teh-Manis-Hangat-77"


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    """The mail task runs in the request, as in the embedded default (service mode queues it: same answer)."""


def ask(api, email, **headers):
    return api.post(RESET, {"email": email}, format="json", **headers)


def comparable(response) -> tuple:
    return response.status_code, response.content, sorted((k, v) for k, v in response.items() if k != "Date")


@pytest.mark.django_db
def test_known_and_unknown_emails_get_the_identical_answer(api):
    UserFactory(email="dewi@example.id")

    known = ask(api, "Dewi@Example.id")
    unknown = ask(api, "nobody@example.id")

    assert known.status_code == 202
    assert known.json() == {"detail": "If an account has this email, a reset link is on its way."}
    assert comparable(known) == comparable(unknown)
    assert [message.to for message in mail.outbox] == [["dewi@example.id"]]


@pytest.mark.django_db
def test_a_suspended_account_gets_no_mail_and_the_same_answer(api):
    UserFactory(email="dewi@example.id", is_active=False)

    response = ask(api, "dewi@example.id")

    assert response.status_code == 202
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_link_sets_a_new_password_once_and_revokes_every_earlier_token(api, smtp_inbox):
    user = UserFactory(email="dewi@example.id", full_name="Dewi Lestari")
    before = tokens_issue(user=user)
    ask(api, "dewi@example.id", HTTP_ACCEPT_LANGUAGE="en-GB")
    ask(api, "dewi@example.id")
    first, second = smtp_inbox.to("dewi@example.id")
    assert first["Subject"] == "Reset your Bantu password"
    assert second["Subject"] == "Atur ulang kata sandi Bantu Anda"

    response = api.post(CONFIRM, {"token": token_of(second), "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 204
    assert api.post(TOKEN, {"email": "dewi@example.id", "password": NEW_PASSWORD}, format="json").status_code == 200
    assert_problem(api.post(TOKEN, {"email": "dewi@example.id", "password": PASSWORD}, format="json"), 401)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {before['access']}")
    assert_problem(api.get(ME), 401, "token_revoked")
    api.credentials()
    assert_problem(api.post(REFRESH, {"refresh": before["refresh"]}, format="json"), 401)
    # The link works once, and the earlier link died with the old password.
    for used in (second, first):
        assert_problem(
            api.post(CONFIRM, {"token": token_of(used), "new_password": "Lain-Lagi-Kata-99"}, format="json"),
            400,
            "link_invalid",
        )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuthSession.objects.get(pk=AccessToken(before["access"])["sid"]).revoked_at is not None


def _token_for(api, email="dewi@example.id") -> str:
    ask(api, email)
    from urllib.parse import parse_qs, urlparse

    from ..mail import LINK

    [link] = LINK.findall(mail.outbox[-1].body)
    return parse_qs(urlparse(link).query)["token"][0]


@pytest.mark.django_db
def test_a_weak_password_is_400_with_the_validators_messages_and_the_link_still_works(api):
    UserFactory(email="dewi@example.id", full_name="Dewi Lestari")
    token = _token_for(api)

    weak = api.post(CONFIRM, {"token": token, "new_password": "12345678"}, format="json")

    assert_problem(
        weak,
        400,
        "weak_password",
        {"new_password": ["This password is too common.", "This password is entirely numeric."]},
    )
    assert User.objects.get().check_password(PASSWORD)
    assert api.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json").status_code == 204


@pytest.mark.django_db
def test_an_expired_link_is_400_and_changes_nothing(api, settings):
    UserFactory(email="dewi@example.id")
    token = _token_for(api)

    with mock.patch("django.core.signing.time.time", return_value=time.time() + settings.PASSWORD_RESET_TIMEOUT + 5):
        response = api.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert_problem(response, 400, "link_expired")
    assert User.objects.get().check_password(PASSWORD)


@pytest.mark.django_db
def test_a_verification_token_is_no_reset_token(api, django_capture_on_commit_callbacks):
    from accounts import links

    user = UserFactory(email="dewi@example.id", email_verified_at=None)
    token = links.link_token_make(purpose=links.VERIFY_EMAIL, user=user)

    response = api.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert_problem(response, 400, "link_invalid")


@pytest.mark.django_db
def test_the_reset_proves_the_mailbox_so_the_email_counts_as_verified(api):
    UserFactory(email="dewi@example.id", email_verified_at=None)

    api.post(CONFIRM, {"token": _token_for(api), "new_password": NEW_PASSWORD}, format="json")

    assert User.objects.get().email_verified_at is not None


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


@pytest.mark.django_db
def test_the_throttle_per_email_holds_across_clients_and_for_unknown_emails_alike(api, settings):
    _rates(settings, password_reset_email="3/hour", password_reset_ip="100/hour")
    UserFactory(email="dewi@example.id")

    for email in ("dewi@example.id", "nobody@example.id"):
        answers = [ask(api, email, REMOTE_ADDR=f"10.0.0.{n}") for n in range(4)]
        assert [answer.status_code for answer in answers] == [202, 202, 202, 429]
        assert answers[3]["Retry-After"]
    assert len(mail.outbox) == 3
    assert ask(api, "other@example.id", REMOTE_ADDR="10.0.0.9").status_code == 202  # another address is not held


@pytest.mark.django_db
def test_the_throttle_per_client_holds_across_emails(api, settings):
    _rates(settings, password_reset_email="100/hour", password_reset_ip="5/hour")

    answers = [ask(api, f"user{n}@example.id", REMOTE_ADDR="10.0.0.1") for n in range(6)]

    assert [answer.status_code for answer in answers] == [202] * 5 + [429]
    assert_problem(answers[5], 429)
    assert ask(api, "user9@example.id", REMOTE_ADDR="10.0.0.2").status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{}, {"email": "not-an-email"}, {"email": ["a@example.id"]}, {"email": "a@example.id", "extra": 1}]
)
def test_bad_input_is_400(api, body):
    assert_problem(api.post(RESET, body, format="json"), 400, "validation_error")
