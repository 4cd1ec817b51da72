"""The production password hasher (accounts/hashers.py): Argon2id with OWASP's parameters, and hashes made with
Django's heavier defaults rehashed at the next login. The rest of the suite uses MD5 (tests/settings.py)."""

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from accounts.models import User
from bantu import settings as project_settings
from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def parameters(encoded: str) -> argon2.Parameters:
    return argon2.extract_parameters(encoded.removeprefix("argon2"))


@pytest.mark.django_db
def test_new_passwords_are_argon2id_with_owasp_parameters(api, project_hashers):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "dewi@example.id", "password": "Kopi-Tubruk-2026", "full_name": "Dewi Lestari", "role": "freelancer"},
        format="json",
    )

    assert response.status_code == 201
    encoded = User.objects.get().password
    assert encoded.startswith("argon2$argon2id$")
    found = parameters(encoded)
    assert (found.type, found.memory_cost, found.time_cost, found.parallelism) == (argon2.Type.ID, 19 * 1024, 2, 1)


@pytest.mark.django_db
def test_a_hash_with_djangos_default_parameters_is_rehashed_at_login(api, project_hashers):
    old = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    assert parameters(old).memory_cost == Argon2PasswordHasher.memory_cost != 19 * 1024
    user = UserFactory(email="dewi@example.id")
    User.objects.filter(pk=user.pk).update(password=old)

    response = api.post(TOKEN, {"email": "dewi@example.id", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    rehashed = User.objects.get(pk=user.pk).password
    assert rehashed != old
    assert (parameters(rehashed).memory_cost, parameters(rehashed).parallelism) == (19 * 1024, 1)
    assert api.post(TOKEN, {"email": "dewi@example.id", "password": PASSWORD}, format="json").status_code == 200


@pytest.mark.django_db
def test_a_failed_login_rehashes_nothing(api, project_hashers):
    old = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user = UserFactory(email="dewi@example.id")
    User.objects.filter(pk=user.pk).update(password=old)

    assert api.post(TOKEN, {"email": "dewi@example.id", "password": "salah-sekali"}, format="json").status_code == 401
    assert User.objects.get(pk=user.pk).password == old
