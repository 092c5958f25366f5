"""The read models as of a log position, on connections of their own, and the few a
process keeps between requests.

``materialised(engine, position)`` is a connection whose temporary tables hold the
read models as they stood after the event at ``position`` (``versions.materialise``);
it never goes back to the pool. ``Pasts`` keeps a few of them open, so that someone
clicking through the plan as of one instant pays for that past once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from events.readmodels.versions import materialise


def materialised(engine: Engine, position: int) -> Connection:
    """A connection of its own with the read models as of ``position`` in its
    temporary tables (``versions.materialise``); give it back with ``discard``."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        # One snapshot for every statement of it: a command committing meanwhile must
        # not be half in the past (the board is read in two parts, then its totals).
        # SQLite's transaction reads one snapshot already.
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    try:
        materialise(conn, position)
        # Committed, so that no transaction stays open on the live tables while the
        # past is kept (SQLite's log could not be checkpointed past it); temporary
        # tables outlive the transaction that made them.
        conn.commit()
    except BaseException:
        discard(conn)
        raise
    return conn


def discard(conn: Connection) -> None:
    # Never back in the pool: its temporary tables hide the live ones.
    conn.invalidate()
    conn.close()


class Pasts:
    """The pasts one process keeps between requests: someone looking at the plan as
    of an instant clicks through its pages (the list, its next page, a task, back),
    and each would cost a past of its own (a second or so at a province's size).

    At most ``keep`` positions, each on a connection of its own, the least recently
    used given up first, and any left unused for ``idle_seconds``. A past at a
    position never goes stale: its versions are appended once and never change. One
    request at a time reads a kept past (its connection is not shared); the others
    wait for it, as they would wait for the database."""

    def __init__(self, engine: Engine, *, keep: int = 2, idle_seconds: float = 300.0):
        self.engine = engine
        self.keep = keep
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._kept: OrderedDict[int, _Kept] = OrderedDict()

    @contextmanager
    def at(self, position: int) -> Iterator[Connection]:
        entry = self._entry(position)
        with entry.lock:
            if entry.closed:  # given up between being found and being locked
                conn = materialised(self.engine, position)
                try:
                    yield conn
                finally:
                    discard(conn)
                return
            if entry.conn is None:  # made by the first to ask, while the others wait
                entry.conn = materialised(self.engine, position)
            try:
                yield entry.conn
            finally:
                entry.conn.rollback()  # no read transaction left open between requests
                entry.used = time.monotonic()

    def _entry(self, position: int) -> _Kept:
        with self._lock:
            now = time.monotonic()
            entry = self._kept.pop(position, None) or _Kept()
            given_up = [e for e in self._kept.values() if now - e.used > self.idle_seconds]
            self._kept = OrderedDict((p, e) for p, e in self._kept.items()
                                     if e not in given_up)
            self._kept[position] = entry  # the most recently used last
            while len(self._kept) > self.keep:
                given_up.append(self._kept.popitem(last=False)[1])
        for old in given_up:
            old.close()
        return entry

    def close(self) -> None:
        with self._lock:
            kept, self._kept = list(self._kept.values()), OrderedDict()
        for entry in kept:
            entry.close()


class _Kept:
    """One kept past: its connection (made on first use) and who may read it now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.conn: Connection | None = None
        self.used = time.monotonic()
        self.closed = False

    def close(self) -> None:
        with self.lock:  # after whoever reads it now
            self.closed = True
            if self.conn is not None:
                discard(self.conn)
                self.conn = None
