"""Keeping the projections caught up with the log, exactly once.

Every batch is one transaction that (1) locks the projections' position rows, (2)
applies the batch's events to each projection behind them, each projection in a
savepoint of its own, parking any event it cannot apply (``parking.py``), and (3)
moves their positions. A crash anywhere rolls all three back, so a batch is never half-applied
and never applied twice. Two processes catching up at once take turns: PostgreSQL
by ``SELECT … FOR UPDATE`` on the position rows, SQLite by ``BEGIN IMMEDIATE`` (see
``writing.py``).

SQLite has no subscriptions, so catching up is polling: after every save (read
your writes) and whenever someone asks (``nhiemvu projections …``).

A command's own batch runs inside the transaction that records its events
(``apply_within``, told by the event store's recorder): the command commits once,
facts and views together, and the views can never be seen behind the facts they
show. If that batch fails for any reason, or the commit does, the recorder writes
the events again alone, and the catch-up after the save applies them as above,
parking what it must: the record never waits on its views.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Index,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from events.log import records
from events.readmodels import tables
from events.readmodels.alert_feed import AlertFeed
from events.readmodels.alert_schedule import AlertSchedule
from events.readmodels.audit import AuditLog
from events.readmodels.board import TaskBoard
from events.readmodels.decoding import LogDecoder
from events.readmodels.organisation import Organisation, Plans
from events.readmodels.parking import apply_isolated, decode_all, is_transient
from events.readmodels.projection import Logged, Projection
from events.readmodels.reports import IssuedReports
from events.readmodels.seal import Seal
from events.readmodels.shadow import ShadowBuild
from events.readmodels.writing import write_transaction
from events.sql import compiled
from events.sql.compiled import on_driver
from events.sql.pipeline import pipelined

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from workflow.application import Workflow

P = tables.positions
D = tables.definitions
K = tables.parked
log = logging.getLogger(__name__)
# Statements built once: building and cache-keying a statement costs about as much
# as running it, and a command's catch-up runs a dozen of them.
_POSITIONS = select(P.c.name, P.c.position).where(P.c.name.in_(bindparam("names", expanding=True)))
_POSITIONS_LOCKED = _POSITIONS.order_by(P.c.name).with_for_update()
# Every position row (a store may keep those of read models no longer defined):
# what a batch of all of them locks, compiled once (``events.sql.compiled``).
_ALL_POSITIONS = select(P.c.name, P.c.position)
_ALL_POSITIONS_LOCKED = _ALL_POSITIONS.order_by(P.c.name).with_for_update()
_MOVE = update(P).where(P.c.name == bindparam("b_name")).values(position=bindparam("last"))
# Rebuilds read the log in larger batches: fewer commits, same guarantees.
REBUILD_BATCH = 20000
# A test hook: seconds to wait inside each batch's transaction before committing,
# so a crash test can kill the process while a batch is half done.
PAUSE_ENV = "NHIEMVU_CATCHUP_PAUSE"


class Projections:
    """All read models of one store: ``catch_up()``, ``rebuild()``, ``status()``."""

    def __init__(self, application: Workflow, engine: Engine, *, batch_size: int = 1000):
        # The application for its recorder (the log's positions and rows) and its
        # mapper (decoding); the engine for the read-model tables beside the log.
        self.application = application
        self._engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self.batch_size = batch_size
        self.rebuild_batch_size = max(batch_size, REBUILD_BATCH)
        self.all: list[Projection] = [Organisation(), Plans(), TaskBoard(), AuditLog(),
                                      AlertSchedule(), AlertFeed(), Seal(), IssuedReports()]
        self.by_name = {p.name: p for p in self.all}
        table = application.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        # The log after a position, a limit's worth: built once, the limit bound.
        self._read_log = (select(*records.columns(table))
                          .where(table.c.id > bindparam("after")).order_by(table.c.id)
                          .limit(bindparam("limit")))
        self._decode = LogDecoder(application.mapper)
        # The last position this thread's save brought every read model to, inside
        # its own transaction (``apply_within``); None when that batch failed.
        self._within = threading.local()
        # The lowest position of the read models, their rows locked on PostgreSQL
        # (SQLite's writer already holds the database): returned by a command's first
        # insert (the recorder's ``alongside``), so its batch need not ask.
        defined = P.c.name.in_([literal(name) for name in self.names])
        # Every one moved to the same position (a command's batch, most catch-ups):
        # one statement, not one per read model.
        self._move_all = update(P).where(defined).values(position=bindparam("last"))
        if self.is_postgres:
            # Locked in the order every batch locks them (by name): no deadlock.
            locked = (select(P.c.position).where(defined).order_by(P.c.name)
                      .with_for_update().subquery())
            self.alongside = select(func.min(locked.c.position)).scalar_subquery()
        else:
            self.alongside = select(func.min(P.c.position)).where(defined).scalar_subquery()
        self.create_tables()

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.all]

    @property
    def engine(self) -> Any:
        return self._engine

    def create_tables(self) -> None:
        """Create missing read-model tables and position rows (idempotent); rebuild
        any projection whose definition changed since its rows were written."""
        tables.metadata.create_all(self.engine, checkfirst=True)
        with self._write() as conn:
            have = set(conn.execute(select(P.c.name)).scalars())
            missing = [{"name": n, "position": 0} for n in self.names if n not in have]
            if missing:
                conn.execute(insert(P), missing)
            stale = self._follow_definitions(conn)
            # Indexes a table gained since it was created. A stale projection's come
            # with its rebuild: until then its table may lack their columns.
            self._create_indexes(conn, self._indexes(
                [n for n in self.names if n not in stale]))
        if stale:
            ShadowBuild(self, stale).run(only_stale=True)
        new = [m["name"] for m in missing if self._is_empty(m["name"])]
        if new and self.head():
            # A read model new to a store that has a log (an upgrade, e.g. the seal):
            # built now, when the process opens the store, in a rebuild's large
            # batches, rather than by whichever command catches up first. (Rows
            # without a position are another matter: the operator rebuilds.)
            self.build(new)

    def _is_empty(self, name: str) -> bool:
        with self.engine.connect() as conn:
            return all(conn.execute(select(table).limit(1)).first() is None
                       for table in self.by_name[name].tables)

    def _follow_definitions(self, conn: Connection) -> list[str]:
        """The projections whose stored definition differs from their current one.

        They keep their rows until the rebuild that this finds necessary swaps in
        new ones, and that swap records the new definition: a rebuild killed half
        way is simply done again at the next start.
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
                stale.append(projection.name)
        return stale

    # -- reading the log ---------------------------------------------------------

    def head(self) -> int:
        return self.application.recorder.max_notification_id() or 0

    def _read(self, conn: Connection, after: int, limit: int) -> list[Logged]:
        # The recorder's own table, read with Core inside our transaction: the rows
        # ``select_notifications`` returns, without ORM objects, and with the id's
        # raw value (the decoder makes its hex key without building a UUID).
        rows = compiled.execute(conn, self._read_log, {"after": after, "limit": limit})
        return decode_all(self._decode, rows.all())

    # -- catching up -------------------------------------------------------------

    def catch_up(self, name: str | None = None) -> int:
        """Apply every event not yet applied; return how many events were read."""
        return self._catch_up(self._chosen(name))

    def apply_within(self, conn: Connection, written: list[tuple[Any, ...]], *,
                     alongside: int | None = None) -> None:
        """Bring every read model up to date in the transaction on ``conn`` that has
        just written ``written``, the log's rows (position, aggregate id, version,
        topic, state; the recorder's ``within``); no rows: that transaction brings
        none up to date. ``alongside``: the lowest of their positions, as the first
        insert read it (``self.alongside``). An error is raised: the recorder writes
        the rows again alone. On PostgreSQL the writes are queued (``pipelined``)
        and answered by the commit, in one round trip."""
        self._within.upto = None
        if not written:
            return
        # On the driver's cursor: SQLAlchemy's execution path was about a quarter of
        # a command's time on SQLite (docs/performance.md).
        with pipelined(conn), on_driver(conn):
            count = self._batch(conn, self.names, self.batch_size, isolated=False,
                                live=True, written=written, lowest=alongside)
        if count < self.batch_size:  # else more are behind: the catch-up reads on
            # Trusted by ``after_save`` only if the commit holds: else the recorder
            # tells again, with no rows, which forgets it.
            self._within.upto = written[-1][0]

    def after_save(self, positions: list[int]) -> None:
        """Told after every save with the positions it wrote: catch up, unless the
        save's own transaction already brought every read model past them."""
        upto, self._within.upto = getattr(self._within, "upto", None), None
        if upto is not None and positions and upto >= max(positions):
            return
        self.catch_up()

    def _catch_up(self, chosen: list[str], conn: Connection | None = None, *,
                  batch_size: int | None = None, analyse: bool = False) -> int:
        """``analyse``: a PostgreSQL rebuild's new tables are analysed after batches
        1, 2, 4, 8… so the planner's statistics keep pace with their growth
        (autovacuum is too late for them: without statistics a lookup by a list of
        ids becomes a scan of the whole table per batch)."""
        size = batch_size or self.batch_size
        total = batches = 0
        while True:
            try:
                with self._write(conn) as tx:
                    count = self._batch(tx, chosen, size, isolated=False,
                                        live=conn is None)
            except Exception as error:
                if is_transient(error):
                    raise
                # An event some projection cannot apply: the batch rolled back whole;
                # apply it again with each projection isolated, parking what fails.
                with self._write(conn) as tx:
                    count = self._batch(tx, chosen, size, live=conn is None)
            total += count
            batches += 1
            if count < size:
                return total
            if analyse and batches & (batches - 1) == 0:
                with self._write(conn) as tx:
                    self._analyse(tx, chosen)

    def build(self, chosen: list[str]) -> int:
        """Catch ``chosen`` up on the live tables as a rebuild fills its shadow: in
        large batches, PostgreSQL's tables analysed as they grow. For read models that
        start from nothing: one new to the store, or every one after an import."""
        return self._catch_up(chosen, batch_size=self.rebuild_batch_size,
                              analyse=self.is_postgres)

    def fill(self, conn: Connection, chosen: list[str], *, rebuilding: bool = True) -> int:
        """Catch ``chosen`` up on ``conn`` (a rebuild's shadow), in large batches."""
        return self._catch_up(chosen, conn, batch_size=self.rebuild_batch_size,
                              analyse=rebuilding and self.is_postgres)

    def fill_in(self, tx: Connection, chosen: list[str]) -> int:
        """Catch ``chosen`` up inside the caller's transaction ``tx``."""
        total = 0
        while count := self._batch(tx, chosen, self.rebuild_batch_size):
            total += count
        return total

    def _lock_positions(self, conn: Connection, names: list[str]) -> dict[str, int]:
        if names == self.names:  # a command's batch, every catch-up: all of them
            query = _ALL_POSITIONS_LOCKED if self.is_postgres else _ALL_POSITIONS
            wanted = set(names)
            return {name: position for name, position in compiled.execute(conn, query, {})
                    if name in wanted}
        query = _POSITIONS_LOCKED if self.is_postgres else _POSITIONS
        return dict(conn.execute(query, {"names": names}).tuples().all())

    def _batch(self, conn: Connection, chosen: list[str], size: int, *,
               isolated: bool = True, live: bool = False,
               written: list[tuple[Any, ...]] | None = None,
               lowest: int | None = None) -> int:
        """One batch in the caller's transaction; return how many events it read.
        ``live``: on the live tables, where projections may trust what they keep in
        memory (``memory.py``); a rebuild's shadow tables never do. ``written``: the
        log's rows this transaction has just written, in position order; ``lowest``:
        every read model's lowest position, read (and locked) in this transaction."""
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        if written and lowest is not None and lowest == written[0][0] - 1:
            # No position exceeds the log's head, just before these rows: the lowest
            # standing there, every one does, and their rows are locked already.
            positions = dict.fromkeys(chosen, lowest)
        else:
            positions = self._lock_positions(conn, chosen)
        start = min(positions.values())
        if written and start == written[0][0] - 1 and len(written) <= size:
            # Every read model stands just before this transaction's rows, and the
            # log's lock (held since they were written) lets no row in after them:
            # what the log holds after ``start`` is exactly ``written``, so it is
            # not read back.
            events = decode_all(self._decode, written)
        else:
            events = self._read(conn, start, size)
        if not events:
            return 0
        last = events[-1].position
        for name in chosen:
            after = positions[name]
            projection = self.by_name[name]
            everything, areas = projection.vouches, projection.areas
            mine = [e for e in events
                    if e.position > after and (everything or e.area in areas)]
            projection.at_position(after)
            projection.recall(after if live else None)
            if mine:
                # Isolated: a projection that fails on an event parks it, and neither
                # it nor the others stop there.
                apply_isolated(conn, projection, mine, isolated=isolated)
        behind = [name for name in chosen if positions[name] < last]
        if len(behind) == len(self.names):
            compiled.execute(conn, self._move_all, {"last": last})
        elif behind:
            compiled.execute(conn, _MOVE, [{"b_name": name, "last": last} for name in behind])
        if live:
            for name in chosen:
                self.by_name[name].settled(last)
        if pause:
            time.sleep(pause)
        return len(events)

    # -- rebuilding --------------------------------------------------------------

    def reset(self, name: str | None = None) -> None:
        """Drop the projection's tables, create them afresh, put it at the log's start.

        Dropping (not deleting rows) also brings a changed table or index definition
        into an existing database. The live views are empty until caught up: what
        operators run is ``rebuild``, which never empties them.
        """
        with self._write() as conn:
            chosen = self._chosen(name)
            for table in reversed(self._tables(chosen)):
                table.drop(conn, checkfirst=True)
            for table in self._tables(chosen):
                table.create(conn)
            conn.execute(update(P).where(P.c.name.in_(chosen)).values(position=0))
            conn.execute(delete(K).where(K.c.projection.in_(chosen)))
        for name in chosen:
            self.by_name[name].at_position(None)

    def rebuild(self, name: str | None = None) -> int:
        """Replay the whole log into new tables for one projection (or all), then swap
        them for the live ones; return how many events were read."""
        return ShadowBuild(self, self._rebuildable(name)).run()

    def retry(self, name: str | None = None) -> dict[str, int]:
        """Apply parked events again, now that their cause is fixed; return, for each
        projection that had some, how many are still parked.

        The projection is rebuilt (beside the live one, then swapped), so a parked
        event is applied in its place in the log and the events after it see its
        effect: applying it alone, late, could leave rows a clean build would not.
        """
        chosen = [n for n, count in self._parked_counts().items()
                  if count and (name is None or n == name)]
        if name is not None:
            self._chosen(name)
        if chosen:
            ShadowBuild(self, chosen).run()
        still = self._parked_counts()
        return {n: still.get(n, 0) for n in chosen}

    def parked(self, name: str | None = None) -> list[dict[str, Any]]:
        """The events set aside, by position: projection, position, topic, error, when."""
        query = select(K).order_by(K.c.position, K.c.projection)
        if name is not None:
            query = query.where(K.c.projection == name)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def _parked_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(K.c.projection, func.count())
                                     .group_by(K.c.projection)).tuples().all())

    def _analyse(self, conn: Connection, names: list[str]) -> None:
        for table in self._tables(names):
            conn.exec_driver_sql(f"ANALYZE {table.name}")

    def _tables(self, names: list[str]) -> list[Any]:
        return [table for name in names for table in self.by_name[name].tables]

    def _indexes(self, names: list[str]) -> list[Index]:
        return [index for name in names for table in self.by_name[name].tables
                for index in sorted(table.indexes, key=lambda i: str(i.name))]

    def _create_indexes(self, conn: Connection, indexes: list[Index]) -> None:
        if self.is_postgres:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'index'"
        have = set(conn.exec_driver_sql(query).scalars())
        for index in indexes:
            if index.name not in have:
                index.create(conn)

    def status(self) -> list[dict[str, Any]]:
        head = self.head()
        parked = self._parked_counts()
        with self.engine.connect() as conn:
            positions = dict(conn.execute(select(P.c.name, P.c.position)).tuples().all())
            rows = {name: conn.execute(select(func.count()).select_from(
                self.by_name[name].tables[0])).scalar_one() for name in self.names}
        return [{"name": name, "position": positions.get(name, 0), "head": head,
                 "behind": head - positions.get(name, 0), "rows": rows[name],
                 "parked": parked.get(name, 0)}
                for name in self.names]

    def _rebuildable(self, name: str | None) -> list[str]:
        # All read models but the seal, unless it is named: see ``Projection.vouches``.
        if name is None:
            return [p.name for p in self.all if not p.vouches]
        return self._chosen(name)

    def _chosen(self, name: str | None) -> list[str]:
        if name is None:
            return self.names
        if name not in self.by_name:
            raise KeyError(name)
        return [name]

    @contextmanager
    def _write(self, conn: Connection | None = None) -> Iterator[Connection]:
        with write_transaction(conn or self.engine) as tx:
            yield tx

    write = _write
