from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL

# A block-range index of published_at: rows are inserted about in publishing order, so each range of 128 table pages
# holds jobs of a short span of time, and the index (72 kB at 1,000,000 jobs) tells which pages hold jobs
# published since a given time. ANDed with the text's bitmap, relevance's newest candidates are read from the
# recent pages only (jobs.search.JobSearch._candidates_since; docs/benchmarks.md, "Ninth round"). A row moved by
# an update widens its range, which then costs reads, never a wrong result (the condition is checked on the rows).
# `autosummarize` summarizes each range once it fills; ranges not yet summarized are always read. PostgreSQL only:
# SQLite has no such index, and its searches do not use the bound.
NAME = "jobs_published_brin_idx"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("jobs", "0008_job_skills_covering_index")]

    operations = [
        PostgresOnlySQL(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON jobs_job USING brin (published_at) "
                        "WITH (autosummarize = on);",
                        f"DROP INDEX CONCURRENTLY IF EXISTS {NAME};"),
    ]
