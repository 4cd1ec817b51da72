"""Sessions, the CSRF check, Django's request.user and messages run on the admin's paths only
(bantu.core.middleware.Admin*Middleware): the API authenticates with JWTs."""

import re

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client
from django.urls import reverse

from bantu.core.middleware import ADMIN_PATH
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_path_is_where_the_urls_mount_the_admin():
    assert reverse("admin:index") == ADMIN_PATH


def test_the_admins_middleware_runs_on_its_paths_and_nowhere_else(client, monkeypatch):
    ran = []
    for middleware in (SessionMiddleware, CsrfViewMiddleware, AuthenticationMiddleware, MessageMiddleware):
        def recorded(self, request, original=middleware.process_request, name=middleware.__name__):
            ran.append((name, request.path))
            return original(self, request)
        monkeypatch.setattr(middleware, "process_request", recorded)

    for path in ("/healthz", "/api/v1/jobs/", "/api/v1/categories/", "/api/docs/", "/nowhere/", "/admin/login/"):
        client.get(path)

    # (The admin's login view also runs the CSRF check as a decorator: that is Django's own second call.)
    assert {path for _, path in ran} == {"/admin/login/"}
    assert {name for name, _ in ran} == {"SessionMiddleware", "CsrfViewMiddleware", "AuthenticationMiddleware",
                                         "MessageMiddleware"}


def test_an_admin_post_without_its_csrf_token_is_refused_and_with_it_signs_in():
    UserFactory(email="ops@bantu.local", is_staff=True, is_superuser=True)
    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)

    forged = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "ops@bantu.local",
                                                                     "password": PASSWORD})
    signed_in = browser.post("/admin/login/", {"username": "ops@bantu.local", "password": PASSWORD,
                                               "csrfmiddlewaretoken": token, "next": "/admin/"})

    assert forged.status_code == 403
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/admin/")
    assert browser.get("/admin/").status_code == 200  # the session is kept


def test_an_api_answer_sets_no_session_or_csrf_cookie(client):
    response = client.get("/api/v1/jobs/")

    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
