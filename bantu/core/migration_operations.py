from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that applies only on PostgreSQL: full-text search, trigram indexes and triggers have no SQLite
    equivalent, and the embedded default uses simpler matching instead."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class SQLiteOnlySQL(migrations.RunSQL):
    """RunSQL that applies only on SQLite (the embedded default's equivalent of a PostgreSQL-only operation)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
