"""The events table as a backup reads and refills it.

Read: keyset batches by position, up to a position fixed beforehand. Refill: rows
inserted with their positions (gaps kept), in one transaction that no command can
enter (PostgreSQL: the event store's own ``LOCK TABLE … IN EXCLUSIVE MODE``; SQLite:
``BEGIN IMMEDIATE``), then PostgreSQL's id sequence moved past the last position so
the next command's event follows it. PostgreSQL loads with ``COPY`` (twice the
rate of an ``executemany``); SQLite with an ``executemany`` of SQLAlchemy Core.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, func, insert, select, text

from events.log.records import select_batches
from events.processes.backup_format import BackupError, Record, bad_line
from workflow.words import _

if TYPE_CHECKING:
    from events.system import System

BATCH = 5000
COLUMNS = ("id", "originator_id", "originator_version", "topic", "state")
# A batch of rows ``(position, aggregate UUID, version, topic, state)`` just stored.
Stored = Callable[[list[tuple[int, UUID, int, str, bytes]]], None]


def last_position(store: System, conn: Connection | None = None) -> int | None:
    query = select(func.max(store.events_table.c.id))
    if conn is not None:
        return conn.execute(query).scalar()
    with store.engine.connect() as own:
        return own.execute(query).scalar()


def batches(store: System, head: int) -> Iterator[list[Any]]:
    """The rows ``(position, aggregate id, version, topic, state)`` up to ``head``."""
    with store.engine.connect() as conn:
        yield from select_batches(conn, store.events_table, BATCH, until=head)


@contextlib.contextmanager
def exclusive(store: System) -> Iterator[Connection]:
    """One transaction on the log that no other writer enters meanwhile; it refuses a
    store that already holds an event."""
    with store.engine.connect() as conn:
        if store.is_postgres:
            with conn.begin():
                # The lock the event store takes for every save: commands wait.
                conn.exec_driver_sql(f"LOCK TABLE {_name(conn, store)} IN EXCLUSIVE MODE")
                _refuse_if_not_empty(store, conn)
                yield conn
            return
        # SQLite: take the single writer's lock before reading anything.
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            _refuse_if_not_empty(store, conn)
            yield conn
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
        conn.commit()  # ends SQLAlchemy's own record of the transaction


def _name(conn: Connection, store: System) -> str:
    return conn.dialect.identifier_preparer.format_table(store.events_table)


def _refuse_if_not_empty(store: System, conn: Connection) -> None:
    last = last_position(store, conn)
    if last is not None:
        raise BackupError(_("kho dữ liệu không trống (đã có sự kiện đến vị trí %(position)s): "
                            "chỉ nhập được vào một kho mới, chưa có sự kiện nào",
                            position=last))


def load(store: System, conn: Connection, records: Iterator[Record],
         stored: Stored | None = None) -> None:
    """Insert every record with its position; ``stored`` sees each batch."""
    table = store.events_table
    exists = select(table.c.id).where(table.c.originator_id == bindparam("aggregate"),
                                      table.c.originator_version == bindparam("version"))
    write = _copy(conn, _name(conn, store)) if store.is_postgres else _executemany(conn, table)
    versions: dict[bytes, int] = {}
    pending: list[tuple[int, UUID, int, str, bytes]] = []
    last: int | None = None

    def flush() -> None:
        if pending:
            write(pending)
            if stored is not None:
                stored(pending)
            pending.clear()

    for record in records:
        aggregate = UUID(bytes=record.aggregate_id)
        seen = versions.get(record.aggregate_id, 0)
        if seen >= record.version:
            # Only a damaged log has an aggregate's versions out of order; a duplicate
            # is refused here, at its line, rather than by the unique index.
            flush()
            if conn.execute(exists, {"aggregate": aggregate,
                                     "version": record.version}).first() is not None:
                raise bad_line(record.line, _("phiên bản %(version)s của bản ghi "
                                              "%(aggregate)s đã có ở một dòng trước",
                                              version=record.version,
                                              aggregate=record.aggregate_id.hex()))
        versions[record.aggregate_id] = max(seen, record.version)
        pending.append((record.position, aggregate, record.version, record.topic,
                        record.state))
        last = record.position
        if len(pending) >= BATCH:
            flush()
    flush()
    if last is not None and store.is_postgres:
        # The rows came with their ids: the next save continues after the last one.
        conn.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                     {"table": store.events_table.name, "last": last})


def _copy(conn: Connection, name: str) -> Callable[[list[tuple[Any, ...]]], None]:
    statement = f"COPY {name} ({', '.join(COLUMNS)}) FROM STDIN"

    def write(rows: list[tuple[Any, ...]]) -> None:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)

    return write


def _executemany(conn: Connection, table: Any) -> Callable[[list[tuple[Any, ...]]], None]:
    add = insert(table)

    def write(rows: list[tuple[Any, ...]]) -> None:
        conn.execute(add, [dict(zip(COLUMNS, row, strict=True)) for row in rows])

    return write
