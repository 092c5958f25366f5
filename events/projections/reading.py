"""Helpers for reading the projections back: times, values, today, the audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import ColumnElement, select

from events.projections import tables
from events.projections.summaries import summary
from workflow.clock import LOCAL_TZ, local_today, use_clock

if TYPE_CHECKING:
    from events.store import Store

A = tables.audit


def aware(moment: datetime | None) -> datetime | None:
    """Times come back naive from SQLite; they were stored in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def value(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def today_of(store: Store, today: date | None = None) -> date:
    """``today`` if given, else today in Vietnam by the store's clock."""
    if today is not None:
        return today
    clock = getattr(store.service, "clock", None)
    if clock is None:
        return local_today()
    with use_clock(clock):
        return local_today()


def _start_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def _end_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return _start_of(day + timedelta(days=1))


@dataclass
class AuditPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def _store_time(store: Store, moment: datetime) -> datetime:
    # SQLite compares the stored naive UTC text; PostgreSQL compares instants.
    return moment if store.is_postgres else moment.astimezone(UTC).replace(tzinfo=None)


def audit_log(store: Store, *, actor: str | None = None, unit: str | None = None,
              task: UUID | str | None = None, type: str | None = None,  # noqa: A002
              since: date | datetime | None = None, until: date | datetime | None = None,
              limit: int = 100, before: str | None = None, locale: str = "vi") -> AuditPage:
    """Events newest first, filtered; ``since``/``until`` dates are Vietnam days, inclusive.

    ``before`` is the previous page's ``next_cursor`` (a log position); ``locale``
    the language of the summaries.
    """
    where: list[ColumnElement[bool]] = []
    if actor:
        where.append(A.c.actor == actor)
    if unit:
        where.append(A.c.unit == unit)
    if task:
        where.append(A.c.aggregate_id == UUID(str(task)).hex)
    if type:
        where.append(A.c.type == type)
    if since:
        where.append(A.c.at >= _store_time(store, _start_of(since)))
    if until:
        bound = _store_time(store, _end_of(until))
        where.append(A.c.at < bound if not isinstance(until, datetime) else A.c.at <= bound)
    if before and before.isdigit():
        where.append(A.c.position < int(before))
    limit = max(1, min(int(limit), 1000))
    query = select(A).where(*where).order_by(A.c.position.desc()).limit(limit + 1)
    with store.engine.connect() as conn:
        found = conn.execute(query).all()
    rows = [audit_entry(r, locale) for r in found[:limit]]
    cursor = str(found[limit - 1].position) if len(found) > limit else None
    return AuditPage(rows, cursor)


def _summary(r: Any, locale: str) -> str:
    # The table holds the Vietnamese line; another language is made from the data.
    if locale.startswith("vi"):
        return r["summary"]
    return summary(r["type"], json.loads(r["data"]), locale)


def audit_entry(found: Any, locale: str = "vi") -> dict[str, Any]:
    r = found._mapping
    is_task = r["kind"] == "task"
    return {
        "position": r["position"], "at": aware(r["at"]), "actor": r["actor"],
        "unit": r["unit"], "kind": r["kind"],
        "aggregate_id": str(UUID(r["aggregate_id"])),
        "task_id": str(UUID(r["aggregate_id"])) if is_task else None,
        "version": r["version"], "type": r["type"], "summary": _summary(r, locale),
    }


def history_entry(found: Any, locale: str = "vi") -> dict[str, Any]:
    r = found._mapping
    return {
        "position": r["position"], "version": r["version"], "type": r["type"],
        "actor": r["actor"], "at": aware(r["at"]), "summary": _summary(r, locale),
        "data": json.loads(r["data"]),
    }
