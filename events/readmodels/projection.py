"""What every projection sees: events from the log, with their position, in order."""

from __future__ import annotations

import json
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
    All computed once: a rebuild reads them millions of times. ``record`` is the
    stored row it was decoded from (position, aggregate id, version, topic, state),
    for the seal, which hashes the bytes as stored.
    """

    __slots__ = ("position", "topic", "key", "version", "at", "data", "type", "area", "actor",
                 "record")

    def __init__(self, position: int, topic: str, key: str, version: int,
                 at: datetime, data: dict[str, Any]):
        self.position = position
        self.topic = topic
        self.key = key
        self.version = version
        self.at = at
        self.data = data
        # Topics are ``nhiemvu.<area>.<EventName>``.
        parts = topic.split(".")
        self.type = parts[-1]
        self.area = parts[1] if len(parts) > 2 else ""
        self.actor = data.get("actor") or "system"
        self.record: Any = None

    @property
    def local_day(self) -> date:
        return self.at.astimezone(LOCAL_TZ).date()

    @classmethod
    def from_event(cls, position: int, topic: str, event: Any) -> Logged:
        data = {k: v for k, v in event.__dict__.items() if k not in _ENVELOPE}
        return cls(position, topic, UUID(str(event.originator_id)).hex,
                   event.originator_version, event.timestamp.astimezone(UTC), data)


class Projection:
    """A read model: tables it owns, and how a batch of events changes them.

    ``apply`` runs inside the transaction that also moves the projection's position,
    so a batch is recorded entirely or not at all.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    # Topic areas (``task``, ``plan``, ``organisation``) this projection reads.
    areas: ClassVar[frozenset[str]]
    # A projection that vouches for the log (the seal) reads every stored row, whatever
    # its topic's area and even when it does not decode, and is rebuilt only when
    # named: rebuilding it from the log would make it agree with whatever the log
    # now says.
    vouches: ClassVar[bool] = False
    # Raise it when a change to ``apply`` or the tables makes existing rows wrong:
    # every store then rebuilds the projection when it is next opened.
    version: ClassVar[int] = 1

    def definition(self) -> str:
        """What the rows depend on besides the log; a change means a rebuild."""
        return f"v{self.version}"

    def recall(self, position: int | None) -> None:
        """Told, in the batch's transaction, where the live rows stand before
        ``apply`` (None: not the live rows, or unknown): see ``settled``."""

    def settled(self, position: int) -> None:
        """Told, in the batch's transaction, that it applied whole and moves the
        projection to ``position``; one that keeps rows in memory (``memory.py``)
        trusts them from here on."""

    def at_position(self, position: int | None) -> None:
        """Told, in the batch's transaction, where the projection's stored rows stand
        before ``apply`` (None: unknown, e.g. after a rebuild); most need not know."""

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        raise NotImplementedError


def _json_scalar(value: Any) -> Any:
    # Called by ``json`` only for what it cannot write itself: dates ISO, decimals and
    # ids as text. Dicts, lists and tuples stay with the C encoder, which is several
    # times faster than copying the value into plain Python types first.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# Made once: ``json.dumps`` with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_json_scalar)


def to_json(value: Any) -> str:
    """An event's fields as JSON text: keys sorted, dates ISO, decimals as text."""
    return _ENCODER.encode(value)


def text_value(value: Any) -> str | None:
    """A measured value as stored in the read models (exact decimal text)."""
    return None if value is None else str(value)
