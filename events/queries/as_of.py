"""The read models as they stood at an instant: the same queries, asked of the past.

``as_of(store, instant)`` (or ``at_position``) opens one connection and fills
temporary tables named like the live ones (``rm_task``, its running totals, units,
users, plans, and a view of the audit log up to the position) from the versions the
projections keep (``events/readmodels/versions.py``). Both SQLite and PostgreSQL
look a table name up in the connection's temporary schema first, so every query in
this package, given the returned ``Past`` in place of the store, reads the past
unchanged: one set of queries answers now and then, which is what makes an as-of
view exactly what the live view showed (docs/read-models.md, "As of an instant").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from events.queries.reading import store_time
from events.readmodels import tables
from events.readmodels.pasts import discard, materialised
from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError

if TYPE_CHECKING:
    from events.system import System

A = tables.audit


def version_at(past: Past, aggregate_id: str) -> int | None:
    """The version ``aggregate_id`` (32 hex digits) had in ``past`` (None: not yet
    recorded), from the audit log up to the past's position."""
    with past.engine.connect() as conn:
        found = conn.execute(select(func.max(A.c.version))
                             .where(A.c.aggregate_id == aggregate_id)).scalar()
    return None if found is None else int(found)


def position_at(store: System, instant: datetime) -> int:
    """The log position of the last event recorded at or before ``instant`` (0: none)."""
    moment = store_time(store, instant)
    with store.engine.connect() as conn:
        found = conn.execute(select(A.c.position).where(A.c.at <= moment)
                             .order_by(A.c.at.desc(), A.c.position.desc()).limit(1)).scalar()
    return int(found or 0)


class _OneConnection:
    """Stands in for the engine: every ``connect()`` is the one prepared connection."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dialect = conn.dialect

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self.conn


@dataclass
class Past:
    """What the queries take in place of the ``System``: the read models at ``position``,
    graded for ``today`` (the Vietnam date of ``instant``)."""

    store: Any
    instant: datetime
    position: int
    engine: Any

    @property
    def today(self) -> date:
        return self.instant.astimezone(LOCAL_TZ).date()

    @property
    def is_postgres(self) -> bool:
        return self.store.is_postgres

    @property
    def service(self) -> Any:
        return self.store.service

    def clock(self) -> datetime:
        return self.instant


@contextmanager
def as_of(store: System, instant: datetime) -> Iterator[Past]:
    """The read models as they stood at ``instant`` (aware; the last event recorded at
    or before it and everything before that). A moment still to come is refused:
    its numbers are not known yet."""
    instant = instant.astimezone(UTC)
    clock = getattr(store.service, "clock", None)
    if instant > (clock() if clock else datetime.now(UTC)):
        raise DomainError("instant_in_future", moment=instant.astimezone(LOCAL_TZ)
                          .strftime("%d/%m/%Y %H:%M"))
    with at_position(store, position_at(store, instant), instant) as past:
        yield past


@contextmanager
def at_position(store: System, position: int, instant: datetime) -> Iterator[Past]:
    """The read models after the event at ``position`` (0: before the first), graded
    for the Vietnam date of ``instant``: how an issued report is read again.

    Through the store's ``pasts`` (``events/readmodels/pasts.py``) when it keeps
    some, else made for this call alone and discarded after it."""
    kept = getattr(store, "pasts", None)
    if kept is not None:
        with kept.at(position) as conn:
            yield Past(store, instant.astimezone(UTC), position, _OneConnection(conn))
        return
    conn = materialised(store.engine, position)
    try:
        yield Past(store, instant.astimezone(UTC), position, _OneConnection(conn))
    finally:
        discard(conn)
