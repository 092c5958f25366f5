"""What every projection sees: events from the log, with their position, in order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Table

from workflow.clock import LOCAL_TZ

# Fields every stored event has; the rest is what the event says.
_ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


class Logged:
    """One event of the log as the projections read it.

    ``type`` is the fact's name (``TaskAssigned``), ``area`` the aggregate's area
    (``task``, ``plan``, ``organisation``), ``key`` the aggregate id as 32 hex digits.
    All computed once: a rebuild reads them millions of times.
    """

    __slots__ = ("position", "topic", "aggregate_id", "version", "at", "data",
                 "type", "area", "key", "actor")

    def __init__(self, position: int, topic: str, aggregate_id: UUID, version: int,
                 at: datetime, data: dict[str, Any]):
        self.position = position
        self.topic = topic
        self.aggregate_id = aggregate_id
        self.version = version
        self.at = at
        self.data = data
        # Topics are ``nhiemvu.<area>.<EventName>``.
        parts = topic.split(".")
        self.type = parts[-1]
        self.area = parts[1] if len(parts) > 2 else ""
        self.key = aggregate_id.hex
        self.actor = data.get("actor") or "system"

    @property
    def local_day(self) -> date:
        return self.at.astimezone(LOCAL_TZ).date()

    @classmethod
    def from_event(cls, position: int, topic: str, event: Any) -> Logged:
        data = {k: v for k, v in event.__dict__.items() if k not in _ENVELOPE}
        return cls(position, topic, event.originator_id, event.originator_version,
                   event.timestamp.astimezone(UTC), data)


class Projection:
    """A read model: tables it owns, and how a batch of events changes them.

    ``apply`` runs inside the transaction that also moves the projection's position,
    so a batch is recorded entirely or not at all.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    # Topic areas (``task``, ``plan``, ``organisation``) this projection reads.
    areas: ClassVar[frozenset[str]]

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        raise NotImplementedError


def plain(value: Any) -> Any:
    """A JSON-friendly copy of an event field (dates ISO, decimals as text)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def text_value(value: Any) -> str | None:
    """A measured value as stored in the read models (exact decimal text)."""
    return None if value is None else str(value)
