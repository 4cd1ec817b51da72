"""Model tables and columns, quoted for one database, for the few statements on a hot path written as SQL.

Building a query with the ORM costs more CPU than running it: on a chat send, Django spent about 60% of each of
its queries' time compiling them (py-spy, docs/benchmarks.md "WebSocket delivery"). The statements of a send are
therefore written once as SQL; they name tables and columns only through this helper, which takes them from the
models' `_meta` and quotes them with the backend's own quoting, so a renamed field or table cannot leave stale SQL
behind. Values are always parameters.
"""

from django.db import connections, router


class Names:
    """`Names(Model)`: the database that writes `Model`, with `table(model)`, `column(model, field)` (quoted),
    `value(model, field, raw)` (a Python value prepared as that field stores it, e.g. a UUID on SQLite) and
    `python(model, field, raw)` (the reverse)."""

    def __init__(self, model):
        self.connection = connections[router.db_for_write(model)]
        self._quote = self.connection.ops.quote_name

    def table(self, model) -> str:
        return self._quote(model._meta.db_table)

    def column(self, model, field: str) -> str:
        return self._quote(model._meta.get_field(field).column)

    def value(self, model, field: str, raw):
        return model._meta.get_field(field).get_db_prep_value(raw, self.connection)

    @staticmethod
    def python(model, field: str, raw):
        """A value read by a raw cursor as the ORM returns it (e.g. a UUID, which SQLite stores as hex text)."""
        return model._meta.get_field(field).to_python(raw)
