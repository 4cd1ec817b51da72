"""Test database helpers: the serialized rollback of the transactional tests in bulk, and data built once for
many tests.

A test marked `django_db(transaction=True, serialized_rollback=True)` (the socket tests, the thread races, the
servers) starts by reloading what the migrations wrote, which its predecessor's flush deleted: 95 categories,
320 skills, 160 permissions, 40 content types and the operator groups. Django reloads them one object at a time
(an UPDATE that finds nothing, then an INSERT, and the post_save signals: about 1,250 queries, most of a second
per test). `deserialize_in_bulk` loads the same rows with one INSERT (an upsert) per table; the rows, their primary keys
and the groups' permissions come out identical (only the ids of the group-permission link rows, which nothing
reads, may differ).

The signals Django's one-by-one reload sends (with raw=True) only schedule cache invalidations for jobs
(jobs/receivers.py); tests/conftest.py empties the caches around every test anyway.

On PostgreSQL the flush after each transactional test is Django's one TRUNCATE of every table, which costs about
10 ms a table however empty the tables are (new files for each table and index): 0.6 s a test here, most of the
PostgreSQL suite's teardown time. `flush_by_delete` empties them with DELETE instead (0.03 s), with triggers off
for the transaction (`session_replication_role = replica`: the foreign keys, which a full flush does not need, and
the append-only guards of the ledger and the audit log, which refuse DELETE but, by design, not TRUNCATE). That
setting needs a superuser; without one the flush stays a TRUNCATE.

`rolled_back_at_the_end` lets a module-scoped fixture build its data once for all of the module's tests (the
authorization matrix's marketplace).

On SQLite each test process's in-memory database is a copy of one migrated template (`create_from_template`):
migrating takes 3-5 s of CPU (Django renders the model states of 66 migrations), paid by every xdist worker and
every server a test starts. The first process to need the template migrates (Django's own test database
creation) and saves the result beside its serialized contents, under a file lock; the others, and the next runs,
copy it with SQLite's backup API (milliseconds). The template's name is a digest of what a migration run depends
on (`template_fingerprint`), so an edited migration, a new one, another Django or another post_migrate receiver
makes a new template; a clean clone, as in .ci/run, migrates once per run.

On PostgreSQL the template is a database on the server (`bantu_template_<fingerprint>`), made the same way and
under an advisory lock (other checkouts may share the server); each test database is a `CREATE DATABASE ...
TEMPLATE` of it (`create_from_postgres_template`), 5.3 s -> about 0.9 s per process here. Templates of other code
are dropped when a new one is made."""

import contextlib
import fcntl
import hashlib
import inspect
import os
import sqlite3
import sys
import weakref
from io import StringIO
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connections, transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.postgresql.creation import DatabaseCreation as PostgresCreation
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.db.models.signals import post_migrate


def deserialize_in_bulk(creation: BaseDatabaseCreation, data: str) -> None:
    """Load `data` (the JSON of `serialize_db_to_string`, models in dependency order) into `creation`'s
    database with one bulk INSERT per model and per many-to-many table, in one transaction; foreign keys are
    checked at the end, as Django's own `deserialize_db_from_string` does."""
    connection = creation.connection
    rows: dict[type, list] = {}
    links: dict[type, list] = {}
    with transaction.atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for deserialized in serializers.deserialize("json", StringIO(data), using=connection.alias):
                instance = deserialized.object
                rows.setdefault(type(instance), []).append(instance)
                for name, related_ids in (deserialized.m2m_data or {}).items():
                    field = instance._meta.get_field(name)
                    through = field.remote_field.through
                    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
                    links.setdefault(through, []).extend(
                        through(**{source: instance.pk, target: related_id}) for related_id in related_ids)
            # Rows already there (the first transactional test finds the migrations' rows, not yet flushed)
            # are overwritten, as Django's save() does; links already there are kept.
            for model, instances in rows.items():
                fields = [field.name for field in model._meta.concrete_fields if not field.primary_key]
                manager = model._base_manager.using(connection.alias)
                if fields:
                    manager.bulk_create(instances, update_conflicts=True, unique_fields=[model._meta.pk.name],
                                        update_fields=fields)
                else:  # the key is the whole row (e.g. the search vocabulary's word): nothing to overwrite
                    manager.bulk_create(instances, ignore_conflicts=True)
            for model, instances in links.items():
                model._base_manager.using(connection.alias).bulk_create(instances, ignore_conflicts=True)
        connection.check_constraints(table_names=[model._meta.db_table for model in rows | links])


_truncate_flush = PostgresOperations.sql_flush


def flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """PostgreSQL's `sql_flush` for tests: the same emptied tables, by DELETE (see the module's docstring). Falls
    back to Django's TRUNCATE when sequences must restart or the user may not switch triggers off."""
    connection = self.connection
    if not hasattr(connection, "bantu_may_switch_triggers_off"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            connection.bantu_may_switch_triggers_off = bool(cursor.fetchone()[0])
    if not tables or reset_sequences or not connection.bantu_may_switch_triggers_off:
        return _truncate_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return ["SET LOCAL session_replication_role = replica",
            *(f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables)]


def disconnect_the_others() -> None:
    """Before the test databases are dropped: end the other sessions on this process's PostgreSQL test databases.
    Threads of the tests (the races' workers, Channels' executor) may end still holding a connection borrowed
    from the pool, which closing the pool cannot take back; DROP DATABASE waited 5 s for them, then refused
    ("being accessed by other users") and left the database behind."""
    for connection in connections.all():
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


TEMPLATES_DIR = Path(settings.BASE_DIR) / ".pytest_cache" / "bantu-sqlite-templates"


def template_fingerprint() -> str:
    """Hex digest of what migrating an empty database depends on: every installed app's migration files (names
    and bytes), the source files of the post_migrate receivers (permissions, content types, the operator groups'
    sync), and the Python, Django and SQLite versions."""
    digest = hashlib.sha256(f"{sys.version} {django.__version__} {sqlite3.sqlite_version}".encode())
    for app in apps.get_app_configs():
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    sources = set()
    for _key, receiver, _is_async in post_migrate.receivers:
        function = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        if function is None:  # a receiver garbage-collected since it connected
            continue
        try:
            sources.add(inspect.getsourcefile(function))
        except TypeError:  # a callable object or a partial: the module that defines its class
            sources.add(inspect.getsourcefile(type(function)))
    for source in sorted(sources - {None}):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


def template_path() -> Path:
    """The migrated SQLite template of this code (`<fingerprint>.sqlite3` in TEMPLATES_DIR); its serialized
    contents are beside it (`.json`). May not exist yet: see `create_from_template`."""
    return TEMPLATES_DIR / f"{template_fingerprint()}.sqlite3"


@contextlib.contextmanager
def _template_lock():
    TEMPLATES_DIR.mkdir(parents=True, exist_ok=True)
    with (TEMPLATES_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _use_test_database(creation: BaseDatabaseCreation, name: str) -> None:
    """What Django's `create_test_db` does once the test database `name` exists: point the connection (and the
    settings) at it. The template functions below call it where Django would migrate."""
    creation.connection.close()
    settings.DATABASES[creation.connection.alias]["NAME"] = name
    creation.connection.settings_dict["NAME"] = name


_create_test_db = SQLiteCreation.create_test_db


def create_from_template(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """SQLite's `create_test_db` for an in-memory test database: the same database and the same serialized
    contents as Django's (migrate, then serialize), copied from the template (see the module's docstring), which
    this call makes first if it is missing. Other test databases (a file, keepdb) are created as Django does.
    Takes the templates directory's file lock while it reads or writes the template."""
    name = self._get_test_db_name()
    if keepdb or not self.is_in_memory_db(name):
        return _create_test_db(self, verbosity, autoclobber, serialize, keepdb)
    template = template_path()
    contents = template.with_suffix(".json")
    with _template_lock():
        if not (template.exists() and contents.exists()):
            name = _create_test_db(self, verbosity, autoclobber, serialize=True, keepdb=False)
            for stale in TEMPLATES_DIR.glob("*.sqlite3"):  # other code's templates
                stale.unlink()
                stale.with_suffix(".json").unlink(missing_ok=True)
            partial = template.with_suffix(".partial")
            with contextlib.closing(sqlite3.connect(partial)) as target:
                self.connection.connection.backup(target)
            contents.write_text(self.connection._test_serialized_contents)
            os.replace(partial, template)
            return name
        _use_test_database(self, name)
        self.connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(template)) as source:
            source.backup(self.connection.connection)
        if serialize:
            self.connection._test_serialized_contents = contents.read_text()
    call_command("createcachetable", database=self.connection.alias)
    return name


_create_postgres_test_db = PostgresCreation.create_test_db
POSTGRES_TEMPLATE_PREFIX = "bantu_template_"
POSTGRES_TEMPLATE_LOCK = 0x62616E7475  # pg_advisory_lock's key: "bantu" in ASCII


def create_from_postgres_template(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """PostgreSQL's `create_test_db`: the test database is a `CREATE DATABASE ... TEMPLATE` copy of this code's
    migrated template database (see the module's docstring), which this call makes first if it is missing, from
    a test database Django creates and migrates. A test database left by an interrupted run is dropped; keepdb
    keeps Django's behaviour. Takes the server-wide advisory lock POSTGRES_TEMPLATE_LOCK while it reads, makes or
    copies a template; the test database's own connections are closed while it is copied from or into."""
    if keepdb:
        return _create_postgres_test_db(self, verbosity, autoclobber, serialize, keepdb)
    name = self._get_test_db_name()
    template = f"{POSTGRES_TEMPLATE_PREFIX}{template_fingerprint()}"
    quote = self.connection.ops.quote_name
    with self._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [POSTGRES_TEMPLATE_LOCK])
        try:
            cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                           [POSTGRES_TEMPLATE_PREFIX])
            templates = {row[0] for row in cursor.fetchall()}
            if template not in templates:
                name = _create_postgres_test_db(self, verbosity, autoclobber, serialize, keepdb)
                self.connection.close()
                self.connection.close_pool()
                for stale in templates:
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}")
                return name
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POSTGRES_TEMPLATE_LOCK])
    _use_test_database(self, name)
    if serialize:
        self.connection._test_serialized_contents = self.serialize_db_to_string()
    call_command("createcachetable", database=self.connection.alias)
    self.connection.ensure_connection()
    return name


def install() -> None:
    """For this test process: every database's serialized rollback uses `deserialize_in_bulk`, PostgreSQL's
    flush `flush_by_delete`, and the test databases are copies of a migrated template
    (`create_from_template`, `create_from_postgres_template`)."""
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_in_bulk
    PostgresOperations.sql_flush = flush_by_delete
    SQLiteCreation.create_test_db = create_from_template
    PostgresCreation.create_test_db = create_from_postgres_template


@contextlib.contextmanager
def rolled_back_at_the_end(django_db_blocker):
    """For a module- or class-scoped fixture that builds data once for many tests: opens a transaction that is
    rolled back when the block ends. Each test (`db`) runs in a savepoint inside it, rolled back after the test,
    so every test starts from exactly what the fixture built. Not for transactional tests (they commit)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
