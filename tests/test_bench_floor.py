"""`make bench`'s SQL floor replays what each search ran (bench/run.py, `_sql_time`): a walk cancelled by the
statement_timeout its request set counts until its cancellation, and the replay goes on."""

import psycopg
import pytest
from django.db import connection as django_connection

from bench.run import _sql_time, explained


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_cancelled_by_its_time_limit_counts_until_then_and_the_replay_goes_on():
    # A connection of its own to the test database, in autocommit, as the floor's replay has.
    database = django_connection.settings_dict
    with psycopg.connect(dbname=database["NAME"], user=database["USER"], password=database["PASSWORD"],
                         host=database["HOST"], port=database["PORT"], autocommit=True) as connection, \
            connection.cursor() as cursor:
        _sql_time(cursor, "BEGIN")
        _sql_time(cursor, "SELECT set_config('statement_timeout', '20ms', true)")

        cancelled = _sql_time(cursor, "SELECT pg_sleep(1)")
        _sql_time(cursor, "SELECT 1")  # what the request did next: not in a failed transaction
        _sql_time(cursor, "COMMIT")  # captured after a walk that finished: only a warning now

        assert 20 <= cancelled < 500
        assert cursor.execute("SHOW statement_timeout").fetchone() == ("0",)


def test_a_count_the_search_ran_under_explain_is_explained_as_its_query():
    count = 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT "jobs_job"."id" FROM "jobs_job" LIMIT 1001'

    assert explained(count) == 'SELECT "jobs_job"."id" FROM "jobs_job" LIMIT 1001'
    assert explained("SELECT 1 AS explain") == "SELECT 1 AS explain"
