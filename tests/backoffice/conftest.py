import pytest
from django.test import Client

from tests.factories import UserFactory, operator_in

GROUPS = ["support", "moderator", "finance"]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, email="root@bantu.local")


@pytest.fixture
def support(db):
    return operator_in("support", email="support@bantu.local")


@pytest.fixture
def moderator(db):
    return operator_in("moderator", email="moderator@bantu.local")


@pytest.fixture
def finance(db):
    return operator_in("finance", email="finance@bantu.local")


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def admin_as():
    """`admin_as(user)` → a Django test client signed in to the admin as `user`."""
    return admin_client
