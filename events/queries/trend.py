"""Tasks due and tasks completed per month of a plan's year: the overview's trend.

Both counts are grouped in SQL over the board (``rm_task``), on SQLite and PostgreSQL
alike, so the cost does not grow with what Python has to read back (a year is twelve
rows, whatever the number of tasks):

- *due* counts the plan's tasks (not cancelled) by the month of their deadline in
  force (a date, already a Vietnam calendar day);
- *completed* counts the plan's verified tasks by the month of ``verified_at``. That
  column is a UTC instant; a verification at 23:30 on 31/03 in Hà Nội is 16:30 UTC the
  same day, but one at 01:00 on 01/04 is 18:00 UTC on 31/03. The month is therefore
  taken of ``verified_at`` shifted by seven hours (Asia/Ho_Chi_Minh is UTC+7 and keeps
  no summer time), computed in SQL.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, cast, extract, func, literal_column, select, text

from events.queries.organisation import default_plan_code
from events.queries.reading import today_of
from events.readmodels import tables

if TYPE_CHECKING:
    from events.system import System

T = tables.tasks
VIETNAM_OFFSET_HOURS = 7


def _vietnam_time(store: System) -> Any:
    """``verified_at`` as the wall clock of Asia/Ho_Chi_Minh, for ``extract``."""
    if store.is_postgres:
        return T.c.verified_at.op("AT TIME ZONE")(literal_column("'Asia/Ho_Chi_Minh'"))
    # SQLite stores naive UTC text; its datetime() adds the offset.
    return func.datetime(T.c.verified_at, text(f"'+{VIETNAM_OFFSET_HOURS} hours'"))


def plan_year(store: System, plan: str | None = None, today: date | None = None) -> int:
    """The plan's year: that of its adoption, else of today."""
    plan = plan or default_plan_code(store)
    P = tables.plans
    adopted = None
    if plan:
        with store.engine.connect() as conn:
            adopted = conn.execute(select(P.c.adopted_on).where(P.c.code == plan)).scalar()
    return adopted.year if adopted else today_of(store, today).year


def monthly_trend(store: System, plan: str | None = None,
                  year: int | None = None) -> list[dict[str, Any]]:
    """Twelve rows ``{"month": 1..12, "due": n, "completed": n}`` for ``year`` (the
    plan's year by default) and ``plan`` (the latest adopted by default)."""
    plan = plan or default_plan_code(store)
    year = year or plan_year(store, plan)
    rows = {m: {"year": year, "month": m, "due": 0, "completed": 0} for m in range(1, 13)}
    if plan is None:
        return list(rows.values())
    due_month = cast(extract("month", T.c.deadline), Integer)
    due = (select(due_month, func.count())
           .where(T.c.plan == plan, T.c.state != "cancelled",
                  T.c.deadline >= date(year, 1, 1), T.c.deadline <= date(year, 12, 31))
           .group_by(due_month))
    local = _vietnam_time(store)
    done_year, done_month = cast(extract("year", local), Integer), \
        cast(extract("month", local), Integer)
    done = (select(done_month, func.count())
            .where(T.c.plan == plan, T.c.state == "verified", T.c.verified_at.is_not(None),
                   done_year == year)
            .group_by(done_month))
    with store.engine.connect() as conn:
        for month, n in conn.execute(due).tuples():
            rows[int(month)]["due"] = int(n)
        for month, n in conn.execute(done).tuples():
            rows[int(month)]["completed"] = int(n)
    return list(rows.values())
