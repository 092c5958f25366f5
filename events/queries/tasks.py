"""The task board read back: filtered pages, due and overdue lists, counts, task ids.

Every function takes the ``System`` first and returns plain data (dicts, lists,
dataclasses of str/int/date/datetime/Decimal). None of them replays the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_

from events.queries.grading import grade_of, has_grade, is_due_within, is_overdue
from events.queries.reading import aware, ids_by_prefix, today_of, value
from events.readmodels import tables
from events.readmodels.searchable import search_words
from workflow.errors import DomainError
from workflow.grades import GRADES
from workflow.rules import STATES

if TYPE_CHECKING:
    from events.system import System


T = tables.tasks
UNIT = tables.units
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([0-9a-f]{32})$")
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass
class BoardPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def _board_select(today: date) -> Select[Any]:
    return (select(T, grade_of(today).label("current_grade"), UNIT.c.name.label("unit_name"))
            .select_from(T.outerjoin(UNIT, UNIT.c.code == T.c.unit)))


def _row(found: Any) -> dict[str, Any]:
    r = found._mapping
    return {
        "id": str(UUID(r["id"])), "title": r["title"], "description": r["description"],
        "unit": r["unit"], "unit_name": r["unit_name"] or r["unit"], "plan": r["plan"],
        "pillar": r["pillar"], "target": r["target"], "state": r["state"],
        "grade": r["current_grade"], "deadline": r["deadline"],
        "original_deadline": r["original_deadline"], "extensions": r["extensions"],
        "returns": r["returns"], "percent": r["percent"],
        "assigned_at": aware(r["assigned_at"]), "assigned_by": r["assigned_by"],
        "started_at": aware(r["started_at"]), "reported_at": aware(r["reported_at"]),
        "reported_by": r["reported_by"], "reported_value": value(r["reported_value"]),
        "verified_at": aware(r["verified_at"]), "verified_by": r["verified_by"],
        "verified_value": value(r["verified_value"]),
        "cancelled_at": aware(r["cancelled_at"]),
        "last_activity": aware(r["last_activity"]), "version": r["version"],
    }


def _one_or_many(column: Any, wanted: str | Iterable[str]) -> ColumnElement[bool]:
    if isinstance(wanted, str):
        return column == wanted
    return column.in_(list(wanted))


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def board(store: System, *, state: str | Iterable[str] | None = None, unit: str | None = None,
          pillar: str | None = None, grade: str | None = None, target: str | None = None,
          deadline_from: date | None = None, deadline_to: date | None = None,
          overdue: bool = False, q: str | None = None, limit: int = 50,
          after: str | None = None, today: date | None = None) -> BoardPage:
    """One page of the task board, by deadline then id; filters combine with AND.

    ``q`` matches every word of the query in the title or description, ignoring case
    and Vietnamese diacritics. ``after`` is the previous page's ``next_cursor``.
    """
    today = today_of(store, today)
    where: list[ColumnElement[bool]] = []
    if state:
        where.append(_one_or_many(T.c.state, state))
    if unit:
        where.append(T.c.unit == unit)
    if pillar:
        where.append(T.c.pillar == pillar)
    if target:
        where.append(T.c.target == target)
    if grade:
        where.append(has_grade(grade, today))
    if overdue:
        where.append(is_overdue(today))
    if deadline_from:
        where.append(T.c.deadline >= deadline_from)
    if deadline_to:
        where.append(T.c.deadline <= deadline_to)
    for word in search_words(q):
        where.append(T.c.search_key.like(_like(word), escape="\\"))
    cursor = _CURSOR.match(after or "")
    if cursor:
        where.append(tuple_(T.c.deadline, T.c.id)
                     > tuple_(date.fromisoformat(cursor.group(1)), cursor.group(2)))
    return _page(store, _board_select(today).where(*where), limit)


def _page(store: System, query: Select[Any], limit: int) -> BoardPage:
    limit = max(1, min(int(limit), 500))
    query = query.order_by(T.c.deadline, T.c.id).limit(limit + 1)
    with store.engine.connect() as conn:
        found = conn.execute(query).all()
    rows = [_row(r) for r in found[:limit]]
    cursor = None
    if len(found) > limit:
        last = found[limit - 1]._mapping
        cursor = f"{last['deadline'].isoformat()}.{last['id']}"
    return BoardPage(rows, cursor)


def due_soon(store: System, days: int = 7, today: date | None = None,
             limit: int = 20) -> list[dict[str, Any]]:
    """Open tasks not yet overdue whose deadline falls within ``days`` days (today too)."""
    today = today_of(store, today)
    last_day = today + timedelta(days=max(days, 1) - 1)
    return _page(store, _board_select(today).where(is_due_within(today, last_day)), limit).rows


def overdue(store: System, today: date | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Open tasks past their deadline, the longest overdue first."""
    today = today_of(store, today)
    return _page(store, _board_select(today).where(is_overdue(today)), limit).rows


def counts(store: System, *, today: date | None = None, days: int = 7) -> dict[str, Any]:
    """The dashboard's numbers, from the board's running totals (two small reads).

    Grades and states agree with ``board()``: ``by_grade`` sums to ``total``,
    ``overdue`` is the ``open_overdue`` grade, ``due_soon`` is what ``due_soon()`` lists.
    """
    today = today_of(store, today)
    last_day = today + timedelta(days=max(days, 1) - 1)
    C, D = tables.task_counts, tables.task_due
    with store.engine.connect() as conn:
        names = dict(conn.execute(select(UNIT.c.code, UNIT.c.name)).tuples().all())
        buckets = conn.execute(select(C.c.unit, C.c.state, C.c.grade, C.c.late,
                                      func.sum(C.c.n))
                               .group_by(C.c.unit, C.c.state, C.c.grade, C.c.late)).all()
        # Reported tasks in this table were reported in time: never overdue.
        late = and_(D.c.state != "reported", D.c.deadline < today)
        due = conn.execute(select(D.c.unit, late.label("late"), func.sum(D.c.n))
                           .where(D.c.deadline <= last_day,
                                  or_(D.c.state != "reported", D.c.deadline >= today))
                           .group_by(D.c.unit, late)).all()
    result = _tally_entry()
    result["today"] = today
    per_unit: dict[str, dict[str, Any]] = {}

    def entries(unit: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if unit not in per_unit:
            per_unit[unit] = {"unit": unit, "unit_name": names.get(unit, unit),
                              **_tally_entry()}
        return result, per_unit[unit]

    for unit, state, grade, late, n in buckets:
        for entry in entries(unit):
            entry["by_state"][state] += n
            entry["total"] += n
            if grade:
                entry["by_grade"][grade] += n
            else:
                entry["by_grade"]["open_on_time"] += n  # less the overdue, below
            if late:
                entry["overdue"] += n
    for unit, is_late, n in due:
        for entry in entries(unit):
            entry["overdue" if is_late else "due_soon"] += n
    for entry in (result, *per_unit.values()):
        entry["by_grade"]["open_overdue"] = entry["overdue"]
        entry["by_grade"]["open_on_time"] -= entry["overdue"]
    result["by_unit"] = [per_unit[u] for u in sorted(per_unit)]
    return result


def _tally_entry() -> dict[str, Any]:
    return {"by_state": dict.fromkeys(STATES, 0), "by_grade": dict.fromkeys(GRADES, 0),
            "due_soon": 0, "overdue": 0, "total": 0}


def resolve_task_id(store: System, text: str) -> UUID:
    """The task a person means: a full id, or a unique prefix of at least 6 hex digits."""
    typed = (text or "").strip()
    key = typed.lower().replace("-", "")
    if len(key) < 6 or len(key) > 32 or not _HEX.match(key):
        raise DomainError("unknown_task", task=typed)
    found = ids_by_prefix(store, T.c.id, key)
    if not found:
        raise DomainError("unknown_task", task=typed)
    if len(found) > 1:
        raise DomainError("ambiguous_task", task=typed)
    return UUID(found[0])


