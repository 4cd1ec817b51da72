"""The audit log: written by `audit_record`; on PostgreSQL the database refuses UPDATE and DELETE (browsing it in the
admin: admin/test_audit.py)."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEntry
from audit.services import audit_record
from companies.models import Company
from tests.factories import CompanyFactory

Action = AuditEntry.Action


def test_audit_record_keeps_who_what_which_when_why(entries, superuser):
    entry = AuditEntry.objects.get(action=Action.USER_SUSPEND)

    assert (entry.actor, entry.actor_email, entry.target_type.model, entry.target_repr, entry.reason) == (
        superuser,
        "root@bantu.local",
        "user",
        "pelanggar@example.id",
        "Spam berulang.",
    )
    assert entry.created_at is not None


def test_audit_record_refuses_an_unknown_action_or_an_unsaved_target(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(actor=None, action="user.delete", target=CompanyFactory())
    with pytest.raises(ValueError, match="saved target"):
        audit_record(actor=None, action=Action.COMPANY_VERIFY, target=Company(name="x"))
    assert AuditEntry.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_auditentry SET reason = 'edited'", "DELETE FROM audit_auditentry"])
def test_the_database_refuses_to_change_the_log(entries, statement):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert sorted(AuditEntry.objects.values_list("reason", flat=True)) == [
        "Gagal di bank.",
        "NIB sudah dicek.",
        "Spam berulang.",
    ]
