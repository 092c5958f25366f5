"""Progress against the plan's targets, rolled up per target, pillar and unit.

Counts come from the task board grouped in SQL; the latest measured values come
from the board's report columns (``reported_value`` of the latest report,
``verified_value`` of the latest verified one), never from the log.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import func, literal, select

from events.queries.organisation import default_plan_code
from events.queries.reading import aware, today_of, value
from events.queries.tasks import counts
from events.readmodels import tables
from workflow.bands import band
from workflow.grades import GRADES
from workflow.rules import OPEN_STATES, STATES

if TYPE_CHECKING:
    from events.system import System

T = tables.tasks


def _empty() -> dict[str, Any]:
    return {"by_state": dict.fromkeys(STATES, 0), "by_grade": dict.fromkeys(GRADES, 0),
            "total": 0}


def _tally(store: System, key: str, today: date, plan: str | None) -> dict[Any, dict[str, Any]]:
    """Counts by state and grade per ``key`` (unit or target), from the running totals.

    Only "open and past its deadline" depends on today: it is counted from the
    board through an index that covers it (``rm_task_by_grade``).
    """
    C, D = tables.task_counts, tables.task_due
    query = (select(C.c[key], C.c.state, C.c.grade, C.c.late, func.sum(C.c.n))
             .where(C.c.n != 0)  # an emptied bucket stays (tally.py)
             .group_by(C.c[key], C.c.state, C.c.grade, C.c.late))
    if key == "unit" and plan is None:
        late = (select(D.c.unit, literal(None), func.sum(D.c.n))
                .where(D.c.deadline < today, D.c.state != "reported").group_by(D.c.unit))
    else:
        # No "plan = ?" here: it would tempt SQLite into another index; rows of other
        # plans are dropped below instead.
        late = (select(T.c[key], T.c.plan, func.count())
                .where(T.c.grade.is_(None), T.c.deadline < today, T.c.state != "reported")
                .group_by(T.c[key], T.c.plan))
    if plan:
        query = query.where(C.c.plan == plan)
    tallies: dict[Any, dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for k, state, grade, reported_late, n in conn.execute(query).tuples():
            entry = tallies.setdefault(k, _empty())
            entry["by_state"][state] += n
            entry["total"] += n
            entry["by_grade"][grade or "open_on_time"] += n
            if reported_late:
                entry["by_grade"]["open_overdue"] += n
                entry["by_grade"]["open_on_time"] -= n
        for k, in_plan, n in conn.execute(late).tuples():
            if plan and in_plan != plan:
                continue
            entry = tallies.setdefault(k, _empty())
            entry["by_grade"]["open_overdue"] += n
            entry["by_grade"]["open_on_time"] -= n
    return tallies


def _latest(store: System, plan: str, codes: list[str], value_column: Any,
            at_column: Any) -> dict[str, Any]:
    """Per target, the value of the latest report (or verification) that carried one,
    with the task it came from: ``(value, at, task id, task title)``."""
    found = {}
    with store.engine.connect() as conn:
        # One indexed lookup per target (a plan has about a dozen), not a sort of all tasks.
        for code in codes:
            row = conn.execute(select(value_column, at_column, T.c.id, T.c.title)
                               .where(T.c.plan == plan, T.c.target == code,
                                      # Not NULL: PostgreSQL sorts NULLs first.
                                      at_column.is_not(None), value_column.is_not(None))
                               .order_by(at_column.desc(), T.c.id.desc()).limit(1)).first()
            if row is not None:
                found[code] = (value(row[0]), aware(row[1]), str(UUID(row[2])), row[3])
    return found


def _plan_code(store: System, plan: str | None) -> str | None:
    if plan:
        return plan
    return default_plan_code(store)


def target_progress(store: System, plan: str | None = None,
                    today: date | None = None) -> list[dict[str, Any]]:
    """Per target of the plan (the latest adopted by default), in the plan's order."""
    plan = _plan_code(store, plan)
    if plan is None:
        return []
    today = today_of(store, today)
    G = tables.targets
    with store.engine.connect() as conn:
        targets = conn.execute(select(G).where(G.c.plan == plan).order_by(G.c.number)).all()
    tallies = _tally(store, "target", today, plan)
    codes = [t.code for t in targets]
    verified = _latest(store, plan, codes, T.c.verified_value, T.c.verified_at)
    reported = _latest(store, plan, codes, T.c.reported_value, T.c.reported_at)
    result = []
    for t in targets:
        low, high = Decimal(t.min), Decimal(t.max)
        latest_verified, verified_at, verified_task, verified_title = \
            verified.get(t.code, (None, None, None, None))
        latest_reported, reported_at, reported_task, reported_title = \
            reported.get(t.code, (None, None, None, None))
        tally = tallies.get(t.code, _empty())
        # The measured value (docs/read-models.md, "Target figures"): the latest
        # verified one, else the latest reported one, said to be unverified.
        is_verified = latest_verified is not None
        result.append({
            "plan": plan, "code": t.code, "number": t.number, "pillar": t.pillar,
            "text": t.text, "range": t.range, "min": low, "max": high, "unit": t.unit,
            "latest_verified_value": latest_verified, "verified_at": verified_at,
            "latest_reported_value": latest_reported, "reported_at": reported_at,
            "band": band(latest_verified, low, high),
            "reported_band": band(latest_reported, low, high),
            "measured": latest_verified if is_verified else latest_reported,
            "measured_verified": is_verified,
            "measured_at": verified_at if is_verified else reported_at,
            "source_task": verified_task if is_verified else reported_task,
            "source_title": verified_title if is_verified else reported_title,
            "measured_band": band(latest_verified if is_verified else latest_reported,
                                  low, high),
            "open_tasks": sum(tally["by_state"][s.value] for s in OPEN_STATES),
            **tally,
        })
    return result


def pillar_progress(store: System, plan: str | None = None,
                    today: date | None = None) -> list[dict[str, Any]]:
    """Per pillar: its targets' bands and its tasks' counts by state and grade."""
    plan = _plan_code(store, plan)
    if plan is None:
        return []
    today = today_of(store, today)
    P = tables.pillars
    with store.engine.connect() as conn:
        pillars = conn.execute(select(P).where(P.c.plan == plan).order_by(P.c.number)).all()
    per_target = target_progress(store, plan, today)
    result = []
    for p in pillars:
        mine = [t for t in per_target if t["pillar"] == p.code]
        bands = {b: sum(1 for t in mine if t["band"] == b) for b in ("below", "within", "above")}
        result.append({
            "plan": plan, "code": p.code, "name": p.name, "name_en": p.name_en,
            "targets": len(mine), "bands": bands,
            "without_value": sum(1 for t in mine if t["band"] is None),
            **_sum(mine),
        })
    return result


def _sum(entries: list[dict[str, Any]]) -> dict[str, Any]:
    total = _empty()
    for entry in entries:
        total["total"] += entry["total"]
        for part in ("by_state", "by_grade"):
            for k, n in entry[part].items():
                total[part][k] += n
    return total


def unit_progress(store: System, plan: str | None = None,
                  today: date | None = None) -> list[dict[str, Any]]:
    """Per unit: its tasks' counts by state and grade (all plans unless one is named)."""
    today = today_of(store, today)
    tallies = _tally(store, "unit", today, plan)
    U = tables.units
    with store.engine.connect() as conn:
        names = dict(conn.execute(select(U.c.code, U.c.name)).tuples().all())
    return [{"unit": code, "unit_name": names.get(code, code), **tallies[code]}
            for code in sorted(tallies)]


def unit_ranking(store: System, today: date | None = None) -> list[dict[str, Any]]:
    """Every active unit (those without tasks too), ranked as ``rank_units`` says."""
    U = tables.units
    with store.engine.connect() as conn:
        active = dict(conn.execute(select(U.c.code, U.c.name).where(U.c.active.is_(True)))
                      .tuples().all())
    return rank_units(counts(store, today=today)["by_unit"], active)


def rank_units(by_unit: list[dict[str, Any]], active: dict[str, str]) -> list[dict[str, Any]]:
    """The ``active`` units (code → name), from ``counts()``'s per-unit rows, most overdue
    tasks first, then the lowest on-time rate: verified on time / verified
    (``done_on_time`` over ``done_on_time`` + ``done_late``; None while none is verified,
    ranked after). A page that has the counts already ranks without reading again."""
    rows = {row["unit"]: row for row in by_unit}
    result = []
    for code, name in active.items():
        grades = rows.get(code, {}).get("by_grade", {})
        on_time, late = grades.get("done_on_time", 0), grades.get("done_late", 0)
        finished = on_time + late
        result.append({
            "unit": code, "unit_name": name, "total": rows.get(code, {}).get("total", 0),
            "overdue": grades.get("open_overdue", 0), "finished": finished,
            "on_time": on_time,
            "on_time_rate": (Decimal(on_time * 100) / finished).quantize(Decimal("0.1"))
            if finished else None,
        })
    result.sort(key=lambda r: (-r["overdue"], r["on_time_rate"] is None,
                               r["on_time_rate"] or 0, r["unit_name"]))
    return result
