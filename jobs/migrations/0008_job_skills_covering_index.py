from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL, SQLiteOnlySQL

# The `skills` filter reads the jobs that have any of the skills: with (skill_id, job_id) that is an index-only
# scan, where the index on skill_id alone read a table page per job-skill row (15,962 rows on 10,576 pages for two
# skills, 14 of the count's 37 ms at 1,000,000 jobs; docs/benchmarks.md, "Seventh round"). Built concurrently on
# PostgreSQL, so that writers to the table are not blocked while it builds (about a second at 2.4 million rows).
NAME = "jobs_job_skills_skill_job_idx"
TARGET = "ON jobs_job_skills (skill_id, job_id);"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("jobs", "0007_search_vector_inline")]

    operations = [
        PostgresOnlySQL(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} {TARGET}",
                        f"DROP INDEX CONCURRENTLY IF EXISTS {NAME};"),
        SQLiteOnlySQL(f"CREATE INDEX IF NOT EXISTS {NAME} {TARGET}", f"DROP INDEX IF EXISTS {NAME};"),
    ]
