from django.db import migrations

from bantu.core.migration_operations import PostgresOnlySQL

# Title weighs most (A), then skills (B), then description (C). Each is indexed with the Indonesian stemmer
# and the English one, so "pembuatan" finds "buat" and "designers" finds "design".
TRIGGER = """
CREATE OR REPLACE FUNCTION jobs_job_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
      setweight(to_tsvector('pg_catalog.indonesian', coalesce(NEW.title, '')), 'A')
   || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A')
   || setweight(to_tsvector('pg_catalog.indonesian', coalesce(NEW.skills_text, '')), 'B')
   || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.skills_text, '')), 'B')
   || setweight(to_tsvector('pg_catalog.indonesian', coalesce(NEW.description, '')), 'C')
   || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_job_search_vector_trigger
  BEFORE INSERT OR UPDATE OF title, skills_text, description ON jobs_job
  FOR EACH ROW EXECUTE FUNCTION jobs_job_search_vector_update();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS jobs_job_search_vector_trigger ON jobs_job;
DROP FUNCTION IF EXISTS jobs_job_search_vector_update();
"""

OPEN = "status = 'open' AND removed_at IS NULL"


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm;", migrations.RunSQL.noop),
        PostgresOnlySQL(TRIGGER, DROP_TRIGGER),
        PostgresOnlySQL(
            f"CREATE INDEX jobs_open_search_idx ON jobs_job USING gin (search_vector) WHERE {OPEN};",
            "DROP INDEX IF EXISTS jobs_open_search_idx;",
        ),
        PostgresOnlySQL(
            f"CREATE INDEX jobs_open_title_trgm_idx ON jobs_job USING gin (title gin_trgm_ops) WHERE {OPEN};",
            "DROP INDEX IF EXISTS jobs_open_title_trgm_idx;",
        ),
    ]
