"""The event store's recorder: eventsourcing-sqlalchemy's, its two hot paths in Core.

Same table, same columns, same topics, same transactions and locks as the library's
recorder (``SQLAlchemyApplicationRecorder``): only how a command's rows are read and
written changes. The library builds ORM objects for both, and on this workload the
ORM's unit of work and identity map were about half of a command's store time
(docs/performance.md, "The command path"). Here the statements are built once per
table and run on the library's own transaction's connection, so commits, the
PostgreSQL table lock that keeps positions in commit order, and the mapping of
driver errors to ``eventsourcing.persistence`` errors are the library's, unchanged.

``PERSISTENCE_MODULE=events.log.recorder:Factory`` selects it (``events.system``); a store
written by either recorder is read by the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session


class CoreApplicationRecorder(SQLAlchemyApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        table = self.events_record_cls.__table__  # type: ignore[attr-defined]
        columns = (table.c.originator_id, table.c.originator_version, table.c.topic,
                   table.c.state)
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
        self._insert = insert(table).returning(table.c.id, sort_by_parameter_order=True)

    def select_events(self, originator_id: UUID | str, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> list[StoredEvent]:
        if desc or limit is not None:
            # Not asked for by a repository of events (snapshots have their own
            # recorder): the library's query serves these.
            return super().select_events(originator_id, gt, lte, desc, limit)
        query = self._select[gt is not None, lte is not None]
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(
                query, {"id": originator_id, "gt": gt, "lte": lte}).all()
        return [StoredEvent(originator_id=row[0], originator_version=row[1],
                            topic=row[2], state=bytes(row[3])) for row in rows]

    def _insert_stored_events(self, session: Session, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> Sequence[int]:
        self._lock_table(session)
        rows = [{"originator_id": e.originator_id, "originator_version": e.originator_version,
                 "topic": e.topic, "state": e.state} for e in stored_events]
        ids = session.connection().execute(self._insert, rows).scalars().all()
        self._notify_channel(session)
        return list(ids)


class Factory(SQLAlchemyFactory):
    application_recorder_class = CoreApplicationRecorder
