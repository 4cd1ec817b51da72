"""RUM indexes for ordered text matches (jobs/search.py, "Ordered matches from the index"), created only where
the `rum` extension is installed on the PostgreSQL server (Debian: `postgresql-15-rum`; the Dockerfile's database
image, docker-compose.yml and .ci/run install it) and this role may create it. Elsewhere the migration does
nothing and search uses its B-tree plans. Installed later: `manage.py search_rum_indexes` creates them.

Each index holds an open job's `search_vector` with one column attached, so PostgreSQL returns the matches of a
tsquery in that column's order straight from the index. About 600 MB each and 40 s to build at 1,000,000 jobs
(docs/benchmarks.md)."""

from django.db import migrations

from jobs.rum import rum_indexes_create, rum_indexes_drop


def forwards(apps, schema_editor):
    rum_indexes_create(schema_editor.connection)


def backwards(apps, schema_editor):
    rum_indexes_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0005_job_type_budget_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
