"""Nhật ký: every recorded event, newest first, filtered by person, unit, type and days,
and the seal that vouches for it: the latest checkpoint and the last verification.

Each row says the event in people's words (its type's name, the person's display
name, what changed old → new) and links to its task. ``?format=csv`` or
``?format=xlsx`` sends the filtered view as a file: every row the page shows across
all its pages, same columns in both, streamed (``events.exports.audit_file``).

Everyone signed in may read it (DOMAIN.md). While the last verification found the log
damaged, admins and auditors see it named on every page (``seal_warning``, at the
top of ``base.html``) and the damaged task says so on its own page (``damage``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from types import SimpleNamespace
from typing import IO, Any

from flask import Blueprint, Response, abort, current_app, g, request, stream_with_context, url_for
from flask_login import current_user

from events import queries
from events.exports import audit_file
from events.queries import seal as seal_queries
from events.queries.audit import audit_rows
from web import fragments, hx, params, reads, storage
from web.i18n import lang
from web.later import Later
from web.versioned import remembered
from workflow.errors import DomainError
from workflow.event_names import event_type_name
from workflow.rules import Role
from workflow.seal import damage_name
from workflow.words import NP_, translate

bp = Blueprint("audit", __name__, url_prefix="/audit")

# The event types people look for; the URL may name any other type too.
TYPES = ("TaskAssigned", "WorkStarted", "ProgressNoted", "ReportSubmitted", "ReportVerified",
         "ReportReturned", "DeadlineExtended", "TaskReassigned", "TaskCancelled",
         "UnitCreated", "UnitRenamed", "UnitDeactivated", "UserRegistered", "RoleGranted",
         "UserDeactivated", "UserReactivated", "PasswordChanged", "ApiTokenIssued",
         "ApiTokenRevoked", "PlanAdopted", "PlanRevised")

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# An XLSX is written whole before it is sent (a zip's index comes last): up to this
# size in memory, beyond it in a temporary file.
_SPOOL = 8 * 1024 * 1024
_READ = 64 * 1024

# Who is told on every page that the record was damaged: those who answer for it.
WATCHERS = frozenset({Role.AUDITOR, Role.ADMIN})
def damage() -> dict[str, Any] | None:
    """What the last recorded verification found damaged (``seal.damage``), or None;
    read at most once per request (one row, by its primary key's order), and on a page
    of the present kept between requests under the seal's marks (``reads.marks``):
    every task page asks it."""
    if "nhiemvu_seal_damage" not in g:
        marks = reads.marks(seal_queries.MARK)

        def read() -> dict[str, Any] | None:
            return seal_queries.damage(storage.store())

        g.nhiemvu_seal_damage = (read() if marks is None
                                 else remembered(("seal damage",), marks, read))
    return g.nhiemvu_seal_damage


@bp.app_template_global()
def event_type_label(event_type: str) -> str:
    """An event type's name in the person's language, for the type filter."""
    return event_type_name(event_type, lang())


@bp.app_template_global()
def damage_kind(kind: str | None) -> str:
    return translate(damage_name(kind))


@bp.app_template_global()
def seal_warning() -> dict[str, Any] | None:
    """For an admin or auditor while the log is damaged: the position, the kind in
    words, when it was found and the task it belongs to (None when not a task)."""
    if not current_user.is_authenticated or current_user.role not in WATCHERS:
        return None
    found = damage()
    if found is None:
        return None
    task = None
    if found["record"]:
        try:
            task = queries.resolve_task_id(storage.store(), found["record"])
        except DomainError:  # another kind of record (a user, a unit, the plan)
            task = None
    return {"position": found["damaged_position"], "kind": damage_kind(found["kind"]),
            "at": found["at"], "task": task}


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
    wanted = request.args.get("format")
    if wanted:
        if wanted not in FORMATS:
            abort(400)
        return _export(filters, wanted)
    before = params.position(request.args.get("before"))
    # Both read only if rendered: they may be kept (web/fragments.py). The seal's part
    # of the page is not in the refreshed fragment.
    page = Later(lambda: queries.audit_log(storage.store(), **filters,
                                           before=str(before) if before else None,
                                           limit=current_app.config["PAGE_SIZE"],
                                           locale=lang(), names=reads.names()))
    seal = Later(lambda: SimpleNamespace(
        checkpoint=seal_queries.latest_checkpoint(storage.store()),
        verification=seal_queries.latest_verification(storage.store())))
    response = hx.page("audit/index.html", "audit_results", filters=filters, page=page,
                       types=TYPES, users=reads.users(), units=reads.units(), seal=seal,
                       seal_key=fragments.audit_seal(),
                       results_key=fragments.audit_results(filters, before))
    return hx.push_url(response, url_for("audit.index",
                                         **reads.filter_args(filters, before=before)))


def _export(filters: dict[str, Any], kind: str) -> Response:
    """The filtered view as a file: all its rows, newest first, as they are read."""
    store, locale = storage.store(), lang()
    entries = audit_rows(store, **filters, locale=locale)
    name = f"nhat-ky-{reads.today().strftime('%Y%m%d')}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "csv":
        body = (chunk.encode("utf-8") for chunk in audit_file.csv_text(entries, locale))
        return Response(stream_with_context(body), mimetype=FORMATS[kind], headers=headers)
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - closed by _sent
    audit_file.write_audit_xlsx(spool, entries, locale)
    headers["Content-Length"] = str(spool.tell())
    spool.seek(0)
    return Response(_sent(spool), mimetype=FORMATS[kind], headers=headers)


def _sent(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(_READ):
            yield chunk
