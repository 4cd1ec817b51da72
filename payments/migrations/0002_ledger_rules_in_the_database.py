"""The ledger's rules, enforced by the database as well as by `payments.ledger.post()` (no code path can skip
them, not even raw SQL):

- PostgreSQL: a deferred constraint trigger checks at commit that the entries of every transaction touched sum to
  zero and that there are at least two of them; triggers refuse UPDATE and DELETE of posted transactions and
  entries (append-only; a correction is a new, reversing transaction).
- SQLite (the embedded default): the append-only triggers. SQLite has no deferred triggers, so the zero-sum rule
  is enforced by the service there.
"""

from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL, SQLiteOnlySQL

PG_FORWARD = """
CREATE FUNCTION payments_check_transaction_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
    lines integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, lines
      FROM payments_entry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: % entries summing to %', NEW.transaction_id, lines, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER payments_entry_balanced
    AFTER INSERT OR UPDATE ON payments_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_check_transaction_balanced();

CREATE FUNCTION payments_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: post a reversing transaction instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payments_entry_append_only BEFORE UPDATE OR DELETE ON payments_entry
    FOR EACH ROW EXECUTE FUNCTION payments_refuse_change();
CREATE TRIGGER payments_transaction_append_only BEFORE UPDATE OR DELETE ON payments_transaction
    FOR EACH ROW EXECUTE FUNCTION payments_refuse_change();
"""

PG_BACKWARD = """
DROP TRIGGER payments_transaction_append_only ON payments_transaction;
DROP TRIGGER payments_entry_append_only ON payments_entry;
DROP FUNCTION payments_refuse_change();
DROP TRIGGER payments_entry_balanced ON payments_entry;
DROP FUNCTION payments_check_transaction_balanced();
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER payments_{table}_no_{action} BEFORE {action.upper()} ON payments_{table}
        BEGIN SELECT RAISE(ABORT, 'payments_{table} is append-only: post a reversing transaction instead'); END;"""
    for table in ("entry", "transaction") for action in ("update", "delete")
]
SQLITE_BACKWARD = [f"DROP TRIGGER payments_{table}_no_{action};"
                   for table in ("entry", "transaction") for action in ("update", "delete")]


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        PostgresOnlySQL(PG_FORWARD, PG_BACKWARD),
        SQLiteOnlySQL(SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
