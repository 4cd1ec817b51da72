"""Email verification (PRODUCT.md §1): the mailed link (through a real SMTP server on 127.0.0.1), once, expiring;
the gate on posting, applying, funding and withdrawing; changing the email; the settings of service mode."""

import os
import runpy
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.models import User
from bantu.core.models import IdempotencyRecord
from jobs.models import Job
from payments.models import Payment, Payout
from proposals.models import Proposal
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory
from tests.problems import assert_problem
from tests.world import PAYOUT_BODY
from tests.world import money as build_money
from tests.world import world as build_world

from ..mail import bodies, link_of, token_of

REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/email/verify/"
RESEND = "/api/v1/auth/email/resend/"
ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"
ROOT = Path(__file__).resolve().parents[3]


def register(api, captured, email="dewi@example.id", **headers):
    body = {"email": email, "password": "Kopi-Tubruk-2026", "full_name": "Dewi Lestari", "role": "freelancer"}
    with captured(execute=True):
        response = api.post(REGISTER, body, format="json", **headers)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def captured(django_capture_on_commit_callbacks, eager_celery):
    """Run what is scheduled on commit (the mail task), eagerly, as the embedded default does."""
    return django_capture_on_commit_callbacks


@pytest.mark.django_db
def test_registration_mails_a_link_over_smtp_that_verifies_once(api, captured, smtp_inbox):
    tokens = register(api, captured)

    [message] = smtp_inbox.to("dewi@example.id")
    assert message["Subject"] == "Konfirmasi alamat email Anda di Bantu"  # Indonesian by default
    assert message["Content-Language"] == "id"
    assert message.get_content_type() == "multipart/alternative"
    text, html = bodies(message)
    assert "Halo Dewi," in text and "<p>Halo Dewi,</p>" in html
    assert link_of(message).startswith("http://127.0.0.1:8000/verify-email?token=")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get(ME).json()["email_verified"] is False

    first = api.post(VERIFY, {"token": token_of(message)}, format="json")
    again = api.post(VERIFY, {"token": token_of(message)}, format="json")

    assert (first.status_code, first.json()) == (200, {"email": "dewi@example.id", "email_verified": True})
    assert_problem(again, 400, "link_invalid", {"token": ["The link is not valid or has already been used."]})
    assert api.get(ME).json()["email_verified"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "subject"),
    [
        ("en-US,en;q=0.9", "Confirm your email address at Bantu"),
        ("fr-FR, en;q=0.5, id;q=0.8", "Konfirmasi alamat email Anda di Bantu"),  # Indonesian preferred to English
        ("de-DE", "Konfirmasi alamat email Anda di Bantu"),
        ("in-ID", "Konfirmasi alamat email Anda di Bantu"),
    ],
)
def test_the_mail_speaks_the_language_of_accept_language(api, captured, accept_language, subject):
    register(api, captured, HTTP_ACCEPT_LANGUAGE=accept_language)

    [message] = mail.outbox
    assert message.subject == subject
    assert message.alternatives[0].mimetype == "text/html"


@pytest.mark.django_db
def test_an_expired_link_is_400_and_verifies_nothing(api, captured, settings):
    register(api, captured)
    token = token_of_outbox()

    later = time.time() + settings.BANTU["EMAIL_VERIFICATION_HOURS"] * 3600 + 5
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = api.post(VERIFY, {"token": token}, format="json")

    assert_problem(response, 400, "link_expired", {"token": ["The link has expired."]})
    assert User.objects.get().email_verified_at is None


def token_of_outbox(index: int = -1) -> str:
    from urllib.parse import parse_qs, urlparse

    from ..mail import LINK

    [link] = LINK.findall(mail.outbox[index].body)
    return parse_qs(urlparse(link).query)["token"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "garbage", "a" * 1001, "eyJ1Ijo:1:2"])
def test_a_malformed_token_is_400(api, token):
    response = api.post(VERIFY, {"token": token}, format="json")

    assert_problem(response, 400)


@pytest.mark.django_db
def test_a_tampered_or_reset_token_does_not_verify(api, captured):
    register(api, captured)
    token = token_of_outbox()
    payload, _, signature = token.rpartition(":")
    tampered = f"{payload}:{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"

    assert_problem(api.post(VERIFY, {"token": tampered}, format="json"), 400, "link_invalid")
    assert User.objects.get().email_verified_at is None


@pytest.mark.django_db
def test_resend_mails_a_new_link_and_is_throttled(api, captured, settings):
    tokens = register(api, captured)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    with captured(execute=True):
        answers = [api.post(RESEND, HTTP_ACCEPT_LANGUAGE="en") for _ in range(4)]

    assert [answer.status_code for answer in answers[:3]] == [202, 202, 202]
    assert answers[0].json() == {"detail": "A verification link is on its way."}
    assert_problem(answers[3], 429)
    assert answers[3]["Retry-After"]
    assert [message.subject for message in mail.outbox] == (
        ["Konfirmasi alamat email Anda di Bantu"] + ["Confirm your email address at Bantu"] * 3
    )


@pytest.mark.django_db
def test_resend_for_a_verified_email_is_409_and_mails_nothing(captured):
    user = UserFactory()

    with captured(execute=True):
        response = client_for(user).post(RESEND)

    assert_problem(response, 409, "email_already_verified")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_console_backend_of_the_embedded_default_prints_the_link(api, captured, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    register(api, captured)

    printed = capsys.readouterr().out
    assert "To: dewi@example.id" in printed
    assert "http://127.0.0.1:8000/verify-email?token=" in printed


# --- the gate ---------------------------------------------------------------------------------------------------

JOB_BODY = {
    "title": "Desainer Grafis",
    "description": "Membuat logo untuk kedai kopi di Bandung.",
    "category": "logo-brand-identity",
    "budget_min": 1_000_000,
    "budget_max": 2_000_000,
}
APPLY_BODY = {"cover_letter": "Saya siap mengerjakan ini.", "amount": 1_500_000, "duration_days": 5}
GATED = [
    ("owner", "post", "/api/v1/jobs/", JOB_BODY, Job, 201),
    ("freelancer", "post", "/api/v1/jobs/{job2}/apply/", APPLY_BODY, Proposal, 201),
    ("owner", "post", "/api/v1/milestones/{to_fund}/fund/", {}, Payment, 201),
    ("freelancer", "post", "/api/v1/payouts/", PAYOUT_BODY, Payout, 201),
]


@pytest.fixture
def marketplace(db):
    world = build_world()
    return world, world["ids"] | build_money(world)


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "model", "success"), GATED, ids=[f"{row[1].upper()} {row[2]}" for row in GATED]
)
def test_an_unverified_user_gets_403_on_the_gated_actions_and_nothing_is_written(
    marketplace, role, method, path, body, model, success
):
    world, ids = marketplace
    user = world["users"][role]
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    client = client_for(user)
    before = (model.objects.count(), IdempotencyRecord.objects.count())

    response = getattr(client, method)(path.format(**ids), body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")

    body_of_error = assert_problem(response, 403, "email_unverified")
    assert "auth/email/resend/" in body_of_error["detail"]
    assert (model.objects.count(), IdempotencyRecord.objects.count()) == before
    # Verified, the same request goes through: the gate was the only thing in the way.
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    assert (
        getattr(client, method)(path.format(**ids), body, format="json", HTTP_IDEMPOTENCY_KEY="key-1").status_code
        == success
    )


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "model", "success"), GATED, ids=[f"{row[1].upper()} {row[2]}" for row in GATED]
)
def test_with_verification_optional_unverified_users_may_act(
    marketplace, settings, role, method, path, body, model, success
):
    settings.BANTU = {**settings.BANTU, "EMAIL_VERIFICATION": "optional"}
    world, ids = marketplace
    user = world["users"][role]
    User.objects.filter(pk=user.pk).update(email_verified_at=None)

    response = getattr(client_for(user), method)(path.format(**ids), body, format="json")

    assert response.status_code == success, response.content


@pytest.mark.django_db
def test_an_unverified_user_can_sign_in_and_browse(api, captured):
    register(api, captured)

    tokens = api.post(TOKEN, {"email": "dewi@example.id", "password": "Kopi-Tubruk-2026"}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert [api.get(path).status_code for path in (ME, "/api/v1/jobs/", "/api/v1/proposals/")] == [200, 200, 200]


# --- changing the email ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_email_verifies_the_new_address_before_switching(api, captured, smtp_inbox):
    user = UserFactory(email="lama@example.id", full_name="Dewi Lestari")
    client = client_for(user)

    with captured(execute=True):
        response = client.patch(ME, {"email": "Baru@Example.id"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response.json()["email"]) == (200, "lama@example.id")
    [message] = smtp_inbox.to("baru@example.id")
    assert message["Subject"] == "Confirm your new email address at Bantu"
    assert smtp_inbox.to("lama@example.id") == []
    user.refresh_from_db()
    assert user.email == "lama@example.id"

    confirmed = api.post(VERIFY, {"token": token_of(message)}, format="json")

    assert confirmed.json() == {"email": "baru@example.id", "email_verified": True}
    assert client.get(ME).json()["email"] == "baru@example.id"
    assert api.post(TOKEN, {"email": "baru@example.id", "password": PASSWORD}, format="json").status_code == 200
    assert_problem(api.post(VERIFY, {"token": token_of(message)}, format="json"), 400, "link_invalid")


@pytest.mark.django_db
def test_an_email_change_link_dies_when_the_address_was_taken_meanwhile(api, captured):
    user = UserFactory(email="lama@example.id")
    with captured(execute=True):
        client_for(user).patch(ME, {"email": "baru@example.id"}, format="json")
    UserFactory(email="BARU@example.id")

    response = api.post(VERIFY, {"token": token_of_outbox()}, format="json")

    assert_problem(response, 400, "email_taken")
    user.refresh_from_db()
    assert user.email == "lama@example.id"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "code"), [("taken@example.id", "email_taken"), ("LAMA@example.id", "email_unchanged")]
)
def test_changing_to_a_taken_or_the_same_email_is_400_and_mails_nothing(captured, email, code):
    UserFactory(email="taken@example.id")
    user = UserFactory(email="lama@example.id")

    with captured(execute=True):
        response = client_for(user).patch(ME, {"email": email}, format="json")

    assert_problem(response, 400, code)
    assert mail.outbox == []


# --- service-mode settings ------------------------------------------------------------------------------------


def _settings_under(monkeypatch, **env) -> dict:
    """bantu/settings.py read afresh, as a starting process reads it, with no EMAIL_* variable but `env`: its
    names. In this process (a new interpreter's django.setup() cost 2-3 s a case)."""
    for name in [name for name in os.environ if name.startswith("EMAIL_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "bantu" / "settings.py"))


def _email_settings(monkeypatch, **env) -> list:
    names = _settings_under(monkeypatch, **env)
    return [names.get(name) for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS",
                                         "EMAIL_HOST_USER")]


def test_email_settings_come_from_email_url_or_email_host_else_the_console(monkeypatch):
    assert _email_settings(monkeypatch, EMAIL_URL="smtp+tls://mailer:rahasia@smtp.example.id:587") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.id",
        587,
        True,
        "mailer",
    ]
    assert _email_settings(monkeypatch, EMAIL_HOST="127.0.0.1", EMAIL_PORT="2525") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "127.0.0.1",
        2525,
        False,
        "",
    ]
    assert _email_settings(monkeypatch)[0] == "django.core.mail.backends.console.EmailBackend"


def test_a_misspelt_email_verification_setting_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as refused:
        _settings_under(monkeypatch, EMAIL_VERIFICATION="madatory")

    assert str(refused.value) == "EMAIL_VERIFICATION must be `mandatory` or `optional`, not 'madatory'."
