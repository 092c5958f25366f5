"""One writer at a time: the transaction every projection batch runs in.

The read models write through an engine of their own (``writer_engine``), whose
connections trade durability for speed once, when opened; the log's stay durable.
PostgreSQL: a plain transaction; the runner locks its position rows with
``SELECT … FOR UPDATE``. SQLite: ``BEGIN IMMEDIATE`` takes the database's single
writer lock before anything is read (a plain ``BEGIN`` reads first and can fail to
upgrade later), retried with a back-off while another process holds it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

_BUSY_RETRIES = 20
_CACHE_KIB = 64 * 1024


def writer_engine(url: str) -> Engine:
    """The read models' own engine on the event store's database: its connections are
    set up for read-model batches once, when opened, so a command's catch-up runs no
    setting statements (the event store's engine keeps its own durability)."""
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        # Atomic, not durable (as for SQLite below): don't wait for the WAL flush.
        settings = ["SET synchronous_commit TO OFF"]
    else:
        settings = [
            # Read models need atomic commits, not durable ones: after a power cut a
            # lost batch is lost with its position and simply applied again. NORMAL
            # skips the fsync per commit (WAL mode).
            "PRAGMA synchronous=NORMAL",
            # Debian builds SQLite with secure_delete on, which zero-fills every page
            # a rebuild's DROP TABLE frees (a fifth of a rebuild). Nothing here needs
            # scrubbing: the event log is append-only and keeps every fact, and the
            # read models hold only copies of it.
            "PRAGMA secure_delete=OFF",
            # Index pages of a province-size board stay in memory while a batch runs.
            f"PRAGMA cache_size=-{_CACHE_KIB}",
        ]

    @event.listens_for(engine, "connect")
    def _set_up(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in settings:
            cursor.execute(statement)
        cursor.close()
        if engine.dialect.name == "postgresql":
            dbapi_connection.commit()

    return engine


@contextmanager
def write_transaction(engine: Engine | Connection) -> Iterator[Connection]:
    """A write transaction on a pooled connection of ``writer_engine``, or on
    ``engine`` itself when it is a connection (a rebuild keeps one for its shadow
    tables)."""
    if isinstance(engine, Connection):
        yield from _on(engine)
        return
    with engine.connect() as conn:
        yield from _on(conn)


def _on(conn: Connection) -> Iterator[Connection]:
    if conn.dialect.name == "postgresql":
        with conn.begin():
            yield conn
        return
    conn.execution_options(isolation_level="AUTOCOMMIT")
    try:
        yield from _immediate(conn)
    finally:
        # Ends SQLAlchemy's own record of a transaction (the driver's is over): a
        # rebuild's connection runs many batches.
        conn.commit()


def _immediate(conn: Connection) -> Iterator[Connection]:
    for attempt in range(_BUSY_RETRIES):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            break
        except OperationalError as error:
            # Another process held the writer lock past SQLite's busy timeout.
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if attempt == _BUSY_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    try:
        yield conn
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")
