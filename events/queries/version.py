"""What the read side shows has a version: the log's head and where each read model
stands in it.

Every query of this package reads the read models (and the interfaces read the
aggregates from the log itself); both change only by events recorded in the log and
applied to the views, which move the head or a projection's position. So
``data_version`` read *before* computing an answer is a key under which the answer
can be kept: a later reader whose key is the same would compute the same answer, and
any write (by this process or another) changes the key of every reader after it.

A rebuild or retry swaps a read model's tables and may leave its position where it
was; what it changes is the parked events it applied, so their count and last
position are part of the version too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String, func, literal, select, union_all

from events.readmodels import tables

if TYPE_CHECKING:
    from events.system import System

P = tables.positions
K = tables.parked

_statements: dict[object, object] = {}


def data_version(store: System) -> tuple[tuple[str, int], ...]:
    """The log's head, each read model's position and the parked events, in one
    query: equal versions mean equal answers from every query of the read side."""
    events = store.events_table
    statement = _statements.get(events)
    if statement is None:
        # Built once per table: building a statement costs about as much as running it.
        statement = union_all(
            select(literal("~head", String), func.coalesce(func.max(events.c.id), 0)),
            select(literal("~parked", String), func.count()).select_from(K),
            select(literal("~parked_last", String),
                   func.coalesce(func.max(K.c.position), 0)),
            select(P.c.name, P.c.position),
        )
        _statements[events] = statement
    with store.engine.connect() as conn:
        rows = conn.execute(statement).tuples().all()
    return tuple(sorted((str(name), int(value)) for name, value in rows))
