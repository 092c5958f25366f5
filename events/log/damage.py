"""Where a stored history is damaged: the position of its first bad row.

The workflow turns a failed replay into ``record_damaged``; this module tells it
which row of the events table to look at (its notification id, the position the
audit log and the read models show), reading the aggregate's rows one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

if TYPE_CHECKING:
    from workflow.application import Workflow


def first_damaged_position(service: Workflow, originator_id: UUID) -> int | None:
    """The notification id of the aggregate's first event that does not replay: the
    first after a gap in the versions, the first that does not decode (state or
    topic), or the first its aggregate cannot apply. None when the whole history
    replays from its first event (the damage is elsewhere, e.g. in a snapshot)."""
    table = service.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (select(table.c.id, table.c.originator_version, table.c.topic, table.c.state)
             .where(table.c.originator_id == originator_id)
             .order_by(table.c.originator_version))
    engine = service.recorder.datastore.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    aggregate: Any = None
    for expected, (position, version, topic, state) in enumerate(rows, start=1):
        if version != expected:
            return position
        try:
            event: Any = service.mapper.to_domain_event(StoredEvent(
                originator_id=originator_id, originator_version=version, topic=topic,
                state=bytes(state)))
            aggregate = event.mutate(aggregate)
        except Exception:  # noqa: BLE001 - whatever decoding or applying raises, this row is bad
            return position
    return None
