"""A ledger transaction must have entries: the zero-sum trigger of 0002 fires on entry rows, so a transaction row
inserted with no entries at all escaped it. This deferred constraint trigger checks every new transaction at
commit (at least two entries, summing to zero). PostgreSQL only, like 0002."""

from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL

FORWARD = """
CREATE FUNCTION payments_check_new_transaction() RETURNS trigger AS $$
DECLARE
    total numeric;
    lines integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, lines
      FROM payments_entry WHERE transaction_id = NEW.id;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: % entries summing to %', NEW.id, lines, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER payments_transaction_has_entries
    AFTER INSERT ON payments_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_check_new_transaction();
"""

BACKWARD = """
DROP TRIGGER payments_transaction_has_entries ON payments_transaction;
DROP FUNCTION payments_check_new_transaction();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger_rules_in_the_database")]

    operations = [PostgresOnlySQL(FORWARD, BACKWARD)]
