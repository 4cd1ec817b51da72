"""bantu.core.rowlock.locked_rows: the ORM's instances, from one statement, with the row locked."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from accounts.models import User
from bantu.core.rowlock import db_value, locked_rows
from tests.factories import UserFactory


def by_id(model, pk, **kwargs):
    return locked_rows(model, where=f"{connection.ops.quote_name('id')} = %s", params=[db_value(model, "id", pk)],
                       **kwargs)


@pytest.mark.django_db
def test_instances_equal_what_the_orm_loads():
    user = UserFactory(last_login=timezone.now())
    with transaction.atomic():
        [locked] = by_id(User, user.pk)
    loaded = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(locked, field.attname) == getattr(loaded, field.attname), field.name
    assert locked.last_login.tzinfo is not None  # aware, as the ORM answers, on SQLite too
    assert isinstance(locked.pk, uuid.UUID)
    assert locked._state.adding is False


@pytest.mark.django_db
def test_only_the_fields_asked_for_are_loaded_and_nothing_matches_is_empty():
    user = UserFactory()
    with transaction.atomic():
        [partial] = by_id(User, user.pk, fields=("id", "email"))
        assert by_id(User, uuid.uuid4()) == []
    assert partial.get_deferred_fields() >= {"password", "auth_version"}
    assert partial.email == user.email


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refused_outside_a_transaction():
    with pytest.raises(TransactionManagementError):
        by_id(User, uuid.uuid4())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_row_stays_locked_until_the_transaction_ends():
    """A second transaction's lock of the same row waits for the first to commit (PostgreSQL: FOR NO KEY UPDATE)."""
    user = UserFactory()
    locked, second_got_it, order = threading.Event(), threading.Event(), []

    def second():
        try:
            locked.wait(5)
            with transaction.atomic():
                by_id(User, user.pk)
                order.append("second")
                second_got_it.set()
        finally:
            connection.close()

    worker = threading.Thread(target=second)
    worker.start()
    with transaction.atomic():
        by_id(User, user.pk)
        locked.set()
        assert not second_got_it.wait(0.5)
        order.append("first")
    worker.join(10)
    assert order == ["first", "second"]
