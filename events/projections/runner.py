"""Keeping the projections caught up with the log, exactly once.

Every batch is one transaction that (1) locks the projections' position rows, (2)
applies the batch's events to each projection behind them, and (3) moves their
positions. A crash anywhere rolls all three back, so a batch is never half-applied
and never applied twice. Two processes catching up at once take turns: PostgreSQL
by ``SELECT … FOR UPDATE`` on the position rows, SQLite by ``BEGIN IMMEDIATE`` (see
``writing.py``).

SQLite has no subscriptions, so catching up is polling: after every save (read
your writes) and whenever someone asks (``nhiemvu projections …``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Index, bindparam, func, insert, select, type_coerce, update
from sqlalchemy.types import NullType

from events.alerts.feed import AlertFeed
from events.alerts.schedule import AlertSchedule
from events.projections import tables
from events.projections.audit import AuditLog
from events.projections.base import Logged, Projection
from events.projections.decoding import LogDecoder
from events.projections.organisation import Organisation, Plans
from events.projections.tasks import TaskBoard
from events.projections.writing import write_transaction

if TYPE_CHECKING:
    from events.store import Store

P = tables.positions
D = tables.definitions
log = logging.getLogger(__name__)
# Statements built once: building and cache-keying a statement costs about as much
# as running it, and a command's catch-up runs a dozen of them.
_POSITIONS = select(P.c.name, P.c.position).where(P.c.name.in_(bindparam("names", expanding=True)))
_POSITIONS_LOCKED = _POSITIONS.order_by(P.c.name).with_for_update()
_MOVE = (update(P).where(P.c.name.in_(bindparam("names", expanding=True)))
         .values(position=bindparam("last")))
# Rebuilds read the log in larger batches: fewer commits, same guarantees.
REBUILD_BATCH = 20000
# A test hook: seconds to wait inside each batch's transaction before committing,
# so a crash test can kill the process while a batch is half done.
PAUSE_ENV = "NHIEMVU_CATCHUP_PAUSE"


class Projections:
    """All read models of one store: ``catch_up()``, ``rebuild()``, ``status()``."""

    def __init__(self, store: Store, *, batch_size: int = 1000):
        self.store = store
        self.batch_size = batch_size
        self.rebuild_batch_size = max(batch_size, REBUILD_BATCH)
        self.all: list[Projection] = [Organisation(), Plans(), TaskBoard(), AuditLog(),
                                      AlertSchedule(), AlertFeed()]
        self.by_name = {p.name: p for p in self.all}
        self._reads: dict[int, Any] = {}
        self._decode = LogDecoder(store.service.mapper)
        self.create_tables()

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.all]

    @property
    def engine(self) -> Any:
        return self.store.engine

    def create_tables(self) -> None:
        """Create missing read-model tables and position rows (idempotent); rebuild
        any projection whose definition changed since its rows were written."""
        tables.metadata.create_all(self.engine, checkfirst=True)
        with self._write() as conn:
            # A rebuild killed before it put its indexes back leaves them missing.
            self._create_indexes(conn, self._indexes(self.names))
            have = set(conn.execute(select(P.c.name)).scalars())
            missing = [{"name": n, "position": 0} for n in self.names if n not in have]
            if missing:
                conn.execute(insert(P), missing)
            stale = self._follow_definitions(conn)
        if stale:
            self._replay(stale)

    def _follow_definitions(self, conn: Connection) -> list[str]:
        """Reset, in the caller's transaction, each projection whose stored definition
        differs from its current one; return their names.

        The positions are locked first (as a batch does), so when two processes open
        a changed store at once, one resets and the other then finds it current.
        """
        self._lock_positions(conn, self.names)
        stored = dict(conn.execute(select(D.c.name, D.c.definition)).tuples().all())
        stale = []
        for projection in self.all:
            now = projection.definition()
            if projection.name not in stored:
                # First seen (a new projection, or a store from before definitions were
                # recorded): its rows were made by this code as far as anyone knows.
                conn.execute(insert(D).values(name=projection.name, definition=now))
            elif stored[projection.name] != now:
                log.warning("Read model %s: definition changed (%s → %s); rebuilding it.",
                            projection.name, stored[projection.name], now)
                conn.execute(update(D).where(D.c.name == projection.name)
                             .values(definition=now))
                stale.append(projection.name)
        if stale:
            self._reset(conn, stale)
        return stale

    # -- reading the log ---------------------------------------------------------

    def head(self) -> int:
        return self.store.service.recorder.max_notification_id() or 0

    def _read(self, conn: Connection, after: int, limit: int) -> list[Logged]:
        # The recorder's own table, read with Core inside our transaction: the rows
        # ``select_notifications`` returns, without ORM objects, and with the id's
        # raw value (the decoder makes its hex key without building a UUID).
        if limit not in self._reads:
            table = self.store.service.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
            self._reads[limit] = (
                select(table.c.id, type_coerce(table.c.originator_id, NullType()),
                       table.c.originator_version, table.c.topic, table.c.state)
                .where(table.c.id > bindparam("after")).order_by(table.c.id).limit(limit))
        decode = self._decode
        return [decode(*row) for row in conn.execute(self._reads[limit], {"after": after})]

    # -- catching up -------------------------------------------------------------

    def catch_up(self, name: str | None = None) -> int:
        """Apply every event not yet applied; return how many events were read."""
        return self._catch_up(self._chosen(name))

    def _catch_up(self, chosen: list[str], *, analyse: bool = False) -> int:
        """``analyse``: a PostgreSQL rebuild's new tables are analysed after batches
        1, 2, 4, 8… so the planner's statistics keep pace with their growth
        (autovacuum is too late for them: without statistics a lookup by a list of
        ids becomes a scan of the whole table per batch)."""
        total = batches = 0
        while True:
            count = self._batch(chosen)
            total += count
            batches += 1
            if count < self.batch_size:
                return total
            if analyse and batches & (batches - 1) == 0:
                with self.engine.begin() as conn:
                    self._analyse(conn, chosen)

    def _lock_positions(self, conn: Connection, names: list[str]) -> dict[str, int]:
        query = _POSITIONS_LOCKED if self.store.is_postgres else _POSITIONS
        return dict(conn.execute(query, {"names": names}).tuples().all())

    def _batch(self, chosen: list[str]) -> int:
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        with self._write() as conn:
            positions = self._lock_positions(conn, chosen)
            start = min(positions.values())
            events = self._read(conn, start, self.batch_size)
            if not events:
                return 0
            last = events[-1].position
            for name in chosen:
                after = positions[name]
                projection = self.by_name[name]
                mine = [e for e in events if e.position > after and e.area in projection.areas]
                if mine:
                    projection.apply(conn, mine)
            behind = [name for name in chosen if positions[name] < last]
            conn.execute(_MOVE, {"names": behind, "last": last})
            if pause:
                time.sleep(pause)
            return len(events)

    # -- rebuilding --------------------------------------------------------------

    def reset(self, name: str | None = None) -> None:
        """Drop the projection's tables, create them afresh, put it at the log's start.

        Dropping (not deleting rows) also brings a changed table or index definition
        into an existing database.
        """
        with self._write() as conn:
            self._reset(conn, self._chosen(name))

    def _reset(self, conn: Connection, chosen: list[str]) -> None:
        for projection_name in chosen:
            owned = self.by_name[projection_name].tables
            for table in reversed(owned):
                table.drop(conn, checkfirst=True)
            for table in owned:
                table.create(conn)
        conn.execute(update(P).where(P.c.name.in_(chosen)).values(position=0))

    def rebuild(self, name: str | None = None) -> int:
        """Drop and replay one projection (or all); return how many events were read."""
        self.reset(name)
        return self._replay(self._chosen(name))

    def _replay(self, chosen: list[str]) -> int:
        """Catch the just-reset projections up with the whole log, quickly."""
        # Filling tables first and indexing them after is several times faster than
        # keeping a dozen indexes up to date row by row.
        indexes = self._indexes(chosen)
        with self._write() as conn:
            for index in indexes:
                index.drop(conn)
        kept, self.batch_size = self.batch_size, self.rebuild_batch_size
        try:
            return self._catch_up(chosen, analyse=self.store.is_postgres)
        finally:
            self.batch_size = kept
            with self._write() as conn:
                self._create_indexes(conn, indexes)
                if self.store.is_postgres:
                    # Fresh tables have no statistics until autovacuum gets round to
                    # them; without them the planner picks poor plans for a while.
                    self._analyse(conn, chosen)

    def _analyse(self, conn: Connection, names: list[str]) -> None:
        for table in self._tables(names):
            conn.exec_driver_sql(f"ANALYZE {table.name}")

    def _tables(self, names: list[str]) -> list[Any]:
        return [table for name in names for table in self.by_name[name].tables]

    def _indexes(self, names: list[str]) -> list[Index]:
        return [index for name in names for table in self.by_name[name].tables
                for index in sorted(table.indexes, key=lambda i: str(i.name))]

    def _create_indexes(self, conn: Connection, indexes: list[Index]) -> None:
        if self.store.is_postgres:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'index'"
        have = set(conn.exec_driver_sql(query).scalars())
        for index in indexes:
            if index.name not in have:
                index.create(conn)

    def status(self) -> list[dict[str, Any]]:
        head = self.head()
        with self.engine.connect() as conn:
            positions = dict(conn.execute(select(P.c.name, P.c.position)).tuples().all())
            rows = {name: conn.execute(select(func.count()).select_from(
                self.by_name[name].tables[0])).scalar_one() for name in self.names}
        return [{"name": name, "position": positions.get(name, 0), "head": head,
                 "behind": head - positions.get(name, 0), "rows": rows[name]}
                for name in self.names]

    def _chosen(self, name: str | None) -> list[str]:
        if name is None:
            return self.names
        if name not in self.by_name:
            raise KeyError(name)
        return [name]

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as conn:
            yield conn
