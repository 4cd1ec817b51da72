"""Account races, for real on PostgreSQL: one mailed link used by many clients at once works once; many first
Google sign-ins of one Google account at once make one account."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from accounts import links
from accounts.models import ExternalIdentity, User
from tests.accounts.api.test_google import keys  # noqa: F401 (fixture: the local key server)
from tests.concurrency import run_at_once
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("thread_races"),
]

CLIENTS = 20


def test_one_reset_link_used_at_once_by_many_clients_sets_one_password():
    user = UserFactory(email="dewi@example.id")
    token = links.link_token_make(purpose=links.RESET_PASSWORD, user=user)
    passwords = [f"Teh-Manis-{index:02d}-Hangat" for index in range(CLIENTS)]

    statuses = run_at_once(
        CLIENTS,
        lambda i: (
            APIClient()
            .post("/api/v1/auth/password/reset/confirm/", {"token": token, "new_password": passwords[i]}, format="json")
            .status_code
        ),
    )

    assert Counter(statuses) == {204: 1, 400: CLIENTS - 1}
    user.refresh_from_db()
    assert user.check_password(passwords[statuses.index(204)])
    assert not user.check_password(PASSWORD)


def test_one_verification_link_used_at_once_verifies_once():
    user = UserFactory(email="dewi@example.id", email_verified_at=None)
    token = links.link_token_make(purpose=links.VERIFY_EMAIL, user=user)

    statuses = run_at_once(
        CLIENTS, lambda i: APIClient().post("/api/v1/auth/email/verify/", {"token": token}, format="json").status_code
    )

    assert Counter(statuses) == {200: 1, 400: CLIENTS - 1}


def test_concurrent_first_google_sign_ins_of_one_account_make_one_user(keys):  # noqa: F811
    tokens = [keys.token() for _ in range(10)]

    statuses = run_at_once(
        10,
        lambda i: (
            APIClient()
            .post("/api/v1/auth/oauth/google/", {"id_token": tokens[i], "role": "freelancer"}, format="json")
            .status_code
        ),
    )

    # The losers wait for the winner's unique rows, then find its user: they sign in to the same account.
    assert Counter(statuses) == {201: 1, 200: 9}, statuses
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1
