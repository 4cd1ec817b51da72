"""Helpers of the accounts tests: signing in through the API and the session id of a token."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
SESSIONS = "/api/v1/me/sessions/"
LOGOUT = "/api/v1/auth/logout/"
LOGOUT_ALL = "/api/v1/auth/logout/all/"
ME = "/api/v1/me/"


def sign_in(user, agent: str) -> dict:
    response = APIClient().post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_USER_AGENT=agent
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def sid(tokens: dict) -> str:
    return AccessToken(tokens["access"])["sid"]
