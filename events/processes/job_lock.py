"""One scheduler job at a time across every process and host that shares the store.

Every ``serve`` worker runs the scheduler, so each job fires in every process. The
jobs are already safe to overlap (an alert, a checkpoint, a mail's claim each has an
identity the store records once), but N processes doing the same sweep N times at
the same minute is waste, and a busy PostgreSQL serialises their writes anyway.

``exclusive(engine, name)`` yields True to the one process that holds job ``name``
and False to every other, which skips this run: the holder is doing the work, and
the next run comes soon.

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection
  held for the job. The server drops it with the session, so a killed process never
  leaves it held.
- SQLite: a lease row in ``job_locks`` (name, holder, until), taken by one upsert
  that only replaces a lease run out, and deleted by its holder after the job. A
  killed holder's lease runs out after ``lease``; a job that runs longer than its
  lease may meet a second run, which the jobs' own idempotence makes harmless.

``claim(engine, name, keep)`` takes a lease and keeps it (on both databases): for
what must happen once in a period whoever comes first, like the auditors' morning
mail, which has no record of its own to be claimed by.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy.exc
from sqlalchemy import Column, Float, MetaData, String, Table, delete, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

log = logging.getLogger("nhiemvu.alerts")

# Longer than any job has been measured to run (a sweep of 100,000 tasks takes
# seconds, docs/performance.md), short enough that a killed holder is soon forgotten.
LEASE = timedelta(minutes=30)

_metadata = MetaData()
# Its own table, not among the read models': it is no view of the log, and a rebuild
# of the read models must not drop a lease that another process holds.
job_locks = Table(
    "job_locks", _metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),
    # Seconds since the epoch, the real time of the machines (never a store's
    # injected clock): leases are between processes, not about the record.
    Column("until", Float, nullable=False),
)
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


@contextmanager
def exclusive(engine: Engine, name: str, *, lease: timedelta = LEASE) -> Iterator[bool]:
    """Yield whether this process now holds job ``name``; release it after."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name) as held:
            yield held
        return
    holder = _holder()
    held = take(engine, name, holder, lease)
    try:
        yield held
    finally:
        if held:
            release(engine, name, holder)


def claim(engine: Engine, name: str, keep: timedelta) -> str | None:
    """Take the lease on ``name`` for ``keep`` and keep it; return its holder id (to
    give it back with ``release`` if the work could not be done), or None when
    another process has it. Leases run out long ago are deleted on the way."""
    holder = _holder()
    if not take(engine, name, holder, keep):
        return None
    with engine.begin() as conn:
        conn.execute(delete(job_locks).where(job_locks.c.until < time.time() - 86400))
    return holder


def take(engine: Engine, name: str, holder: str, lease: timedelta) -> bool:
    """Take the lease on ``name`` for ``holder`` unless another's has not run out."""
    _ensure_table(engine)
    now = time.time()
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(job_locks).values(name=name, holder=holder,
                                              until=now + lease.total_seconds())
    # One statement: whoever's write lands first holds it; an unexpired lease stays.
    upsert = insert.on_conflict_do_update(
        index_elements=[job_locks.c.name],
        set_={"holder": insert.excluded.holder, "until": insert.excluded.until},
        where=job_locks.c.until < now)
    with engine.begin() as conn:
        conn.execute(upsert)
        current = conn.execute(select(job_locks.c.holder)
                               .where(job_locks.c.name == name)).scalar_one()
    return current == holder


def release(engine: Engine, name: str, holder: str) -> None:
    """Give the lease back, only if it is still ``holder``'s (it may have run out and
    been taken since)."""
    with engine.begin() as conn:
        conn.execute(delete(job_locks).where(job_locks.c.name == name,
                                             job_locks.c.holder == holder))


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[bool]:
    key = advisory_key(name)
    conn = engine.connect()
    try:
        held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                 {"key": key}).scalar_one())
        conn.commit()  # the lock is the session's, not the transaction's
        try:
            yield held
        finally:
            if held:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
                except sqlalchemy.exc.SQLAlchemyError:
                    # Back in the pool it would keep the lock: end its session instead.
                    conn.invalidate()
                    log.warning("job %s: could not release its lock; connection dropped",
                                name)
    finally:
        conn.close()


def advisory_key(name: str) -> int:
    """The 64-bit advisory lock key of job ``name`` (signed, as PostgreSQL's bigint)."""
    digest = hashlib.blake2b(f"nhiemvu.job:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _holder() -> str:
    # Which machine and process, for whoever reads the table; unique per taking so
    # a release never gives back another taking's lease.
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _ensure_table(engine: Engine) -> None:
    if engine in _ready:
        return
    try:
        _metadata.create_all(engine, checkfirst=True)
    except sqlalchemy.exc.DBAPIError:
        # Another process created it at the same moment (PostgreSQL says so with a
        # unique violation on its catalogue): fine if it is there now.
        if not inspect(engine).has_table(job_locks.name):
            raise
    _ready.add(engine)
