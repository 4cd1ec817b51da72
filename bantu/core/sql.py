"""Model tables and columns, quoted, for the few statements on a hot path written as SQL.

Building a query with the ORM costs more CPU than running it: on a chat send, Django spent about 60% of each of
its queries' time compiling them (py-spy, docs/benchmarks.md "WebSocket delivery"). The statements of a send are
therefore written once as SQL; they name tables and columns only through these functions, which take them from
the models' `_meta` and quote them with the backend's own quoting, so a renamed field or table cannot leave stale
SQL behind. Values are always parameters, prepared with `bantu.core.rowlock.db_value`.
"""

from django.db import connection


def table(model) -> str:
    """`model`'s table, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field: str) -> str:
    """The column of `model.field` (a field name: `user` for the column `user_id`), quoted."""
    return connection.ops.quote_name(model._meta.get_field(field).column)
