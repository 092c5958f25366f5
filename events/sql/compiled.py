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

On PostgreSQL, inside ``on_driver`` within a pipeline, the writes that answer nothing
are also held back and sent together as one statement: each a data-modifying ``WITH``
part of it (``_fused``), so the server parses, binds and runs one statement where it
ran a dozen, and the driver sends one. Parts of one statement see the same snapshot
and none sees another's rows, so a write to a table already held first sends what is
held, and several rows that could touch one row twice (an UPDATE's, unless said to be
``distinct``) go alone; so does what is held before any statement that answers rows,
any sent through SQLAlchemy, and at the block's end.

For statements whose parameters are plain bound values (no expanding ``IN``).
May import: ``events.sql.pipeline`` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy.sql.compiler import SQLCompiler

from events.sql import pipeline

_CURSOR = "nhiemvu_driver_cursor"
_HELD = "nhiemvu_held_writes"  # PostgreSQL: [(table, sql, params, many)] not yet sent
_TARGET = re.compile(r'(?:INSERT INTO|UPDATE|DELETE FROM) ("?[\w.]+"?)')
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_RAW = "nhiemvu_raw_cursor"
# Told of every statement sent on a driver cursor: (sql, parameters, executemany).
listeners: list[Callable[[str, Any, bool], None]] = []


def execute(conn: Connection, statement: Any,
            rows: dict[str, Any] | list[dict[str, Any]], *, distinct: bool = False) -> Any:
    """Run ``statement`` with one row of parameters (a dict) or many (a list, the
    driver's executemany); every parameter the statement binds must be given. What it
    answers: ``all()``, ``first()``, ``scalar_one()`` and iteration over its rows.
    ``distinct``: no two of the rows touch one row of the table (so they may go as
    parts of one statement, see above)."""
    sql, values_of, converters, names, answers_nothing = _compiled(statement, conn.dialect)
    many = isinstance(rows, list)
    params = [_values(row, values_of, converters, names) for row in (rows if many else [rows])]
    return send(conn, sql, params if many else params[0], many=many,
                answers_nothing=answers_nothing, distinct=distinct)


def send(conn: Connection, sql: str, params: Any, *, many: bool = False,
         answers_nothing: bool = False, distinct: bool = False) -> Any:
    """``sql`` with the driver's own parameters: on the driver's cursor inside
    ``on_driver``, else through ``exec_driver_sql``. ``answers_nothing``: a write
    without RETURNING (PostgreSQL's pipeline may queue it); ``distinct``: see
    ``execute``."""
    info = conn.info  # (a property of a property: read once)
    cursor = info.get(_CURSOR)
    if cursor is None:
        return conn.exec_driver_sql(sql, params or None)
    held = info.get(_HELD)
    if held is not None:
        if many and len(params) == 1:  # one row: a statement like any other
            params, many = params[0], False
        if answers_nothing and _hold(conn, held, sql, params, many, distinct):
            return Rows()
        _send_held(conn)
    return _run(conn, cursor, sql, params, many, answers_nothing, info)


def _run(conn: Connection, cursor: Any, sql: str, params: Any, many: bool,
         answers_nothing: bool, info: dict[str, Any] | None = None) -> Any:
    for listener in listeners:
        listener(sql, params, many)
    piped = pipeline.before(conn, info)
    if many:
        cursor.executemany(sql, params)
        return Rows()
    if params:
        cursor.execute(sql, params)
    else:  # sqlite3 takes no None for "no parameters"
        cursor.execute(sql)
    if answers_nothing:
        return Rows()
    if piped:  # the fetch waits for it and what was queued before: no description yet
        return Rows(cursor.fetchall())
    if cursor.description is None:
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
    holding = pipeline.active(conn)
    if holding:
        conn.info[_HELD] = _Held()
        # A statement sent through SQLAlchemy in the block sends what is held first.
        pipeline.before_others(conn, lambda: _send_held(conn))
    try:
        yield
        if holding:
            _send_held(conn)
    finally:
        if holding:
            del conn.info[_HELD]
            pipeline.before_others(conn, None)
            raw = conn.info.pop(_RAW, None)
            if raw is not None:
                raw.close()
        del conn.info[_CURSOR]
        cursor.close()


@contextmanager
def transaction(conn: Connection) -> Iterator[None]:
    """The block as one transaction, its compiled statements on the driver's cursor
    (``on_driver``); on PostgreSQL in a pipeline (``events.sql.pipeline``), the block's
    BEGIN and COMMIT two of its own statements, queued with the rest.

    Why: psycopg, beginning a transaction itself in pipeline mode, sends its BEGIN and
    waits for the answer before anything else goes (a round trip of its own, a third
    of a command's waiting). On a connection in autocommit mode it begins none, and the
    BEGIN sent here goes with the table lock and the insert. A block that fails leaves
    its transaction open (or aborted): the pool's reset of the connection, as it goes
    back, rolls it back (psycopg sends ROLLBACK whenever the server is in one), then
    puts the connection back in the engine's own mode."""
    if conn.dialect.name != "postgresql":
        with conn.begin(), on_driver(conn):
            yield
        return
    conn.execution_options(isolation_level="AUTOCOMMIT")
    with pipeline.pipelined(conn), on_driver(conn):
        send(conn, "BEGIN", None, answers_nothing=True)
        yield
        send(conn, "COMMIT", None, answers_nothing=True)


def _hold(conn: Connection, held: _Held, sql: str, params: Any, many: bool,
          distinct: bool) -> bool:
    """Hold a write back to be sent with others as one statement; False: it may not be
    (it must go alone, after what is held). Rows of one write become parts of their
    own if they cannot touch one row twice: a plain INSERT's (a second would fail
    either way), or rows said to be ``distinct``."""
    table, plain_insert = _target(sql)
    first = params[0] if many and params else params
    if table is None or not isinstance(first, dict) or (
            many and not (distinct or plain_insert)):
        return False  # (positional parameters cannot be renamed apart)
    if table in held.tables:
        _send_held(conn)
    held.append((table, sql, params, many))
    held.tables.add(table)
    return True


@lru_cache(maxsize=1024)  # every command sends the same few statements
def _target(sql: str) -> tuple[str | None, bool]:
    """The table a write changes (None: not a write held back) and whether it is a
    plain INSERT."""
    target = _TARGET.match(sql)
    if target is None:
        return None, False
    # (``bulk.insert_values`` quotes its names)
    return (target.group(1).strip('"'),
            sql.startswith("INSERT INTO") and " ON CONFLICT " not in sql)


class _Held(list):
    """The writes held back, in order, and the tables they change."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: set[str] = set()

    def clear(self) -> None:
        super().clear()
        self.tables.clear()


def _send_held(conn: Connection) -> None:
    held = conn.info.get(_HELD)
    if not held:
        return
    parts = list(held)
    held.clear()
    if len(parts) == 1 and not parts[0][3]:  # one statement of one row: as it is
        _, sql, params, _ = parts[0]
        _run(conn, conn.info[_CURSOR], sql, params, False, True)
        return
    rows = [(sql, row) for _, sql, params, many in parts
            for row in (params if many else [params])]
    sql, order = _fused(tuple((sql, tuple(row)) for sql, row in rows))
    values = [rows[n][1][name] for n, name in order]
    # Numbered placeholders of the server's own, on a cursor that takes them as they
    # are: psycopg would otherwise parse a statement this long on every call (it
    # keeps its parse of short ones only).
    raw = conn.info.get(_RAW)
    if raw is None:
        raw = conn.info[_RAW] = psycopg.RawCursor(conn.connection.driver_connection)
    _run(conn, raw, sql, values, False, True)


@lru_cache(maxsize=512)  # the shapes of a few commands' writes, bounded anyway
def _fused(rows: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, list[tuple[int, str]]]:
    """One statement of several writes (their SQL and parameter names, a row each):
    every one but the last a ``WITH`` part, with ``$n`` placeholders; and which row's
    parameter each placeholder takes."""
    order: list[tuple[int, str]] = []
    numbered: dict[tuple[int, str], int] = {}

    def number(n: int, name: str) -> str:
        if (n, name) not in numbered:
            order.append((n, name))
            numbered[n, name] = len(order)
        return f"${numbered[n, name]}"

    parts = [_PLACEHOLDER.sub(lambda m, n=n: number(n, m.group(1)), sql).replace("%%", "%")
             for n, (sql, _) in enumerate(rows)]
    fused = "WITH " + ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(parts[:-1]))
    return fused + " " + parts[-1], order


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
