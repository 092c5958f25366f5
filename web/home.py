"""Trang đầu theo vai trò: ``/`` sends each person to where their work is — a unit's
head or member to their unit's open tasks (``/my-unit``), a leader or admin to the
commune's overview, an auditor to the audit log. Every page stays one tap away."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from web import hx, reads
from workflow.grades import Grade

bp = Blueprint("home", __name__)

# The roles whose work is their unit's; the rest start on the commune's pages.
UNIT_ROLES = frozenset({"unit_head", "member"})
DUE_SOON_DAYS = 7
SHOWN = 20  # rows per section; the section's link lists them all


@bp.get("/")
def root():
    if current_user.role == "auditor":
        endpoint = "audit.index"
    elif current_user.role in UNIT_ROLES and current_user.unit:
        endpoint = "home.unit"
    else:
        endpoint = "dashboard.index"
    # 303: the address says which page this is. A past is passed on unread, for the
    # page it leads to to check (opening it here would only be thrown away).
    past = request.args.get("as_of")
    return redirect(url_for(endpoint, **({"as_of": past} if past else {})), 303)


@bp.get("/my-unit")
def unit():
    code = current_user.unit
    if not code:
        return hx.page("home/no_unit.html")
    return hx.page("home/unit.html", "home", unit=code, unit_name=reads.unit_name(code),
                   sections=sections(code), today=reads.today())


def sections(code: str) -> list[dict[str, Any]]:
    """The unit's open tasks in four sections that never overlap, most urgent first:
    overdue; due within 7 days; returned for rework (due later); the rest. Each has
    its rows (at most ``SHOWN``), its count, and the filters of its full list."""
    today = reads.today()
    last_day = today + timedelta(days=DUE_SOON_DAYS - 1)
    on_time = Grade.OPEN_ON_TIME.value
    found = []
    for key, filters in (
            ("overdue", {"overdue": True}),
            ("due_soon", {"grade": on_time, "deadline_from": today, "deadline_to": last_day}),
            # A returned task due soon or overdue is listed above, with its badge.
            ("returned", {"returned": True, "deadline_from": last_day + timedelta(days=1)}),
            ("rest", {"grade": on_time, "deadline_from": last_day + timedelta(days=1)})):
        filters = {"unit": code, **filters}
        # The rest reads more: some of its first rows may be the returned ones.
        page = reads.board(filters, limit=SHOWN * 2 if key == "rest" else SHOWN)
        found.append({"key": key, "filters": filters, "rows": page.rows,
                      "total": page.total})
    # The rest is what is due later less the returned ones, listed just above it.
    returned, rest = found[2], found[3]
    rest["rows"] = [row for row in rest["rows"] if not row["returned"]][:SHOWN]
    rest["total"] -= returned["total"]
    return found
