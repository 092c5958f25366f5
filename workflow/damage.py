"""Damaged stored histories: what replaying one raises, turned into a ``DomainError``.

Stored events are facts and are never re-checked, but the rows that hold them can be
damaged behind the application's back (a restore gone wrong, a hand edit): a gap in
the versions, a state that no longer decodes, a topic no class answers to. Loading
such an aggregate names the record and, when the store can tell, the position of the
first damaged row, instead of failing with a traceback or pretending it is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import TopicError

from workflow.errors import DomainError

# What the library raises on replay (a version gap, an undecodable state), what topic
# resolution raises, and what an event body the class does not fit makes the
# mutators raise (the library asserts, e.g. that a creation event comes first). A
# database that cannot be reached is not damage: it passes through.
REPLAY_ERRORS = (EventSourcingError, TopicError, ValueError, TypeError, LookupError,
                 AttributeError, AssertionError)


# Raised while loading but no damage: they pass through as they are.
NOT_DAMAGE = (AggregateNotFoundError, PersistenceError, DomainError)


def record_damaged(aggregate_id: UUID, what: Callable[[], Any],
                   locate: Callable[[UUID], int | None]) -> DomainError:
    """The refusal for a history that failed to replay with one of ``REPLAY_ERRORS``
    (the caller catches: loading pays nothing until a replay fails). ``what()`` names
    the record (a ``words.lazy`` word), ``locate`` finds the position (notification
    id) of the first damaged stored event, when the store can tell."""
    position = locate(aggregate_id)
    code = "record_damaged" if position is not None else "record_damaged_unlocated"
    return DomainError(code, what=what(), position=position, record=str(aggregate_id))
