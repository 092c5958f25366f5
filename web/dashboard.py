"""Tổng quan: the chairman's overview (targets against their ranges, units ranked,
the trend by month), then counts by state and grade, per unit, due soon, overdue,
recent activity. Every number links to the filtered task list.

Every query takes ``storage.store()``: of a page of the past (``?as_of=``, see
web/as_of.py) that is the past, so the overview shows what it showed then.
"""

from __future__ import annotations

import pickle
from typing import Any

from flask import Blueprint, render_template, request
from markupsafe import Markup

from events import queries
from web import hx, reads, storage
from web.i18n import lang
from web.versioned import remembered
from workflow.bands import band_name as _band_name

bp = Blueprint("dashboard", __name__)


@bp.app_template_global()
def unit_state(row: dict, state: str) -> int:
    """How many of a unit's tasks are in ``state`` (a per-unit row of ``counts``)."""
    return row["by_state"].get(state, 0)


@bp.app_template_global()
def band_name(code: str | None) -> str:
    """A band (workflow/bands.py) in the request's words; a global, not a filter, so
    Jinja never folds it into a template in the first asker's language."""
    return _band_name(code, lang())


def _with_every_unit(by_unit: list[dict[str, Any]],
                     units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-unit counts, with a row of zeros for each active unit without tasks."""
    present = {row["unit"] for row in by_unit}
    empty = {"by_state": {}, "by_grade": {}, "overdue": 0, "total": 0}
    missing = [{"unit": u["code"], "unit_name": u["name"], **empty}
               for u in units if u["active"] and u["code"] not in present]
    return sorted(by_unit + missing, key=lambda row: row["unit_name"] or row["unit"])


@bp.get("/overview")
def index():
    if reads.version() is None or request.args:
        # A past, or a URL with parameters (the picker's hidden fields repeat them):
        # made for this request alone.
        figures, recent = _figures(kept=False), _recent()
    else:
        # The same for everyone who asks now in this language: the figures made once
        # per day and version of what they are read from, which no progress note
        # moves (``reads.version_but_notes``); the recent activity, which every note
        # adds to, once per version of the data (web/versioned.py).
        figures = remembered(("overview", lang()),
                             (reads.version_but_notes(), reads.today()),
                             lambda: _figures(kept=True))
        recent = remembered(("overview recent", lang()), reads.version(), _recent)
    return hx.page("dashboard/index.html", "dashboard", figures=figures, recent=recent)


def _recent() -> list[dict[str, Any]]:
    return queries.audit_log(storage.store(), limit=10, locale=lang(),
                             names=reads.names()).rows


def _figures(*, kept: bool) -> Markup:
    """The figures and charts in HTML. ``kept``: rendered again only when what they
    show differs (a revised plan's title, say, moves their version, seldom them)."""
    store = storage.store()
    today = reads.today()
    plan = reads.plan_code()
    content = reads.plan_content(plan)
    targets = queries.target_progress(store, plan, today) if content else []
    counts = queries.counts(store, today=today)
    counts["by_unit"] = _with_every_unit(counts["by_unit"], reads.units())
    # Ranked from the counts just read: the per-unit tallies are not read twice.
    ranking = queries.rank_units(counts["by_unit"],
                                 {u["code"]: u["name"] for u in reads.active_units()})
    year = queries.plan_year(store, plan, today)
    figures = {
        "counts": counts,
        "due_soon": queries.due_soon(store, today=today, limit=10),
        "overdue": queries.overdue(store, today=today, limit=10),
        "plan": content, "today": today, "targets": targets, "ranking": ranking,
        "trend": queries.monthly_trend(store, plan, year) if plan else [], "year": year,
    }

    def render() -> Markup:
        return Markup(render_template("dashboard/_figures.html", **figures))

    if not kept:
        return render()
    # Keyed by the figures themselves, pickled (plain data: dicts, lists, text, numbers,
    # dates; pickling writes every value, where a repr may leave some out): equal
    # figures render equal HTML.
    return remembered(("overview figures", lang()), pickle.dumps(figures), render)
