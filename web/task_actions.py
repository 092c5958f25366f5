"""The task actions as forms: parse what the person typed, call one service command.

Parsing errors are ``FormError`` (shown beside the form); rule refusals stay
``DomainError`` and carry their own Vietnamese/English message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask_babel import gettext, lazy_gettext
from werkzeug.datastructures import ImmutableMultiDict

from web import evidence
from workflow import validate
from workflow.application import Workflow
from workflow.errors import DomainError
from workflow.evidence import Evidence
from workflow.rules import TRANSITIONS, Actor
from workflow.words import lazy


class FormError(ValueError):
    """Input that could not be read; the message is for people."""


# Each action's button, as the one table labels it, in the request's language.
LABELS = {action: lazy(transition.label) for action, transition in TRANSITIONS.items()}

DONE = {
    "start": lazy_gettext("Đã bắt đầu thực hiện."),
    "note": lazy_gettext("Đã ghi nhận tiến độ."),
    "report": lazy_gettext("Đã gửi báo cáo kết quả."),
    "verify": lazy_gettext("Đã xác nhận hoàn thành."),
    "return": lazy_gettext("Đã trả lại báo cáo."),
    "extend": lazy_gettext("Đã gia hạn."),
    "reassign": lazy_gettext("Đã giao lại nhiệm vụ."),
    "cancel": lazy_gettext("Đã hủy nhiệm vụ."),
}


def parse_date(text: str | None, label: str) -> date:
    """ISO (what a date input sends) or dd/mm/yyyy (what people type without one)."""
    text = (text or "").strip()
    try:
        if "/" in text:
            return datetime.strptime(text, "%d/%m/%Y").date()
        return date.fromisoformat(text)
    except ValueError:
        raise FormError(gettext("%(label)s phải là một ngày (dd/mm/yyyy).", label=label)) \
            from None


def optional(text: str | None) -> str | None:
    text = (text or "").strip().replace(",", ".")
    return text or None


def expected_version(form: ImmutableMultiDict) -> int | None:
    raw = form.get("version", "").strip()
    if not raw:
        return None
    try:
        # The same reading as a list position: ASCII digits, bounded (int() would
        # take "٣" or choke on thousands of digits).
        return validate.cursor(raw)
    except DomainError:
        raise FormError(gettext("Phiên bản biểu mẫu không hợp lệ; hãy tải lại trang.")) \
            from None


Command = Callable[[Workflow, Actor, UUID, ImmutableMultiDict, Any, int | None], None]


def _start(svc, who, task_id, form, files, version):
    svc.start_task(who, task_id, expected_version=version)


def _with_evidence(form, files, record: Callable[[list[Evidence]], None]) -> None:
    """Stage the uploaded files and typed links, then ``record`` them with the event."""
    uploads = files.getlist("evidence")
    links = [line.strip() for line in form.get("links", "").splitlines() if line.strip()]
    try:
        # The files are kept only if the event is recorded (events.log.evidence_files).
        with evidence.files().staging() as batch:
            record(evidence.stage(batch, uploads) + [Evidence.link(u) for u in links])
    except evidence.EvidenceError as error:
        raise FormError(str(error)) from None
    finally:
        for upload in uploads:  # large uploads spill to temporary files; free them now
            upload.close()


def _note(svc, who, task_id, form, files, version):
    _with_evidence(form, files, lambda items: svc.note_progress(
        who, task_id, form.get("text", ""), optional(form.get("percent")),
        optional(form.get("value")), expected_version=version, evidence=items))


def _report(svc, who, task_id, form, files, version):
    _with_evidence(form, files, lambda items: svc.submit_report(
        who, task_id, form.get("summary", ""), optional(form.get("value")), items,
        expected_version=version))


def _verify(svc, who, task_id, form, files, version):
    svc.verify_task(who, task_id, form.get("comment", ""), expected_version=version)


def _return(svc, who, task_id, form, files, version):
    svc.return_task(who, task_id, form.get("reason", ""), expected_version=version)


def _extend(svc, who, task_id, form, files, version):
    deadline = parse_date(form.get("deadline"), gettext("Hạn mới"))
    svc.extend_deadline(who, task_id, deadline, form.get("reason", ""),
                        expected_version=version)


def _reassign(svc, who, task_id, form, files, version):
    if not form.get("unit", "").strip():  # the placeholder: nothing was chosen
        raise FormError(gettext("Hãy chọn đơn vị sẽ nhận nhiệm vụ."))
    svc.reassign_task(who, task_id, form.get("unit", "").strip().upper(),
                      form.get("reason", ""), expected_version=version)


def _cancel(svc, who, task_id, form, files, version):
    svc.cancel_task(who, task_id, form.get("reason", ""), expected_version=version)


ALREADY_DONE = lazy_gettext("Bạn đã gửi thao tác này rồi.")

# The event each action records: how a repeat of one's own action is recognised.
RECORDS = {
    "start": "WorkStarted", "note": "ProgressNoted", "report": "ReportSubmitted",
    "verify": "ReportVerified", "return": "ReportReturned", "extend": "DeadlineExtended",
    "reassign": "TaskReassigned", "cancel": "TaskCancelled",
}


def already_done(svc: Workflow, who: Actor, task_id: UUID, action: str,
                 version: int | None) -> bool:
    """True when a form stale at ``version`` is this person's own repeat: every event
    since ``version`` is theirs and the latest is the one ``action`` records (a double
    submit), not a change by someone else."""
    if version is None:
        return False
    newer = svc.history(task_id)[version:]
    return (bool(newer) and all(event.actor == who.username for event in newer)
            and type(newer[-1]).__name__ == RECORDS.get(action))


COMMANDS: dict[str, Command] = {
    "start": _start, "note": _note, "report": _report, "verify": _verify,
    "return": _return, "extend": _extend, "reassign": _reassign, "cancel": _cancel,
}
