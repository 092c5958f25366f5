"""Kế hoạch: the plan's pillars, its targets with their ranges and progress."""

from __future__ import annotations

from flask import Blueprint, abort, request

from events import queries
from web import hx, reads, storage

bp = Blueprint("plan", __name__, url_prefix="/plan")


@bp.get("/")
def index():
    plans = queries.plans(storage.store())
    code = request.args.get("code") or reads.plan_code()
    content = reads.plan_content(code)
    if code and content is None:
        storage.service().get_plan(code)  # says why: unknown, or its record damaged
        abort(404)
    progress = {row["code"]: row for row in queries.target_progress(storage.store(), code)} \
        if content else {}
    return hx.page("plan/index.html", "plan", plans=plans, plan=content,
                   progress_by_code=progress)

