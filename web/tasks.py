"""Nhiệm vụ: the task list, the task page with the actions this person may take now,
and the evidence files attached to reports."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, flash, request, send_file, url_for

from web import auth, fragments, hx, params, reads, storage, task_page
from web.errors import DAMAGED_CODES, form_status
from web.evidence import path_of
from web.i18n import error_text
from web.later import Later
from web.task_actions import ALREADY_DONE, COMMANDS, DONE, FormError, already_done, expected_version
from workflow.errors import DomainError

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
bp.add_app_template_global(reads.filter_args, "filter_args")


@bp.app_context_processor
def _tasks_url() -> dict[str, str]:
    # Lists link to many tasks: one url_for per page, not one per row.
    return {"tasks_url": url_for("tasks.index")}


@bp.get("/")
def index():
    filters = reads.board_filters(request.args)
    sort = filters["sort"] or "deadline"
    after = params.board_cursor(request.args.get("after"), sort)
    before = None if after else params.board_cursor(request.args.get("before"), sort)
    # Read only if the results are rendered: they may be kept (web/fragments.py).
    board = Later(lambda: reads.board(filters, after=after, before=before))
    response = hx.page("tasks/list.html", "results", filters=filters, board=board,
                       choices=reads.filter_choices(),
                       results_key=fragments.task_results(filters, after, before))
    return hx.push_url(response, url_for("tasks.index", **reads.filter_args(
        filters, after=after, before=before)))


@bp.get("/<uuid:task_id>")
def show(task_id: UUID):
    return hx.page("tasks/task.html", "task_panel", **task_page.context(task_id))


@bp.post("/<uuid:task_id>/<action>")
def act(task_id: UUID, action: str):
    command = COMMANDS.get(action)
    if command is None:
        abort(404)
    svc = storage.service()
    try:
        command(svc, auth.actor(), task_id, request.form, request.files,
                expected_version(request.form))
    except (DomainError, FormError) as error:
        if isinstance(error, DomainError) and (error.code == "unknown_task"
                                               or error.code in DAMAGED_CODES):
            raise
        if (isinstance(error, DomainError) and error.code == "concurrent_change"
                and already_done(svc, auth.actor(), task_id, action,
                                 expected_version(request.form))):
            return _done(task_id, str(ALREADY_DONE))
        message = error_text(error) if isinstance(error, DomainError) else str(error)
        status = form_status(error) if isinstance(error, DomainError) else 422
        # The panel is rebuilt from the task as it is now, keeping what was typed.
        context = task_page.context(task_id, error=message, error_action=action,
                                    values=request.form)
        return hx.page("tasks/task.html", "task_panel", status=status, **context)
    return _done(task_id, str(DONE[action]))


def _done(task_id: UUID, message: str):
    if hx.wants_fragment():
        return hx.page("tasks/task.html", "task_panel",
                       **task_page.context(task_id, notice=message))
    flash(message)
    return hx.redirect_after_post(url_for("tasks.show", task_id=task_id))


@bp.get("/<uuid:task_id>/evidence/<digest>")
def evidence_file(task_id: UUID, digest: str):
    # Served only as recorded in the task's own history: name and type come from the
    # event. Reports recorded by the web before ReportSubmitted version 2 said "type";
    # the event's upcast renames it, so every report reads "media_type" here.
    path = path_of(digest)
    if path is None:
        abort(404)
    for event in storage.service().history(task_id):
        for item in getattr(event, "evidence", None) or []:
            if isinstance(item, dict) and item.get("sha256") == digest:
                if not path.exists():
                    abort(404)
                return send_file(path, as_attachment=True,
                                 mimetype=item.get("media_type") or "application/octet-stream",
                                 download_name=item.get("name") or digest)
    abort(404)

