"""Statements compiled once and handed straight to the driver.

SQLAlchemy builds, cache-keys and binds a statement on every ``execute``: on a
command's path that cost more than the database's own work for most statements
(docs/performance.md, "The command path"). A statement built once at import is
compiled here once per database kind; each call converts its parameters with the
statement's own SQLAlchemy types and runs it with ``exec_driver_sql``. The values
written and read are the same; SQLAlchemy's events still see every statement.

For statements whose parameters are plain bound values (no expanding ``IN``).
May import: nothing of nhiemvu (part of ``events.sql``).
"""

from __future__ import annotations

from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, CursorResult


def execute(conn: Connection, statement: Any,
            rows: dict[str, Any] | list[dict[str, Any]]) -> CursorResult[Any]:
    """Run ``statement`` with one row of parameters (a dict) or many (a list, the
    driver's executemany); every parameter the statement binds must be given."""
    sql, values_of, converters, names = _compiled(statement, conn.dialect)
    many = isinstance(rows, list)
    params = [_values(row, values_of, converters, names) for row in (rows if many else [rows])]
    return conn.exec_driver_sql(sql, params if many else params[0])


def _values(row: dict[str, Any], values_of: Any, converters: list[tuple[int, Any]],
            names: tuple[str, ...] | None) -> Any:
    values = values_of(row)
    if converters:
        values = list(values)
        for i, convert in converters:
            values[i] = convert(values[i])
    if names is not None:  # psycopg takes parameters by name: %(name)s
        return dict(zip(names, values, strict=True))
    return tuple(values)


@cache
def _compiled(statement: Any, dialect: Any) -> tuple[str, Any, list[tuple[int, Any]],
                                                      tuple[str, ...] | None]:
    """The statement's SQL for the driver, its parameters' values in order, their
    converters, and their names when the driver takes them by name."""
    compiled = statement.compile(dialect=dialect)
    positional = compiled.positiontup is not None
    names = compiled.positiontup if positional else list(compiled.bind_names.values())
    # Escaped bind names (quoted identifiers) would differ from the rows' keys.
    assert not compiled.escaped_bind_names, compiled.escaped_bind_names
    converters = []
    for i, name in enumerate(names):
        impl = compiled.binds[name].type.dialect_impl(dialect)
        processor = impl.bind_processor(dialect)
        if processor is not None:
            converters.append((i, processor))
    if not names:
        values_of: Any = lambda row: ()  # noqa: E731
    elif len(names) > 1:
        values_of = itemgetter(*names)
    else:
        values_of = lambda row: (row[names[0]],)  # noqa: E731
    # Values the statement carries itself (SQLite's OFFSET 0 after a LIMIT, say).
    own = {name: value for name, value in compiled.params.items()
           if not compiled.binds[name].required and name in names and value is not None}
    if own:
        given = values_of
        values_of = lambda row: given({**own, **row})  # noqa: E731
    return compiled.string, values_of, converters, None if positional else tuple(names)
