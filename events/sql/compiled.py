"""Statements compiled once and handed straight to the driver.

SQLAlchemy builds, cache-keys and binds a statement on every ``execute``: on a
command's path that cost more than the database's own work for most statements
(docs/performance.md, "The command path"). A statement built once at import is
compiled here once per database kind; each call converts its parameters with the
statement's own SQLAlchemy types and runs it with ``exec_driver_sql``. The values
written and read are the same.

Inside ``on_driver(conn)`` (a command's own read-model batch) they skip SQLAlchemy's
execution path altogether and go to one driver cursor of the connection: about 10 µs
an UPDATE and 24 µs a SELECT less, a dozen times a command. SQLAlchemy's events do
not see those; ``listeners`` do (the benchmarks count and record statements there),
and PostgreSQL's pipeline is told of each (``events.sql.pipeline``). The driver's
own errors are raised there, not SQLAlchemy's: whatever the error, the event store's
recorder rolls the transaction back and writes the events again without their views.

For statements whose parameters are plain bound values (no expanding ``IN``).
May import: ``events.sql.pipeline`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.compiler import SQLCompiler

from events.sql import pipeline

_CURSOR = "nhiemvu_driver_cursor"
# Told of every statement sent on a driver cursor: (sql, parameters, executemany).
listeners: list[Callable[[str, Any, bool], None]] = []


def execute(conn: Connection, statement: Any,
            rows: dict[str, Any] | list[dict[str, Any]]) -> Any:
    """Run ``statement`` with one row of parameters (a dict) or many (a list, the
    driver's executemany); every parameter the statement binds must be given. What it
    answers: ``all()``, ``first()``, ``scalar_one()`` and iteration over its rows."""
    sql, values_of, converters, names, answers_nothing = _compiled(statement, conn.dialect)
    many = isinstance(rows, list)
    params = [_values(row, values_of, converters, names) for row in (rows if many else [rows])]
    return send(conn, sql, params if many else params[0], many=many,
                answers_nothing=answers_nothing)


def send(conn: Connection, sql: str, params: Any, *, many: bool = False,
         answers_nothing: bool = False) -> Any:
    """``sql`` with the driver's own parameters: on the driver's cursor inside
    ``on_driver``, else through ``exec_driver_sql``. ``answers_nothing``: a write
    without RETURNING (PostgreSQL's pipeline may queue it)."""
    cursor = conn.info.get(_CURSOR)
    if cursor is None:
        return conn.exec_driver_sql(sql, params or None)
    for listener in listeners:
        listener(sql, params, many)
    pipeline.before(conn, answers_nothing=answers_nothing)
    if many:
        cursor.executemany(sql, params)
        return Rows()
    if params:
        cursor.execute(sql, params)
    else:  # sqlite3 takes no None for "no parameters"
        cursor.execute(sql)
    if answers_nothing or cursor.description is None:
        return Rows()
    # Read at once: the next statement reuses the cursor.
    return Rows(cursor.fetchall())


@contextmanager
def on_driver(conn: Connection) -> Iterator[None]:
    """Send this block's compiled statements on one cursor of the driver (see above);
    a block inside another is part of it."""
    if _CURSOR in conn.info:
        yield
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    conn.info[_CURSOR] = cursor
    try:
        yield
    finally:
        del conn.info[_CURSOR]
        cursor.close()


class Rows(list):
    """A statement's rows as the driver gave them, read: what callers ask of a result."""

    def all(self) -> list[Any]:
        return list(self)

    def first(self) -> Any:
        return self[0] if self else None

    def scalar_one(self) -> Any:
        if len(self) != 1:
            raise ValueError(f"expected one row, got {len(self)}")
        return self[0][0]


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
                                                      tuple[str, ...] | None, bool]:
    """The statement's SQL for the driver, its parameters' values in order, their
    converters, their names when the driver takes them by name, and whether it is a
    write that answers nothing."""
    compiled = statement.compile(dialect=dialect)
    answers_nothing = (isinstance(compiled, SQLCompiler)
                       and bool(compiled.isinsert or compiled.isupdate or compiled.isdelete)
                       and not compiled.effective_returning)
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
    return (compiled.string, values_of, converters, None if positional else tuple(names),
            answers_nothing)
