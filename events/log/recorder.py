"""The event store's recorder: eventsourcing-sqlalchemy's, its two hot paths in Core.

Same table, same columns, same topics, same locks as the library's recorder
(``SQLAlchemyApplicationRecorder``): only how a command's rows are read and written
changes. The library builds ORM objects and an ORM session for both, and on this
workload they were about half of a command's store time (docs/performance.md, "The
command path"). Here the statements are built once per table and compiled once
(``events.sql.compiled``); an insert is one Connection's transaction with the
library's table lock on PostgreSQL (positions commit in order) and its one writer
per process on SQLite, sent in PostgreSQL's pipeline mode (``events.sql.pipeline``);
a read is one statement, autocommit on PostgreSQL. Driver errors become
``eventsourcing.persistence``'s, as the library maps them.

Two differences of behaviour, both for the command path:

- ``within``, when set, is told inside each insert's transaction, after the rows are
  written, with the connection and those rows as the log holds them (position,
  aggregate id, version, topic, state): the composition root brings the read models
  up to date there (``Projections.apply_within``), so a command commits once, its
  facts and their views together, instead of twice. If that fails, or the commit
  after it does, the rows are written again alone, in a new transaction where
  ``within`` is told no rows: the record never waits on its views;
- no ``NOTIFY`` after an insert on PostgreSQL: it serves the library's LISTEN-based
  subscriptions, which nothing here uses (read models catch up by position), and it
  cost a round trip per command.

``PERSISTENCE_MODULE=events.log.recorder:Factory`` selects it (``events.system``); a store
written by either recorder is read by the other.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing import persistence
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    exc,
    exists,
    insert,
    select,
    union_all,
)

from events.log import records
from events.sql import compiled
from events.sql.compiled import transaction
from workflow.errors import StaleRecords

log = logging.getLogger(__name__)


class CoreApplicationRecorder(SQLAlchemyApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Told in each insert's transaction: (its connection, the rows written, and
        # what ``alongside`` gave). ``alongside``: an expression the transaction's
        # first insert also returns (the read models' positions, locked), so that
        # ``within`` need not ask for it in a statement of its own.
        self.within: Callable[..., None] | None = None
        self.alongside: Any = None
        table = self.events_record_cls.__table__  # type: ignore[attr-defined]
        # What a stored event is made of, in this order, in every statement below.
        self._columns = columns = (table.c.originator_id, table.c.originator_version,
                                   table.c.topic, table.c.state)
        by_id = select(*columns).where(table.c.originator_id == bindparam("id"))
        version = table.c.originator_version
        # The four shapes a repository asks for, each built and cache-keyed once.
        self._select = {
            (False, False): by_id.order_by(version),
            (True, False): by_id.where(version > bindparam("gt")).order_by(version),
            (False, True): by_id.where(version <= bindparam("lte")).order_by(version),
            (True, True): by_id.where(version > bindparam("gt"),
                                      version <= bindparam("lte")).order_by(version),
        }
        self._insert = (insert(table).values({c: bindparam(c.name) for c in columns})
                        .returning(table.c.id))
        self._firsts: dict[tuple[int, bool], Any] = {}
        # Catch-up by position needs positions committed in the order given: the
        # library's table lock on PostgreSQL, kept as it is.
        self._postgres = self._engine.dialect.name == "postgresql"
        self._lock_sql = f"LOCK TABLE {table.fullname} IN EXCLUSIVE MODE"
        # Reads are single statements: on PostgreSQL no transaction to begin and end
        # around them. SQLite's driver begins none for a SELECT anyway, and switching
        # the connection to autocommit and back cost as much as the query.
        self._reads = (self._engine.execution_options(isolation_level="AUTOCOMMIT")
                       if self._postgres else self._engine)
        # What ``reading_ahead`` read, per thread: {(id, version after): events}; and
        # what it trusted unread, {id: version}, for the next insert to check.
        self._ahead = threading.local()
        self._ahead_queries: dict[int, Any] = {}

    @property
    def _engine(self) -> Engine:
        engine = self.datastore.engine
        assert isinstance(engine, Engine)
        return engine

    def select_events(self, originator_id: UUID | str, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> list[StoredEvent]:
        if desc or limit is not None or self._library_transactions:
            # Not asked for by a repository of events (snapshots have their own
            # recorder): the library's query serves these.
            return super().select_events(originator_id, gt, lte, desc, limit)
        ahead = getattr(self._ahead, "found", None)
        if ahead and lte is None:
            found = ahead.pop((originator_id, gt), None)
            if found is not None:  # read a moment ago by ``reading_ahead``, with others
                return found
        query = self._select[gt is not None, lte is not None]
        # One statement on a pooled connection, no ORM session around it: on
        # PostgreSQL that is one round trip where BEGIN, SELECT, ROLLBACK were three.
        with _persistence_errors(), self._reads.connect() as conn:
            rows = compiled.execute(conn, query, {"id": originator_id, "gt": gt,
                                                  "lte": lte}).all()
        # The driver's values, not SQLAlchemy's types: the id asked for is every
        # row's (SQLite gives its 16 bytes).
        return [StoredEvent(originator_id=originator_id, originator_version=row[1],
                            topic=row[2], state=bytes(row[3])) for row in rows]

    @contextmanager
    def reading_ahead(self, wanted: dict[UUID, int], *, trust: bool = False) -> Iterator[None]:
        """Read, in one statement, the events after each given version of each
        aggregate (``{id: version}``): inside, the first ``select_events`` of each
        after that version is answered from them, as read then. A command's two
        reads (the person acting, the task) thus cost one round trip.

        ``trust``: read nothing; each is answered "no events since" and the block's
        next insert checks that, in its own statement, under the log's lock: if any
        of them has an event after its version, it inserts nothing and raises
        ``StaleRecords`` (the caller runs the command again, reading). A command on
        records nobody else changed thus reads nothing from the log."""
        if trust and not self._library_transactions:  # (their inserts are the library's)
            self._ahead.found = {(aggregate_id, version): []
                                 for aggregate_id, version in wanted.items()}
            self._ahead.trusted = dict(wanted)
        else:
            self._ahead.found = self._read_ahead(wanted)
        try:
            yield
        finally:
            self._ahead.found = self._ahead.trusted = None

    def _read_ahead(self, wanted: dict[UUID, int]) -> dict[tuple[UUID, int], list[StoredEvent]]:
        query = self._ahead_query(len(wanted))
        params: dict[str, Any] = {}
        for n, (aggregate_id, version) in enumerate(wanted.items()):
            params[f"id{n}"], params[f"gt{n}"] = aggregate_id, version
        with _persistence_errors(), self._reads.connect() as conn:
            rows = compiled.execute(conn, query, params).all()
        by_bytes = {records.id_bytes(aggregate_id): aggregate_id for aggregate_id in wanted}
        found: dict[UUID, list[StoredEvent]] = {aggregate_id: [] for aggregate_id in wanted}
        for row in rows:  # in version order: the query's
            aggregate_id = by_bytes[records.id_bytes(row[0])]
            found[aggregate_id].append(StoredEvent(
                originator_id=aggregate_id, originator_version=row[1], topic=row[2],
                state=bytes(row[3])))
        return {(aggregate_id, wanted[aggregate_id]): events
                for aggregate_id, events in found.items()}

    def _ahead_query(self, count: int) -> Any:
        query = self._ahead_queries.get(count)
        if query is None:
            table = self.events_record_cls.__table__  # type: ignore[attr-defined]
            columns = self._columns
            # One indexed range per aggregate (the primary key), joined.
            query = union_all(*(
                select(*columns).where(table.c.originator_id == bindparam(f"id{n}"),
                                       table.c.originator_version > bindparam(f"gt{n}"))
                for n in range(count))).order_by(table.c.originator_version)
            self._ahead_queries[count] = query
        return query

    def _first_insert(self, guarded: int, alongside: bool) -> Any:
        """A transaction's first insert: only if none of ``guarded`` aggregates has an
        event after the version given for it (``g{n}``, ``v{n}``; one indexed probe
        each, in the insert's own statement); returning ``alongside`` too if asked."""
        key = (guarded, alongside)
        query = self._firsts.get(key)
        if query is None:
            table = self.events_record_cls.__table__  # type: ignore[attr-defined]
            columns = self._columns
            if guarded:
                unchanged = [~exists().where(table.c.originator_id == bindparam(f"g{n}"),
                                             table.c.originator_version > bindparam(f"v{n}"))
                             for n in range(guarded)]
                row = select(*(bindparam(c.name, type_=c.type) for c in columns)
                             ).where(*unchanged)
                query = insert(table).from_select([c.name for c in columns], row)
            else:
                query = insert(table).values({c: bindparam(c.name) for c in columns})
            query = query.returning(table.c.id, *([self.alongside] if alongside else []))
            self._firsts[key] = query
        return query

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any,
                      ) -> Sequence[int] | None:
        if self._library_transactions or kwargs.get("session") is not None:
            return super().insert_events(stored_events, **kwargs)
        # The library's own transaction, on a Connection rather than an ORM session:
        # the same BEGIN, table lock and COMMIT, and its one writer per process on
        # SQLite (``write_lock``), without the session's unit of work.
        lock = self.datastore.write_lock
        if lock is not None:
            lock.acquire()
        # Records trusted unread (``reading_ahead``): checked by the first insert, in
        # a retry too. Once this insert holds, later ones in the block are plain.
        guard = getattr(self._ahead, "trusted", None)
        try:
            written: list[int] = []
            try:
                ids = self._transaction(stored_events, written, guard,
                                        views=self.within is not None)
                self._ahead.trusted = None
                return ids
            except StaleRecords:
                raise
            except Exception as error:
                if not written and (self.alongside is None
                                    or isinstance(error, persistence.IntegrityError)):
                    raise  # the rows themselves were refused (a conflict, the database)
                # Written, then the views or the commit failed, or what the first
                # insert returns alongside the rows (the views' positions) could not
                # be read: nothing of it stands.
                # The rows alone, in a transaction of their own; the catch-up after
                # the save applies them to the views, parking what it must.
                log.debug("Events recorded without their views; the catch-up after the "
                          "save applies them.", exc_info=True)
            ids = self._transaction(stored_events, [], guard, views=False)
            self._ahead.trusted = None
            return ids
        finally:
            if lock is not None:
                lock.release()

    def _transaction(self, stored_events: Sequence[StoredEvent], written: list[int],
                     guard: dict[UUID, int] | None, *, views: bool) -> list[int]:
        # On PostgreSQL (``compiled.transaction``) the BEGIN, the table lock and the
        # insert go in one round trip, the views' writes and the COMMIT in another,
        # and an error of any of them is raised by it.
        with _persistence_errors(), self._engine.connect() as conn, transaction(conn):
            if self.within is not None and not views:
                # Told first, with no rows: nothing here brings the views up to date,
                # whatever an attempt before this one said.
                self.within(conn, [])
            also = views and self.alongside is not None
            ids, alongside = self._write(conn, stored_events, guard, alongside=also)
            written.extend(ids)
            if self.within is not None and views:
                self.within(conn, [(position, e.originator_id, e.originator_version,
                                    e.topic, e.state)
                                   for position, e in zip(ids, stored_events, strict=True)],
                            alongside=alongside)
            return ids

    def _insert_stored_events(self, session: Any, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> Sequence[int]:
        # The library's own transaction (see ``_library_transactions``): the rows
        # alone; the catch-up after the save brings the views up to date.
        if self.within is not None:
            self.within(session.connection(), [])
        return self._write(session.connection(), stored_events)[0]

    def _write(self, conn: Connection, stored_events: Sequence[StoredEvent],
               guard: dict[UUID, int] | None = None, *,
               alongside: bool = False) -> tuple[list[int], Any]:
        """The rows, one at a time, each giving its position back, in the order given;
        and what the first also returned (``alongside``)."""
        if self._postgres:
            compiled.send(conn, self._lock_sql, None, answers_nothing=True)
        guard = guard or {}
        ids: list[int] = []
        also = None
        for e in stored_events:
            row = {"originator_id": e.originator_id,
                   "originator_version": e.originator_version, "topic": e.topic,
                   "state": e.state}
            if ids or not (guard or alongside):
                ids.append(compiled.execute(conn, self._insert, row).scalar_one())
                continue
            for n, (aggregate_id, version) in enumerate(guard.items()):
                row[f"g{n}"], row[f"v{n}"] = aggregate_id, version
            found = compiled.execute(conn, self._first_insert(len(guard), alongside),
                                     row).first()
            if found is None:  # a record trusted unread had changed: nothing written
                raise StaleRecords(sorted(str(key) for key in guard))
            ids.append(found[0])
            also = found[1] if alongside else None
        return ids, also

    @property
    def _library_transactions(self) -> bool:
        # An in-memory SQLite database or a scoped session given by a caller: the
        # library's transactions know how to share them; none is used here.
        return self.datastore.access_lock is not None or self.datastore.scoped_session is not None


@contextmanager
def _persistence_errors() -> Iterator[None]:
    """The driver's errors as ``eventsourcing.persistence``'s, as the library's
    transaction maps them (the service catches its ``IntegrityError``)."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        for sqlalchemy_error, ours in _ERRORS:
            if isinstance(error, sqlalchemy_error):
                raise ours(error) from error
        raise persistence.PersistenceError(error) from error
    except (sqlite3.Error, psycopg.Error) as error:
        # Sent on the driver's cursor (``compiled.on_driver``): the driver's own, by
        # the names every DB-API driver gives them.
        for name, ours in _DRIVER_ERRORS:
            if any(kind.__name__ == name for kind in type(error).__mro__):
                raise ours(error) from error
        raise persistence.PersistenceError(error) from error


_ERRORS = (
    (exc.InterfaceError, persistence.InterfaceError),
    (exc.DataError, persistence.DataError),
    (exc.OperationalError, persistence.OperationalError),
    (exc.IntegrityError, persistence.IntegrityError),
    (exc.InternalError, persistence.InternalError),
    (exc.ProgrammingError, persistence.ProgrammingError),
    (exc.NotSupportedError, persistence.NotSupportedError),
    (exc.DatabaseError, persistence.DatabaseError),
)


_DRIVER_ERRORS = tuple((sqlalchemy_error.__name__, ours) for sqlalchemy_error, ours in _ERRORS)


class Factory(SQLAlchemyFactory):
    application_recorder_class = CoreApplicationRecorder
