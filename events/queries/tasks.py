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

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from events.queries.board_cursor import SORTS, beyond, cursor_key, cursor_of, order
from events.queries.grading import grade_of, has_grade, is_due_within, is_overdue
from events.queries.reading import aware, ids_by_prefix, today_of, value
from events.readmodels import tables
from events.readmodels.searchable import search_words
from workflow.errors import DomainError
from workflow.grades import GRADES
from workflow.rules import STATES, State

if TYPE_CHECKING:
    from events.system import System


T = tables.tasks
UNIT = tables.units
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass
class BoardPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None
    total: int | None = None
    sort: str = "deadline"
    start: int = 1  # the first row's place in the whole list, from 1


def _board_select(today: date, brief: bool = False) -> Select[Any]:
    columns = _BRIEF if brief else (T,)
    return (select(*columns, grade_of(today).label("current_grade"),
                   UNIT.c.name.label("unit_name"))
            .select_from(T.outerjoin(UNIT, UNIT.c.code == T.c.unit)))


# What a list of tasks shows of each (``brief``): reading and converting the other
# columns (six instants, two more dates, the texts) cost more than the query itself.
_BRIEF = (T.c.id, T.c.version, T.c.title, T.c.unit, T.c.plan, T.c.pillar, T.c.target,
          T.c.state, T.c.deadline, T.c.extensions, T.c.returns, T.c.percent,
          T.c.last_activity)


def _brief_row(found: Any) -> dict[str, Any]:
    r = found._mapping
    h = r["id"]  # 32 hex digits, as stored: the id's text without a UUID
    return {
        "id": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", "title": r["title"],
        "unit": r["unit"], "unit_name": r["unit_name"] or r["unit"], "plan": r["plan"],
        "pillar": r["pillar"], "target": r["target"], "state": r["state"],
        "grade": r["current_grade"], "deadline": r["deadline"],
        "extensions": r["extensions"], "returns": r["returns"], "percent": r["percent"],
        "last_activity": aware(r["last_activity"]), "version": r["version"],
        "returned": r["state"] == State.IN_PROGRESS.value and (r["returns"] or 0) > 0,
    }


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
        "returned": r["state"] == State.IN_PROGRESS.value and (r["returns"] or 0) > 0,
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
          overdue: bool = False, returned: bool = False, q: str | None = None,
          limit: int = 50, after: str | None = None, before: str | None = None,
          sort: str = "deadline", with_total: bool = True,
          today: date | None = None, brief: bool = False) -> BoardPage:
    """One page of the task board; filters combine with AND.

    ``sort`` is ``deadline`` (deadline then id, the default) or ``activity`` (last
    activity newest first). ``q`` matches every word of the query in the title or
    description, ignoring case and Vietnamese diacritics. ``after`` is a page's
    ``next_cursor``, ``before`` its ``prev_cursor``; a cursor that does not fit the
    sort is ignored (the first page). ``total`` counts the whole filtered set
    (``with_total=False`` skips that count). ``brief`` rows hold only what a list
    shows: id, title, unit and its name, plan, pillar, target, state, grade, deadline,
    extensions, returns, percent, last activity, version and ``returned``.
    """
    today = today_of(store, today)
    sort = sort if sort in SORTS else "deadline"
    where: list[ColumnElement[bool]] = []
    if state:
        # SQLite keeps no statistics: given a state and a unit it walks the state's
        # index (a fifth of the board) and looks up each row's unit. A unit, a pillar
        # or a target is the narrower index; the state is then checked on its rows,
        # as an expression no index serves. PostgreSQL chooses by its statistics.
        narrower = not store.is_postgres and bool(unit or pillar or target)
        where.append(_one_or_many(T.c.state.concat("") if narrower else T.c.state, state))
    if returned:
        # rm_task_by_state narrows to the state; the return count filters what is left.
        where.extend((T.c.state == State.IN_PROGRESS.value, T.c.returns > 0))
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
    backwards = bool(before) and not after
    key = cursor_key(store, sort, before if backwards else after)
    paged = [*where, beyond(sort, key, backwards)] if key is not None else where
    page = _page(store, _board_select(today, brief).where(*paged), limit, sort, backwards,
                 from_cursor=key is not None, brief=brief)
    if with_total:
        only = {"state": state, "unit": unit, "target": target}
        tallied = not (pillar or grade or overdue or returned or deadline_from or deadline_to
                       or search_words(q))
        page.total = _tallied(store, **only) if tallied else _count(store, where)
        # Where the page starts in the whole list ("51–100 of 123"): what lies before it.
        first = cursor_key(store, sort, page.prev_cursor)
        if first is not None:
            page.start = _count(store, [*where, beyond(sort, first, True)]) + 1
    return page


def task_row(store: System, task_id: UUID | str, today: date | None = None
             ) -> dict[str, Any] | None:
    """One task as the board shows it (its row, graded for ``today``), or None."""
    query = _board_select(today_of(store, today)).where(T.c.id == UUID(str(task_id)).hex)
    with store.engine.connect() as conn:
        found = conn.execute(query).first()
    return _row(found) if found is not None else None


def _tallied(store: System, *, state: str | Iterable[str] | None, unit: str | None,
             target: str | None) -> int:
    """How many tasks have this state, unit and target, from the running totals kept
    beside the board in the same transaction (``rm_task_count``): what ``_count``
    counts, without walking the board."""
    C = tables.task_counts
    where = [_one_or_many(C.c.state, state)] if state else []
    if unit:
        where.append(C.c.unit == unit)
    if target:
        where.append(C.c.target == target)
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(C.c.n), 0)).where(*where))
                   .scalar() or 0)


def _count(store: System, where: list[ColumnElement[bool]]) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(T).where(*where)).scalar()
                   or 0)


def _page(store: System, query: Select[Any], limit: int, sort: str = "deadline",
          backwards: bool = False, from_cursor: bool = False,
          brief: bool = False) -> BoardPage:
    limit = max(1, min(int(limit), 500))
    first, second = order(sort)
    ahead = (sort == "deadline") != backwards
    query = query.order_by(*((first, second) if ahead else (first.desc(), second.desc())))
    with store.engine.connect() as conn:
        found = conn.execute(query.limit(limit + 1)).all()
    more = len(found) > limit  # one more row in the direction read
    found = found[:limit]
    if backwards:
        found.reverse()
    page = BoardPage([(_brief_row if brief else _row)(r) for r in found], sort=sort)
    if found:
        # A page reached through a cursor has its neighbour on the side it came from.
        if more if not backwards else from_cursor:
            page.next_cursor = cursor_of(found[-1]._mapping, sort)
        if more if backwards else from_cursor:
            page.prev_cursor = cursor_of(found[0]._mapping, sort)
    return page


def due_soon(store: System, days: int = 7, today: date | None = None,
             limit: int = 20, unit: str | None = None) -> list[dict[str, Any]]:
    """Open tasks not yet overdue whose deadline falls within ``days`` days (today too);
    of one unit when ``unit`` is given."""
    today = today_of(store, today)
    last_day = today + timedelta(days=max(days, 1) - 1)
    where = [is_due_within(today, last_day), *([T.c.unit == unit] if unit else [])]
    return _page(store, _board_select(today).where(*where), limit).rows


def overdue(store: System, today: date | None = None, limit: int = 20,
            unit: str | None = None) -> list[dict[str, Any]]:
    """Open tasks past their deadline, the longest overdue first; of one unit when
    ``unit`` is given."""
    today = today_of(store, today)
    where = [is_overdue(today), *([T.c.unit == unit] if unit else [])]
    return _page(store, _board_select(today).where(*where), limit).rows


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
                               .where(C.c.n != 0)  # an emptied bucket stays (tally.py)
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


