"""One writer at a time: the transaction every projection batch runs in.

PostgreSQL: a plain transaction; the runner locks its position rows with
``SELECT … FOR UPDATE``. SQLite: ``BEGIN IMMEDIATE`` takes the database's single
writer lock before anything is read (a plain ``BEGIN`` reads first and can fail to
upgrade later), retried with a back-off while another process holds it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

_BUSY_RETRIES = 20
_CACHE_KIB = 64 * 1024
# Set once on each pooled connection the read models use (``info`` lives as long as
# the driver's connection): the event store's setting it restores afterwards.
_DURABILITY = "nhiemvu_synchronous"


@contextmanager
def write_transaction(engine: Engine | Connection) -> Iterator[Connection]:
    """A write transaction on a pooled connection, or on ``engine`` itself when it is
    a connection (a rebuild keeps one connection for its shadow tables)."""
    if isinstance(engine, Connection):
        yield from _on(engine)
        return
    with engine.connect() as conn:
        yield from _on(conn)


def _on(conn: Connection) -> Iterator[Connection]:
    if conn.dialect.name == "postgresql":
        with conn.begin():
            # Atomic, not durable (as for SQLite below): don't wait for the WAL flush.
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield conn
        return
    conn.execution_options(isolation_level="AUTOCOMMIT")
    info = conn.connection.info
    if _DURABILITY not in info:
        info[_DURABILITY] = int(conn.exec_driver_sql("PRAGMA synchronous").scalar())
        # Debian builds SQLite with secure_delete on, which zero-fills every page
        # a rebuild's DROP TABLE frees (a fifth of a rebuild). Nothing here needs
        # scrubbing: the event log is append-only and keeps every fact, and the
        # read models hold only copies of it.
        conn.exec_driver_sql("PRAGMA secure_delete=OFF")
        # Index pages of a province-size board stay in memory while a batch runs.
        conn.exec_driver_sql(f"PRAGMA cache_size=-{_CACHE_KIB}")
    # Read models need atomic commits, not durable ones: after a power cut a lost
    # batch is lost with its position and simply applied again. NORMAL skips the
    # fsync per commit (WAL mode); the event store's writes keep their setting.
    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
    try:
        yield from _immediate(conn)
    finally:
        conn.exec_driver_sql(f"PRAGMA synchronous={info[_DURABILITY]}")
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
