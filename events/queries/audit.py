"""The audit log read back: every event, newest first, filtered; one task's history."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import ColumnElement, select

from events.queries.reading import aware, end_of, start_of
from events.readmodels import tables
from workflow.sentences import event_line

if TYPE_CHECKING:
    from events.system import System

A = tables.audit


@dataclass
class AuditPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def _store_time(store: System, moment: datetime) -> datetime:
    # SQLite compares the stored naive UTC text; PostgreSQL compares instants.
    return moment if store.is_postgres else moment.astimezone(UTC).replace(tzinfo=None)


def audit_log(store: System, *, actor: str | None = None, unit: str | None = None,
              task: UUID | str | None = None, type: str | None = None,  # noqa: A002
              since: date | datetime | None = None, until: date | datetime | None = None,
              limit: int = 100, before: str | None = None, locale: str = "vi") -> AuditPage:
    """Events newest first, filtered; ``since``/``until`` dates are Vietnam days, inclusive.

    ``before`` is the previous page's ``next_cursor`` (a log position); ``locale``
    the language of the summaries (said from each row's data, workflow.sentences).
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
        where.append(A.c.at >= _store_time(store, start_of(since)))
    if until:
        bound = _store_time(store, end_of(until))
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


def audit_entry(found: Any, locale: str = "vi") -> dict[str, Any]:
    r = found._mapping
    is_task = r["kind"] == "task"
    return {
        "position": r["position"], "at": aware(r["at"]), "actor": r["actor"],
        "unit": r["unit"], "kind": r["kind"],
        "aggregate_id": str(UUID(r["aggregate_id"])),
        "task_id": str(UUID(r["aggregate_id"])) if is_task else None,
        "version": r["version"], "type": r["type"],
        "summary": event_line(r["type"], json.loads(r["data"]), locale),
    }


def history_entry(found: Any, locale: str = "vi") -> dict[str, Any]:
    r = found._mapping
    data = json.loads(r["data"])
    return {
        "position": r["position"], "version": r["version"], "type": r["type"],
        "actor": r["actor"], "at": aware(r["at"]),
        "summary": event_line(r["type"], data, locale), "data": data,
    }


def task_history(store: System, task_id: UUID | str, locale: str = "vi") -> list[dict[str, Any]]:
    """Everything that happened to one task, oldest first, from the audit log."""
    key = UUID(str(task_id)).hex
    with store.engine.connect() as conn:
        found = conn.execute(select(A).where(A.c.aggregate_id == key)
                             .order_by(A.c.position)).all()
    return [history_entry(r, locale) for r in found]
