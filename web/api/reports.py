"""Period reports: the issued ones, each one's content byte for byte, what changed
since it was issued, and issuing one (leaders and auditors: the service refuses
anyone else).

An issued report's content is rendered again from the log position it is pinned to
and sent in its one canonical byte form (``events.queries.report_content``), so two
readings give the same bytes, whose SHA-256 is the digest recorded at its issue.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import Response
from pydantic import Field

from events.exports import report_text
from events.processes import reporting
from events.queries import reports as report_queries
from web import storage
from web.api import problems
from web.api.audit import HEX64, AuditEntry, entry_json
from web.api.contract import Answer, Body, operation
from web.i18n import lang
from workflow import validate
from workflow.periods import PeriodError
from workflow.reports import NUMBER_LIMIT
from workflow.rules import Actor
from workflow.words import NP_

TAG = "reports"
CUTOFF_FIELD = NP_("field", "Trường “cutoff”")


class ReportPeriod(Answer):
    code: str = Field(description="2025-Q1, 2025-06, 2025-H1, 2025 or "
                                  "2025-04-15..2025-06-14.")
    kind: str = Field(description="month, quarter, half, year or custom.")
    first_day: date
    last_day: date


class ReportCheckpoint(Answer):
    size: int
    root: str = Field(description="The seal's root when it was issued (hex); check it "
                                  "with /audit/consistency.")
    at: datetime | None


class ReportMeta(Answer):
    id: str = Field(json_schema_extra={"format": "uuid"})
    number: str = Field(description="Its number (15/BC-UBND), or empty.")
    title: str = Field(description="Its period in words, in the requested language.")
    period: ReportPeriod
    cutoff: datetime = Field(description="The figures are as the log held them then.")
    position: int = Field(description="The log position its figures were read at.")
    issued_at: datetime
    issued_by: str
    issued_by_name: str
    digest: str = Field(pattern=HEX64, description="SHA-256 (hex) of its content's "
                                                   "bytes, as GET /reports/{id} sends them.")
    format: int
    checkpoint: ReportCheckpoint


class ReportList(Answer):
    reports: list[ReportMeta] = Field(description="The most recently issued first.")


class ReportCheck(ReportMeta):
    digest_matches: bool = Field(description="Whether its content rendered again still "
                                             "has the digest recorded at its issue.")
    changed_since: list[AuditEntry] = Field(
        description="What the log recorded after it was issued that changes one of its "
                    "figures, oldest first.")


def _meta(found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "title": report_text.title_of_period(found, lang())}


@operation("GET", "/reports", summary="The issued period reports", tag=TAG,
           response=ReportList)
def list_reports(actor: Actor) -> dict[str, Any]:
    return {"reports": [_meta(r) for r in report_queries.issued_reports(storage.live())]}


def _issued(report_id: UUID) -> dict[str, Any]:
    try:
        return report_queries.issued_report(storage.live(), report_id, locale=lang())
    except LookupError:
        raise problems.ApiError(404, "unknown_report", report=str(report_id)) from None


@operation("GET", "/reports/{report_id}", summary="An issued report's content, byte for "
           "byte", tag=TAG, errors=(404,))
def report(actor: Actor, report_id: UUID) -> Response:
    """The content (format 1, docs/audit.md) in its canonical bytes: sorted keys, no
    spaces, UTF-8. ``ETag`` is their SHA-256; ``X-Report-Digest`` the digest recorded
    at its issue: the two are equal unless the record was damaged since."""
    found = _issued(report_id)
    content = report_queries.canonical(found["content"])
    response = Response(content, mimetype="application/json")
    response.set_etag(hashlib.sha256(content).hexdigest())
    response.headers["X-Report-Digest"] = found["digest"]
    return response


@operation("GET", "/reports/{report_id}/meta", summary="An issued report's record and "
           "what changed since", tag=TAG, response=ReportCheck, errors=(404,))
def report_meta(actor: Actor, report_id: UUID) -> dict[str, Any]:
    found = _issued(report_id)
    return {**_meta(found),
            "changed_since": [entry_json(e) for e in found["changed_since"]]}


class IssueBody(Body):
    period: str = Field(max_length=40, description="2025-Q1, 2025-06, 2025-H1, 2025, or "
                                                   "2025-04-15..2025-06-14.")
    cutoff: str | None = Field(None, max_length=40, description=(
        "ISO-8601 instant (Vietnam time without an offset). Default: the period's last "
        "second, or now while the period runs."))
    number: str = Field("", max_length=NUMBER_LIMIT, description="e.g. 15/BC-UBND.")


@operation("POST", "/reports", summary="Issue a period report (leaders, auditors)",
           tag=TAG, body=IssueBody, response=ReportMeta, status=201, errors=(403,))
def issue(actor: Actor, body: IssueBody) -> Any:
    """Its figures are read at the cut-off and sealed; it is the same for ever after."""
    service = storage.service()
    # Who may not issue is told so before anything about what they sent.
    service.check_may_issue_report(actor)
    cutoff = validate.instant(body.cutoff, CUTOFF_FIELD)
    try:
        report_id = reporting.issue(storage.live(), actor, body.period, cutoff, body.number)
    except PeriodError as error:
        return problems.respond(400, "invalid_period", error.message(lang()))
    key = UUID(str(report_id))
    found = next(r for r in report_queries.issued_reports(storage.live())
                 if UUID(r["id"]) == key)
    return _meta(found)
