"""Tổng quan: counts by state and grade, per unit, target progress, due soon, overdue,
recent activity. Every number links to the filtered task list."""

from __future__ import annotations

from flask import Blueprint

from events import queries
from web import as_of, hx, reads, storage
from web.i18n import lang

bp = Blueprint("dashboard", __name__)


@bp.app_template_global()
def unit_state(row: dict, state: str) -> int:
    """How many of a unit's tasks are in ``state`` (a per-unit row of ``counts``)."""
    return row["by_state"].get(state, 0)


@bp.get("/")
def index():
    store = storage.store()
    today = reads.today()
    plan = reads.plan_code()
    content = reads.plan_content(plan)
    # Of the past, the target bars come with the page (web/as_of.py).
    past_progress = ({row["code"]: row for row in queries.target_progress(store, plan, today)}
                     if content and as_of.past() else {})
    return hx.page(
        "dashboard/index.html", "dashboard",
        counts=queries.counts(store, today=today),
        due_soon=queries.due_soon(store, today=today, limit=10),
        overdue=queries.overdue(store, today=today, limit=10),
        recent=queries.audit_log(store, limit=10, locale=lang()).rows,
        plan=content, past_progress=past_progress, today=today)
