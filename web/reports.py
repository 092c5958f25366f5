"""Báo cáo định kỳ: the issued period reports, the form to issue one, each report as an
administrative document (printed on A4 by the browser) and its files.

Everyone signed in may read the reports; leaders and auditors issue them (the service
refuses anyone else, whatever the page showed). A report's page and files are made
again from the log position it is pinned to, so they say the same thing every time.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, flash, request, send_file, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from events.exports import report_text
from events.exports.report_docx import write_report_docx
from events.exports.report_tables import (
    REPORT_TABLES,
    SHEET_NAMES,
    paper_sections,
    write_report_csv,
    write_report_xlsx,
)
from events.processes import reporting
from events.queries import reports as report_queries
from web import auth, hx, params, reads, storage
from web.errors import form_status
from web.i18n import error_text, lang
from web.task_actions import FormError
from workflow import rules, validate
from workflow.errors import DomainError
from workflow.periods import KINDS, PeriodError
from workflow.words import NP_, translate

bp = Blueprint("reports", __name__, url_prefix="/reports")

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}


CUTOFF_FIELD = NP_("field", "Ô “Thời điểm chốt số liệu”")


def may_issue() -> bool:
    """Whether to offer the issue form (the service decides again on every POST)."""
    try:
        rules.check_admin(auth.actor(), "issue_report")
    except DomainError:
        return False
    return True


def _defaults() -> MultiDict:
    # The last whole quarter: a report of the quarter still running has no cut-off yet.
    today = reads.today()
    quarter, year = (today.month - 1) // 3, today.year
    if quarter == 0:
        quarter, year = 4, year - 1
    return MultiDict({"kind": "quarter", "year": str(year), "quarter": str(quarter),
                      "month": str(today.month), "half": "1"})


def _index(values: Any, error: str | None = None, status: int = 200):
    locale = lang()
    listed = [{**r, "title": report_text.title_of_period(r, locale),
               "cutoff_at": datetime.fromisoformat(r["cutoff"]),
               "issued": datetime.fromisoformat(r["issued_at"])}
              for r in report_queries.issued_reports(storage.store())]
    return hx.page("reports/index.html", "issue_form", status=status, reports=listed,
                   may_issue=may_issue(), values=values, error=error, kinds=KINDS)


@bp.get("/")
def index():
    return _index(_defaults())


def period_code(form: Any) -> str:
    """The period the form names, as a code ``workflow.periods.parse_period`` reads."""
    kind = (form.get("kind") or "").strip()
    year = (form.get("year") or "").strip()
    if kind == "custom":
        first = params.day(form.get("first_day"), NP_("field", "Ô “Từ ngày”"))
        last = params.day(form.get("last_day"), NP_("field", "Ô “Đến ngày”"))
        if first is None or last is None:
            raise FormError(gettext("Hãy nhập ngày đầu và ngày cuối của kỳ báo cáo."))
        return f"{first.isoformat()}..{last.isoformat()}"
    part = {"month": lambda: "-" + (form.get("month") or "").strip().zfill(2),
            "quarter": lambda: "-Q" + (form.get("quarter") or "").strip(),
            "half": lambda: "-H" + (form.get("half") or "").strip(),
            "year": lambda: ""}.get(kind)
    if part is None:
        raise FormError(gettext("Hãy chọn loại kỳ báo cáo."))
    return year + part()


@bp.post("/")
def issue():
    form = request.form
    try:
        # Who may not issue is told so before anything about what they typed.
        storage.service().check_may_issue_report(auth.actor())
        period = period_code(form)
        cutoff = validate.instant(form.get("cutoff"), CUTOFF_FIELD)
        report_id = reporting.issue(storage.live(), auth.actor(), period, cutoff,
                                    form.get("number", ""))
    except FormError as error:
        return _index(form, str(error), 422)
    except PeriodError as error:
        return _index(form, error.message(lang()), 422)
    except DomainError as error:
        return _index(form, error_text(error), form_status(error))
    flash(gettext("Đã ban hành báo cáo."))
    return hx.redirect_after_post(url_for("reports.show", report_id=report_id))


def _issued(report_id: UUID) -> dict[str, Any]:
    try:
        return report_queries.issued_report(storage.store(), report_id, locale=lang())
    except LookupError:
        abort(404)


@bp.get("/<uuid:report_id>")
def show(report_id: UUID):
    report = _issued(report_id)
    locale = lang()
    return hx.page("reports/show.html", report=report,
                   words=report_text.document_words(report, locale),
                   sections=paper_sections(report, locale),
                   downloads=[(t, translate(SHEET_NAMES[t], locale)) for t in REPORT_TABLES],
                   cutoff=report_text.cutoff_of(report["content"]),
                   cell=lambda value: report_text.cell_text(value, locale))


def _file_name(report: dict[str, Any], suffix: str) -> str:
    code = report_text.content_of(report)["period"]["code"].replace("..", "_")
    return f"bao-cao-{code}{suffix}"


def _download(report: dict[str, Any], kind: str, suffix: str, write) -> Any:
    out = io.BytesIO()
    write(out)
    out.seek(0)
    return send_file(out, mimetype=MEDIA_TYPES[kind], as_attachment=True,
                     download_name=_file_name(report, suffix))


@bp.get("/<uuid:report_id>.xlsx")
def xlsx(report_id: UUID):
    report = _issued(report_id)
    return _download(report, "xlsx", ".xlsx",
                     lambda out: write_report_xlsx(out, report, lang()))


@bp.get("/<uuid:report_id>.docx")
def docx(report_id: UUID):
    report = _issued(report_id)
    return _download(report, "docx", ".docx",
                     lambda out: write_report_docx(out, report, lang()))


@bp.get("/<uuid:report_id>/<table>.csv")
def csv(report_id: UUID, table: str):
    if table not in REPORT_TABLES:
        abort(404)
    report = _issued(report_id)
    return _download(report, "csv", f"-{table}.csv",
                     lambda out: write_report_csv(out, report, table, lang()))
