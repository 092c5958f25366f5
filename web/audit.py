"""Nhật ký: every recorded event, newest first, filtered by person, unit, type and days.

Everyone signed in may read it (DOMAIN.md); it reads the audit read model only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for

from events import queries
from web import hx, params, reads, storage
from web.i18n import lang
from workflow.words import NP_

bp = Blueprint("audit", __name__, url_prefix="/audit")

# The event types people look for; the URL may name any other type too.
TYPES = ("TaskAssigned", "WorkStarted", "ProgressNoted", "ReportSubmitted", "ReportVerified",
         "ReportReturned", "DeadlineExtended", "TaskReassigned", "TaskCancelled",
         "UnitCreated", "UnitRenamed", "UnitDeactivated", "UserRegistered", "RoleGranted",
         "UserDeactivated", "UserReactivated", "PasswordChanged", "PlanAdopted",
         "PlanRevised")


def _filters(args) -> dict[str, Any]:
    filters: dict[str, Any] = {
        "actor": (args.get("actor") or "").strip().lower() or None,
        "unit": (args.get("unit") or "").strip().upper() or None,
        "type": (args.get("type") or "").strip() or None,
    }
    filters["since"] = params.day(args.get("since"), NP_("field", "Ô “Từ ngày”"))
    filters["until"] = params.day(args.get("until"), NP_("field", "Ô “Đến ngày”"))
    return filters


@bp.get("/")
def index():
    filters = _filters(request.args)
    before = params.position(request.args.get("before"))
    page = queries.audit_log(storage.store(), **filters,
                             before=str(before) if before else None,
                             limit=current_app.config["PAGE_SIZE"], locale=lang())
    response = hx.page("audit/index.html", "audit_results", filters=filters, page=page,
                       types=TYPES, users=reads.users(), units=reads.units())
    return hx.push_url(response, url_for("audit.index",
                                         **reads.filter_args(filters, before=before)))
