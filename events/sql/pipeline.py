"""PostgreSQL's pipeline mode around a block of writes: no round trip each.

A command's transaction writes its event and a dozen read-model rows to eight
tables; waiting for each statement's answer was most of its time on PostgreSQL
(docs/performance.md, "The command path"). In psycopg's pipeline mode the
statements that answer nothing (INSERT, UPDATE, DELETE without RETURNING, LOCK,
savepoints) are queued; the first statement that answers rows (a SELECT, a
RETURNING) waits for everything queued before it, then runs as usual. So a block
reads what it wrote, in order. An error of a queued write is raised at that point
or when the block ends. Nothing in a pipelined block may read a write's row count.
On SQLite, nothing changes.

May import: nothing of nhiemvu (part of ``events.sql``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.sql.compiler import SQLCompiler

_PIPE = "nhiemvu_pipeline"
_BEFORE_OTHERS = "nhiemvu_before_others"
_WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "ROLLBACK TO", "LOCK")


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, send the block's writes without waiting for each one's answer
    (see above); a block inside another is part of it."""
    if conn.dialect.name != "postgresql" or _PIPE in conn.info:
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


def before(conn: Connection, info: dict[str, Any] | None = None) -> bool:
    """Told before a statement goes to the driver's cursor itself, past SQLAlchemy's
    events (``events.sql.compiled.on_driver``): it is queued. True: in a pipeline,
    where the caller fetches a statement's rows at once, and that fetch waits for
    the statement and all queued before it, in one round trip (SQLAlchemy's own
    statements end the pipeline instead: it reads a result's columns before its
    rows). ``info``: ``conn.info``, if the caller has it at hand."""
    pipe = (conn.info if info is None else info).get(_PIPE)
    if pipe is None:
        return False
    pipe.queue()
    return True


def active(conn: Connection) -> bool:
    """Whether ``conn`` is inside ``pipelined`` on PostgreSQL."""
    return _PIPE in conn.info


def before_others(conn: Connection, told: Any) -> None:
    """Have ``told()`` called before each statement SQLAlchemy sends on ``conn`` in the
    pipeline (None: no longer)."""
    if told is None:
        conn.info.pop(_BEFORE_OTHERS, None)
    else:
        conn.info[_BEFORE_OTHERS] = told


def sync(conn: Connection) -> None:
    """Wait for every write queued so far on ``conn``: an error of one is raised here
    (inside the caller's savepoint, say), not later."""
    pipe = conn.info.get(_PIPE)
    if pipe is not None:
        told = conn.info.get(_BEFORE_OTHERS)
        if told is not None:  # writes held back to go as one (``compiled``) go now
            told()
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
    told = conn.info.get(_BEFORE_OTHERS)
    if told is not None:
        told()
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
    return (statement.lstrip()[:11].upper().startswith(_WRITES)
            and "RETURNING" not in statement.upper())
