"""Writing many read-model rows at once, around SQLAlchemy's executemany.

Why: a rebuild writes about a million audit rows and updates the task rows as often,
and SQLAlchemy's parameter handling per row costs more than SQLite's own work. So on
SQLite the rows go straight to the driver (``exec_driver_sql``) as tuples, converted
by the statement's own SQLAlchemy types (``events.sql.compiled``): the same values,
without that cost. On PostgreSQL too the statement is compiled once and its rows go
to the driver, whose executemany pipelines them; from ``COPY_FROM_ROWS`` rows an
insert goes through COPY on the driver's connection instead. Compiled once matters
most for the tallies' upserts: SQLAlchemy cannot cache an ``ON CONFLICT … DO
UPDATE`` and compiled it again on every command's catch-up.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, Table

from events.sql import compiled


def execute_many(conn: Connection, statement: Any, rows: list[dict[str, Any]], *,
                 distinct: bool = False) -> None:
    """``conn.execute(statement, rows)``, for a statement built once (at import) and
    rows that give every one of its parameters: the same values are written, by the
    driver itself on SQLite, through COPY for a large insert on PostgreSQL.
    ``distinct``: no two rows touch one row of the table (``compiled.execute``)."""
    if not rows:
        return
    # A plain INSERT only: COPY knows no ON CONFLICT (a tally's upsert is a dialect's
    # own Insert, and must stay one statement the database resolves row by row).
    if (conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS
            and type(statement) is Insert):
        _copy(conn, statement.table, rows)
        return
    compiled.execute(conn, statement, rows, distinct=distinct)


def insert_values(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the table's column order, values the driver takes
    as they are: ints, text, bytes, None) in one statement and one round trip.

    For the few rows of a command's catch-up on PostgreSQL, where a round trip is
    most of the cost: psycopg's executemany of two rows costs about two (0.36 ms
    against 0.20 ms on this machine); large batches there go through COPY. On
    SQLite, the driver's executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        # The driver's executemany takes such tuples as they are.
        compiled.send(conn, _values_sql(table, 1, "?"), rows, many=True, answers_nothing=True)
    elif len(rows) >= COPY_FROM_ROWS:
        names = [c.name for c in table.columns]
        _copy(conn, table, [dict(zip(names, row, strict=True)) for row in rows])
    else:  # by name: a command's writes may go as one statement (``compiled``)
        compiled.send(conn, _values_sql(table, len(rows), "%(v{})s"),
                      {f"v{n}": value for n, value in enumerate(
                          value for row in rows for value in row)}, answers_nothing=True)


@cache
def _values_sql(table: Table, count: int, mark: str) -> str:
    """``mark``: the driver's placeholder, ``{}`` standing for the value's number."""
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    width = len(table.columns)
    rows = ("(" + ", ".join(mark.format(n * width + i) for i in range(width)) + ")"
            for n in range(count))
    return f'INSERT INTO "{table.name}" ({names}) VALUES ' + ", ".join(rows)


# From this many rows an insert on PostgreSQL goes through COPY: a rebuild's batches
# (thousands of audit and board rows) load about three times faster than through
# multi-row INSERTs; a command's catch-up (a row or two) keeps the plain INSERT.
COPY_FROM_ROWS = 200


def _copy(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    # The driver's own connection, inside the transaction SQLAlchemy began on it.
    # Values go as text through psycopg's dumpers, as its INSERT parameters would.
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
