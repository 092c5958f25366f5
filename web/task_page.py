"""What the task page shows: the facts, this person's actions, and the timeline; and,
when the last verification found this task's record damaged, where.

The facts, the returned notice and the timeline are the same for every viewer of one
version of the task: they are kept (``web/fragments.py``, ``task_part``) and the
task's history behind them is read only when one of them must be rendered. The
actions are this viewer's (their role, their form tokens): made per request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from werkzeug.datastructures import ImmutableMultiDict

from web import audit, auth, fragments, reads, storage, timeline
from web.later import Later
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
    alerts = reads.task_alerts(task_id)
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
        # Read only if a kept part of the page must be rendered.
        "history": Later(lambda: History(task_id, task, alerts)),
        "returned_key": fragments.task_part("task returned", task_id, task),
        "facts_key": fragments.task_part("task facts", task_id, task),
        "timeline_key": fragments.task_part("task timeline", task_id, task, alerts),
        "units": reads.active_units() if "reassign" in allowed else [],
        "error": error,
        "error_action": error_action,
        "values": values if values is not None else ImmutableMultiDict(),
        "notice": notice,
        "damaged": damaged is not None,
        "damaged_at": damaged["damaged_position"] if damaged else None,
    }


class History:
    """What the task's events up to ``task``'s version say: the timeline (its alerts
    merged in), the deadline extensions, the open return and the value it returned."""

    def __init__(self, task_id: UUID, task: Any, alerts: list[dict[str, Any]]):
        # Up to the version shown: a write since must not add to this version's part.
        events = storage.service().history(task_id)[:task.version]
        entries = timeline.build(events, reads.person_name, reads.unit_name)
        if alerts:  # the positions are read only for a task that has alerts
            entries = timeline.with_alerts(entries, alerts, reads.task_positions(task_id),
                                           reads.person_name)
        self.entries = entries
        self.extensions = [e for e in entries if e.kind == "DeadlineExtended"]
        self.returned = returned_notice(task, events)
        self.returned_value = last_reported_value(events) if self.returned else None


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
