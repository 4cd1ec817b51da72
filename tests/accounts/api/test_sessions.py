"""Sessions a user controls (PRODUCT.md §1, §3): `me/sessions/` lists the live sign-ins with their times and user
agent and ends one; `auth/logout/all/` revokes every access and refresh token and closes the user's sockets
(consumers/test_sessions.py)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuthSession
from accounts.services import tokens_issue
from tests.accounts.helpers import LOGOUT, LOGOUT_ALL, ME, REFRESH, SESSIONS, bearer, sid, sign_in
from tests.factories import UserFactory
from tests.problems import assert_problem


@pytest.mark.django_db
def test_sessions_lists_each_sign_in_with_its_agent_and_times_and_marks_the_current_one(user):
    phone = sign_in(user, "Bantu/2.1 (Android 14)")
    laptop = sign_in(user, "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    sign_in(UserFactory(), "someone else's")

    response = bearer(laptop["access"]).get(SESSIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(row["id"], row["user_agent"], row["current"]) for row in body["results"]] == [
        (sid(laptop), "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", True),
        (sid(phone), "Bantu/2.1 (Android 14)", False),
    ]
    assert set(body["results"][0]) == {"id", "created_at", "last_used_at", "expires_at", "user_agent", "current"}


@pytest.mark.django_db
def test_refreshing_keeps_the_session_and_moves_last_used(user):
    phone = sign_in(user, "Bantu/2.1 (Android 14)")
    created = AuthSession.objects.get(pk=sid(phone))

    rotated = APIClient().post(REFRESH, {"refresh": phone["refresh"]}, format="json").json()

    assert sid(rotated) == sid(phone)
    session = AuthSession.objects.get(pk=sid(phone))
    assert session.last_used_at > created.last_used_at
    assert session.created_at == created.created_at
    assert session.refresh_jti == RefreshToken(rotated["refresh"])["jti"]
    assert bearer(rotated["access"]).get(SESSIONS).json()["count"] == 1


@pytest.mark.django_db
def test_ending_one_session_refuses_its_tokens_and_leaves_the_others(user):
    phone, laptop = sign_in(user, "phone"), sign_in(user, "laptop")

    response = bearer(laptop["access"]).delete(f"{SESSIONS}{sid(phone)}/")

    assert response.status_code == 204
    assert_problem(bearer(phone["access"]).get(ME), 401, "token_revoked")
    assert_problem(APIClient().post(REFRESH, {"refresh": phone["refresh"]}, format="json"), 401)
    assert bearer(laptop["access"]).get(ME).status_code == 200
    assert [row["user_agent"] for row in bearer(laptop["access"]).get(SESSIONS).json()["results"]] == ["laptop"]
    assert bearer(laptop["access"]).delete(f"{SESSIONS}{sid(phone)}/").status_code == 204  # again: harmless


@pytest.mark.django_db
@pytest.mark.parametrize("session_id", ["other", "01900000-0000-7000-8000-000000000000"])
def test_another_users_or_an_unknown_session_is_404_and_stays_live(user, session_id):
    other = sign_in(UserFactory(), "other")
    mine = sign_in(user, "mine")
    target = sid(other) if session_id == "other" else session_id

    response = bearer(mine["access"]).delete(f"{SESSIONS}{target}/")

    assert_problem(response, 404, "session_not_found")
    assert bearer(other["access"]).get(ME).status_code == 200


@pytest.mark.django_db
def test_logout_ends_the_session(user):
    phone = sign_in(user, "phone")

    assert bearer(phone["access"]).post(LOGOUT, {"refresh": phone["refresh"]}, format="json").status_code == 204

    assert AuthSession.objects.get(pk=sid(phone)).revoked_at is not None
    assert_problem(bearer(phone["access"]).get(ME), 401, "token_revoked")


@pytest.mark.django_db
def test_logout_all_revokes_every_access_and_refresh_token(user):
    sessions = [sign_in(user, agent) for agent in ("phone", "laptop", "tablet")]
    bystander = sign_in(UserFactory(), "bystander")

    response = bearer(sessions[0]["access"]).post(LOGOUT_ALL)

    assert response.status_code == 204
    for tokens in sessions:
        assert_problem(bearer(tokens["access"]).get(ME), 401, "token_revoked")
        assert_problem(APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json"), 401)
    assert bearer(bystander["access"]).get(ME).status_code == 200
    fresh = sign_in(user, "phone again")
    assert [row["user_agent"] for row in bearer(fresh["access"]).get(SESSIONS).json()["results"]] == ["phone again"]


@pytest.mark.django_db
def test_logout_all_refuses_a_body(user):
    tokens = sign_in(user, "phone")

    assert_problem(bearer(tokens["access"]).post(LOGOUT_ALL, {"refresh": tokens["refresh"]}, format="json"), 400)
    assert bearer(tokens["access"]).get(ME).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 12])
def test_the_session_list_costs_the_same_queries_whatever_its_length(user, count, django_assert_num_queries):
    for n in range(count):
        tokens = tokens_issue(user=user, user_agent=f"agent {n}")
    client = bearer(tokens["access"])

    with django_assert_num_queries(3):
        response = client.get(SESSIONS)

    assert response.json()["count"] == count


@pytest.mark.django_db
def test_the_daily_cleanup_forgets_sessions_that_ended_over_a_day_ago(user):
    from datetime import timedelta

    from accounts.tasks import sessions_cleanup_task

    live, revoked_long_ago, expired_long_ago, revoked_now = (
        sid(tokens_issue(user=user, user_agent=agent)) for agent in ("live", "revoked", "expired", "now")
    )
    two_days_ago = timezone.now() - timedelta(days=2)
    AuthSession.objects.filter(pk=revoked_long_ago).update(revoked_at=two_days_ago)
    AuthSession.objects.filter(pk=expired_long_ago).update(expires_at=two_days_ago)
    AuthSession.objects.filter(pk=revoked_now).update(revoked_at=timezone.now())

    assert sessions_cleanup_task.apply().get() == 2

    assert {str(pk) for pk in AuthSession.objects.values_list("pk", flat=True)} == {live, revoked_now}
