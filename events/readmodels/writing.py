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
from sqlalchemy.sql.compiler import SQLCompiler

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


# -- PostgreSQL: a batch's writes without a round trip each -----------------------

_PIPE = "nhiemvu_pipeline"
_WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE")


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, send the block's writes without waiting for each one's answer.

    A command's batch writes a dozen rows to eight tables; waiting for each answer
    was most of its time on PostgreSQL (docs/performance.md). In psycopg's pipeline
    mode the statements that answer nothing (INSERT, UPDATE, DELETE without
    RETURNING, savepoints) are queued; the first statement that answers rows (a
    SELECT, a RETURNING) waits for everything queued before it and runs as usual.
    So the block reads what it wrote, in order. An error of a queued write is raised
    at that point or when the block ends: the caller's savepoint rolls the block
    back either way. Nothing in a pipelined block may read a write's row count.
    On SQLite, nothing changes.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    if not event.contains(conn.engine, "before_cursor_execute", _queue_or_wait):
        event.listen(conn.engine, "before_cursor_execute", _queue_or_wait)
    pipe = _Pipe(conn.connection.driver_connection)
    conn.info[_PIPE] = pipe
    try:
        yield
    except BaseException:
        del conn.info[_PIPE]
        pipe.end(quietly=True)
        raise
    del conn.info[_PIPE]
    pipe.end()


class _Pipe:
    def __init__(self, driver_connection: Any):
        self.driver_connection = driver_connection
        self.open: Any = None

    def queue(self) -> None:
        if self.open is None:
            self.open = self.driver_connection.pipeline()
            self.open.__enter__()

    def end(self, *, quietly: bool = False) -> None:
        if self.open is None:
            return
        pipeline, self.open = self.open, None
        try:
            pipeline.__exit__(None, None, None)  # waits for every queued answer
        except Exception:
            if not quietly:  # else the block's own error is the one to tell
                raise


def _queue_or_wait(conn: Connection, _cursor: Any, statement: str, _parameters: Any,
                   context: Any, _executemany: bool) -> None:
    pipe = conn.info.get(_PIPE)
    if pipe is None:
        return
    if _answers_nothing(statement, context):
        pipe.queue()
    else:
        pipe.end()


def _answers_nothing(statement: str, context: Any) -> bool:
    compiled = getattr(context, "compiled", None)
    if isinstance(compiled, SQLCompiler) and (
            compiled.isinsert or compiled.isupdate or compiled.isdelete):
        return not compiled.effective_returning
    if compiled is not None:
        return False
    return (statement.lstrip()[:9].upper().startswith(_WRITES)
            and "RETURNING" not in statement.upper())
