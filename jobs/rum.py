"""The optional RUM indexes of job search (jobs/search.py, "Ordered matches from the index").

`rum` is a PostgreSQL extension (Postgres Professional; Debian package `postgresql-15-rum`). A RUM index over
`search_vector` with a column attached (`rum_tsvector_addon_ops`) returns the rows matching a tsquery ordered by
that column, `ORDER BY column <=| origin` (largest first) or `column |=> origin` (smallest first), stopping after
the rows asked for. Each index here is partial, over open jobs that are not removed, like the GIN index of
migration 0002.
"""

import functools
import logging

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction

logger = logging.getLogger(__name__)

OPEN = "status = 'open' AND removed_at IS NULL"
# By the search ordering each serves (jobs.search.ORDERINGS): (index name, attached column).
INDEXES = {
    "newest": ("jobs_open_search_newest_rum", "published_at"),
}


def rum_indexes_create(connection, *, concurrently: bool = False) -> list[str]:
    """Create the rum extension (if the server has it and this role may) and those of INDEXES that are missing;
    the names created, [] on SQLite or without rum (logged at INFO). `concurrently` (outside a transaction only,
    as `manage.py search_rum_indexes` runs it) builds without blocking writes to jobs_job. Seconds per index at
    1,000,000 jobs (40 s measured, docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT installed_version IS NOT NULL FROM pg_available_extensions WHERE name = 'rum'")
        row = cursor.fetchone()
        if row is None:
            logger.info("The rum extension is not installed on the server: job search keeps its B-tree plans.")
            return []
        if not row[0]:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
            except Exception as error:  # a role that may not create extensions: search works without
                logger.info("Could not create the rum extension (%s): job search keeps its B-tree plans.", error)
                return []
        created = []
        for index, column in INDEXES.values():
            cursor.execute("SELECT 1 FROM pg_indexes WHERE tablename = 'jobs_job' AND indexname = %s", [index])
            if cursor.fetchone():
                continue
            cursor.execute(
                f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}{index} ON jobs_job "
                f"USING rum (search_vector rum_tsvector_addon_ops, {column}) "
                f"WITH (attach = '{column}', to = 'search_vector') WHERE {OPEN}")
            created.append(index)
    _indexed_orderings.cache_clear()
    return created


def rum_indexes_drop(connection) -> None:
    """Drop the indexes of INDEXES (the extension stays)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index, _column in INDEXES.values():
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
    _indexed_orderings.cache_clear()


def rum_orderings() -> frozenset[str]:
    """The orderings (keys of INDEXES) whose index exists in the default database; empty on SQLite, without rum,
    or when BANTU["SEARCH_RUM"] is off. One catalog query per process and database, then remembered (a process
    started before `search_rum_indexes` ran keeps its B-tree plans until it restarts)."""
    if not settings.USING_POSTGRES or not settings.BANTU["SEARCH_RUM"]:
        return frozenset()
    return _indexed_orderings(default_connection.settings_dict["NAME"])


@functools.lru_cache(maxsize=8)
def _indexed_orderings(database: str) -> frozenset[str]:
    names = [index for index, _column in INDEXES.values()]
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'jobs_job' AND indexname = ANY(%s)",
                       [names])
        found = {row[0] for row in cursor.fetchall()}
    return frozenset(ordering for ordering, (index, _column) in INDEXES.items() if index in found)
