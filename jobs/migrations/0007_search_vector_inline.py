from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL

# A job's search_vector stays in its row (STORAGE MAIN): PostgreSQL moves the longer text columns (description,
# then title and skills) to the TOAST table first, and the vector only when a row would still exceed a page.
# With the default (EXTENDED), a row over 2 kB had its vector moved out, uncompressed (tsvectors rarely compress by
# the 25% pglz asks): one job in five at 1,000,000 seeded jobs, and each of those cost a TOAST lookup whenever a
# walk or a rank read it (the newest 500 matches of `python`: 43 against 16 ms, docs/benchmarks.md "Seventh
# round"). Rows written before this migration keep their storage until rewritten (`VACUUM FULL jobs_job`, which
# locks the table while it runs).
INLINE = "ALTER TABLE jobs_job ALTER COLUMN search_vector SET STORAGE MAIN;"
DEFAULT = "ALTER TABLE jobs_job ALTER COLUMN search_vector SET STORAGE EXTENDED;"


class Migration(migrations.Migration):
    dependencies = [("jobs", "0006_category_budget_indexes")]

    operations = [PostgresOnlySQL(INLINE, DEFAULT)]
