"""What the task page shows: the facts, this person's actions, and the timeline; and,
when the last verification found this task's record damaged, where."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from werkzeug.datastructures import ImmutableMultiDict

from web import audit, auth, reads, storage, timeline
from web.task_actions import LABELS


def context(task_id: UUID, *, error: str | None = None, error_action: str | None = None,
            values: ImmutableMultiDict | None = None, notice: str | None = None
            ) -> dict[str, Any]:
    svc = storage.service()
    version = reads.task_version(task_id)
    task = svc.get_task(task_id, version)
    # The same rule as service.allowed_actions, asked of the task already loaded; the
    # past is only read.
    allowed = [] if version else task.allowed_actions(auth.actor())
    events = svc.history(task_id)[:version]
    entries = timeline.build(events, reads.person_name, reads.unit_name)
    alerts = reads.task_alerts(task_id)
    if alerts:  # the positions are read only for a task that has alerts
        entries = timeline.with_alerts(entries, alerts, reads.task_positions(task_id),
                                       reads.person_name)
    extensions = [e for e in entries if e.kind == "DeadlineExtended"]
    returned = returned_notice(task, events)
    found = audit.damage()
    # Told to every viewer: the page must not vouch for a record the seal disowns.
    damaged = found if found is not None and found["record"] == task_id.hex else None
    return {
        "task": task,
        "task_id": task_id,
        "unit_name": reads.unit_name(task.unit),
        "target": reads.target(task.plan, task.target),
        "allowed": allowed,
        "labels": LABELS,
        "entries": entries,
        "extensions": extensions,
        "units": reads.active_units() if "reassign" in allowed else [],
        "error": error,
        "error_action": error_action,
        "values": values if values is not None else ImmutableMultiDict(),
        "notice": notice,
        "returned": returned,
        "returned_value": last_reported_value(events) if returned else None,
        "damaged": damaged is not None,
        "damaged_at": damaged["damaged_position"] if damaged else None,
    }


def returned_notice(task: Any, events: list[Any]) -> dict[str, Any] | None:
    """While a returned task is back in progress (no report since the return): the
    return's reason, who returned it (display name) and when; otherwise None."""
    if task.state != "in_progress":
        return None
    for event in reversed(events):
        kind = type(event).__name__
        if kind == "ReportSubmitted":
            return None  # reported again since: the return is answered
        if kind == "ReportReturned":
            return {"reason": event.reason, "by": reads.person_name(event.actor),
                    "at": event.timestamp}
    return None


def last_reported_value(events: list[Any]) -> Any:
    """The measured value of the latest report (the one returned), or None."""
    for event in reversed(events):
        if type(event).__name__ == "ReportSubmitted":
            return event.value
    return None
