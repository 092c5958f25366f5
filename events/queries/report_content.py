"""A period report's content: the figures of a period as the read models held them.

``report_content(past, period)`` asks the same queries the dashboard and the
progress pages ask, of the read models pinned to one log position
(``events.queries.as_of``), and returns plain JSON values (codes, not words; dates
ISO; measured values as decimal text), format 1. ``canonical`` is the one byte
form of that content, and ``digest_of`` its SHA-256: what an issued report records.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from events.queries.organisation import default_plan_code, plans
from events.queries.progress import pillar_progress, target_progress, unit_progress
from events.queries.reading import aware, store_time
from events.queries.tasks import board, counts
from events.readmodels import tables
from workflow.clock import LOCAL_TZ
from workflow.grades import GRADES, Grade
from workflow.periods import Period, period_end, period_start
from workflow.reports import CONTENT_FORMAT
from workflow.rules import State

if TYPE_CHECKING:
    from events.queries.as_of import Past

T, UNIT = tables.tasks, tables.units
_PAGE = 500


def canonical(content: dict[str, Any]) -> bytes:
    """The content's one byte form: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def digest_of(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the content's canonical bytes."""
    return hashlib.sha256(canonical(content)).hexdigest()


def report_content(past: Past, period: Period) -> dict[str, Any]:
    """The report of ``period`` as the read models of ``past`` hold it, graded for
    ``past.today`` (the Vietnam date of the cut-off): format 1 (docs/audit.md)."""
    today = past.today
    plan_code = default_plan_code(past)
    plan = next((p for p in plans(past) if p["code"] == plan_code), None)
    totals = counts(past, today=today)
    return {
        "format": CONTENT_FORMAT,
        "period": period.as_json(),
        "cutoff": past.instant.astimezone(UTC).isoformat(),
        "today": today.isoformat(),
        "position": past.position,
        "plan": None if plan is None else {"code": plan["code"], "title": plan["title"],
                                           "organisation": plan["organisation"]},
        "totals": _grades(totals),
        "units": [{"unit": u["unit"], "unit_name": u["unit_name"], **_grades(u)}
                  for u in unit_progress(past, today=today)],
        "pillars": [{"code": p["code"], "name": p["name"], "name_en": p["name_en"],
                     **_grades(p)} for p in pillar_progress(past, plan_code, today)]
        if plan_code else [],
        "targets": _targets(past, plan_code, today) if plan_code else [],
        "completed": _completed(past, period),
        "overdue": _overdue(past, today),
    }


def _grades(entry: dict[str, Any]) -> dict[str, int]:
    return {**{grade: entry["by_grade"][grade] for grade in GRADES}, "total": entry["total"]}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _targets(past: Past, plan: str, today: Any) -> list[dict[str, Any]]:
    return [{"code": t["code"], "number": t["number"], "pillar": t["pillar"],
             "text": t["text"], "range": t["range"], "min": str(t["min"]),
             "max": str(t["max"]), "unit": t["unit"],
             "value": _text(t["latest_verified_value"]),
             "value_at": t["verified_at"].isoformat() if t["verified_at"] else None,
             "band": t["band"]}
            for t in target_progress(past, plan, today)]


def _completed(past: Past, period: Period) -> list[dict[str, Any]]:
    """Tasks verified by the cut-off whose verification's Vietnam date is in the period."""
    query = (select(T.c.id, T.c.title, T.c.unit, UNIT.c.name, T.c.deadline,
                    T.c.reported_on, T.c.verified_at, T.c.grade, T.c.verified_value)
             .select_from(T.outerjoin(UNIT, UNIT.c.code == T.c.unit))
             .where(T.c.state == State.VERIFIED.value,
                    T.c.verified_at >= store_time(past, period_start(period)),
                    T.c.verified_at < store_time(past, period_end(period)))
             .order_by(T.c.verified_at, T.c.id))
    with past.engine.connect() as conn:
        found = conn.execute(query).all()
    return [{"task": str(UUID(r.id)), "title": r.title, "unit": r.unit,
             "unit_name": r.name or r.unit, "deadline": r.deadline.isoformat(),
             "reported_on": r.reported_on.isoformat() if r.reported_on else None,
             "verified_on": aware(r.verified_at).astimezone(LOCAL_TZ).date().isoformat(),
             "grade": r.grade, "value": r.verified_value}
            for r in found]


def _overdue(past: Past, today: Any) -> list[dict[str, Any]]:
    """Open tasks overdue on ``today``, by deadline: every page of the board's list."""
    result, after = [], None
    while True:
        page = board(past, grade=Grade.OPEN_OVERDUE.value, today=today, limit=_PAGE,
                     after=after, with_total=False)
        for row in page.rows:
            reported = row["state"] == State.REPORTED.value and row["reported_at"]
            until = row["reported_at"].astimezone(LOCAL_TZ).date() if reported else today
            result.append({"task": row["id"], "title": row["title"], "unit": row["unit"],
                           "unit_name": row["unit_name"], "state": row["state"],
                           "deadline": row["deadline"].isoformat(),
                           "days_overdue": (until - row["deadline"]).days})
        if page.next_cursor is None:
            return result
        after = page.next_cursor
