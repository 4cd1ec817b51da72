from django.db import migrations, models

from bantu.core.migration_operations import PostgresOnlySQL

OPEN = "status = 'open' AND removed_at IS NULL"

# The vocabulary as jobs.search.search_words_refresh builds it, so that an existing database corrects typos at once.
FILL = f"""
INSERT INTO jobs_searchword (word) SELECT DISTINCT word FROM (
  SELECT regexp_split_to_table(lower(title), '[^a-z]+') AS word FROM jobs_job WHERE {OPEN}
  UNION ALL
  SELECT regexp_split_to_table(lower(name), '[^a-z]+') FROM taxonomy_skill
) AS words WHERE length(word) BETWEEN 3 AND 40 ON CONFLICT DO NOTHING;
"""


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_status_change_base"), ("taxonomy", "0002_seed_taxonomy")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=40, primary_key=True, serialize=False))],
        ),
        PostgresOnlySQL(
            "CREATE INDEX jobs_searchword_trgm_idx ON jobs_searchword USING gin (word gin_trgm_ops);",
            "DROP INDEX IF EXISTS jobs_searchword_trgm_idx;",
        ),
        PostgresOnlySQL(FILL, migrations.RunSQL.noop),
        # Typos no longer match titles by similarity row by row (jobs.search): the title trigram index goes.
        PostgresOnlySQL(
            "DROP INDEX IF EXISTS jobs_open_title_trgm_idx;",
            f"CREATE INDEX jobs_open_title_trgm_idx ON jobs_job USING gin (title gin_trgm_ops) WHERE {OPEN};",
        ),
    ]
