"""A position in the log is never given twice, even after a row was deleted.

The read models and the seal remember the last position they applied. On SQLite the
events table's id is a plain ``INTEGER PRIMARY KEY``: once its last rows are
deleted (a hand edit, a bad restore), the next event takes the same id again, which
every read model believes it has already applied, so the new event, the record of
the verification that found the deletion included, would never be seen.
``AUTOINCREMENT`` makes SQLite remember the largest id ever given
(``sqlite_sequence``). The library creates the table without it, so ``never_reuse``
rebuilds the table once with it (copying the rows, ids unchanged) and sets the
counter past every position the read models have seen. PostgreSQL's sequence never
goes back by itself: nothing to do there.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, MetaData, Table, func, select
from sqlalchemy.schema import CreateIndex, CreateTable

log = logging.getLogger(__name__)


def never_reuse(engine: Engine, table: Table, seen: Table | None = None) -> bool:
    """Make the events ``table`` (SQLite) never give an id twice; ``seen``: a table
    whose ``position`` column holds positions already applied (``rm_projection``).
    Return True when the table was changed now."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        if _autoincrementing(conn, table.name):
            return False
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            if _autoincrementing(conn, table.name):  # another process did it meanwhile
                conn.exec_driver_sql("ROLLBACK")
                return False
            _rebuild(conn, table, seen)
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
    # Info, not a warning: every new SQLite store passes here once.
    log.info("Events table %s now never reuses a position (AUTOINCREMENT).", table.name)
    return True


def _autoincrementing(conn: Connection, name: str) -> bool:
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                               "name = ?", (name,)).scalar() or ""
    return "AUTOINCREMENT" in sql.upper()


def _rebuild(conn: Connection, table: Table, seen: Table | None) -> None:
    copy = table.to_metadata(MetaData(), name=f"{table.name}_autoincrement")
    copy.dialect_kwargs["sqlite_autoincrement"] = True
    conn.execute(CreateTable(copy))
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    conn.exec_driver_sql(f'INSERT INTO "{copy.name}" ({names}) SELECT {names} '
                         f'FROM "{table.name}" ORDER BY id')
    conn.exec_driver_sql(f'DROP TABLE "{table.name}"')
    conn.exec_driver_sql(f'ALTER TABLE "{copy.name}" RENAME TO "{table.name}"')
    for index in table.indexes:
        conn.execute(CreateIndex(index))
    highest = conn.execute(select(func.max(table.c.id))).scalar() or 0
    if seen is not None and _exists(conn, seen.name):
        highest = max(highest, conn.execute(select(func.max(seen.c.position))).scalar() or 0)
    # The copy set the counter to the largest id copied; a read model may have seen
    # more (rows deleted before today): the next event comes after all of them.
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table.name,))
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (copy.name,))
    conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                         (table.name, highest))


def _exists(conn: Connection, name: str) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                "name = ?", (name,)).first() is not None
