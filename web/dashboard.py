"""Tổng quan: counts by state and grade, per unit, target progress, due soon, overdue,
recent activity. Every number links to the filtered task list."""

from __future__ import annotations

from flask import Blueprint

from events import queries
from web import hx, reads, storage
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
    return hx.page(
        "dashboard/index.html", "dashboard",
        counts=queries.counts(store, today=today),
        due_soon=queries.due_soon(store, today=today, limit=10),
        overdue=queries.overdue(store, today=today, limit=10),
        recent=queries.audit_log(store, limit=10, locale=lang()).rows,
        plan=reads.plan_content(plan), today=today)
