"""Row locks on the hot paths, as one plain SQL statement instead of a QuerySet.

The ORM builds and compiles a query anew on every call: for `select_for_update().get(pk=...)` that is about a
thousand Python calls, more than the rest of a typical lock-and-update. The money paths (an escrow approval, a
payout) take four such locks per request, so they use `locked_rows`, which writes the same statement directly
(docs/benchmarks.md, escrow, "Serving HTTP" and the counts of bench/escrow_cost.py). Everywhere else, use the ORM.
"""

import functools

from django.db import connection
from django.db.transaction import TransactionManagementError


def db_value(model, field_name: str, value):
    """`value` as the database holds `model.field_name` (a UUID is a hex string on SQLite). Raises
    ValidationError when `value` is not a valid value of the field."""
    field = model._meta.get_field(field_name)
    return field.get_db_prep_value(field.to_python(value), connection)


def locked_rows(model, *, where: str, params: list, fields: tuple[str, ...] | None = None) -> list:
    """The rows of `model` for which the SQL condition `where` holds, as model instances (only `fields`, attnames,
    loaded; all concrete fields by default; the rest deferred), in primary-key order, each locked FOR NO KEY
    UPDATE until the caller's transaction ends. No lock clause where the database has none (SQLite serializes
    writers).

    `where` names the model's columns unqualified, `%s` for parameters; `params` are database values (see
    `db_value`). It may compare with a subquery on another table: only this table's rows are locked. Raises
    TransactionManagementError outside a transaction (the lock would end with the statement), as the ORM does.
    """
    if connection.get_autocommit():
        raise TransactionManagementError("locked_rows() outside a transaction: the lock would end at once.")
    statement, attnames, converters = _statement(model, where, fields, connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    instances = []
    for row in rows:
        values = list(row)
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        instances.append(model.from_db(connection.alias, attnames, values))
    return instances


@functools.lru_cache(maxsize=256)
def _statement(model, where: str, fields: tuple[str, ...] | None, alias: str):
    """The SQL, the attnames it selects and, per column that needs them, the backend's and the field's converters
    (as the ORM's compiler applies them: aware datetimes and UUIDs on SQLite, for instance). Built once per
    (model, condition, fields, database)."""
    meta = model._meta
    quote = connection.ops.quote_name
    attnames = fields or tuple(field.attname for field in meta.concrete_fields)
    columns = ", ".join(quote(meta.get_field(name).column) for name in attnames)
    lock = f" {connection.ops.for_update_sql(no_key=True)}" if connection.features.has_select_for_update else ""
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where} ORDER BY {quote(meta.pk.column)}{lock}"  # noqa: S608
    converters = []
    for index, name in enumerate(attnames):
        column = meta.get_field(name).get_col(meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, column, tuple(functions)))
    return sql, attnames, tuple(converters)
