from django.db import migrations, models

from bantu.core.migration_operations import PostgresOnlySQL, SQLiteOnlySQL

# Jobs of a category in a province, newest first (jobs/models.py says why). Built concurrently on PostgreSQL, so
# that writers to the table are not blocked while it builds (0.8 s at 1,000,000 jobs); the migration state gets the
# model's index, so that `makemigrations` sees nothing to do.
NAME = "jobs_open_cat_location_idx"
TARGET = ('ON jobs_job (category_id, province, published_at DESC, id DESC) '
          "WHERE (removed_at IS NULL AND status = 'open');")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("jobs", "0009_published_brin_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="job",
                    index=models.Index(condition=models.Q(("removed_at__isnull", True), ("status", "open")),
                                       fields=["category", "province", "-published_at", "-id"], name=NAME),
                ),
            ],
            database_operations=[
                PostgresOnlySQL(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} {TARGET}",
                                f"DROP INDEX CONCURRENTLY IF EXISTS {NAME};"),
                SQLiteOnlySQL(f"CREATE INDEX IF NOT EXISTS {NAME} {TARGET}", f"DROP INDEX IF EXISTS {NAME};"),
            ],
        ),
    ]
