"""The audit log is append-only in the database too (PostgreSQL): triggers refuse UPDATE and DELETE of its rows,
whatever code or SQL tries. TRUNCATE (a test database's flush) is not a row operation and still works.
SQLite (the embedded default) relies on the admin and the service, which never change a row."""

from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL

FORWARD = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditentry is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [PostgresOnlySQL(FORWARD, BACKWARD)]
