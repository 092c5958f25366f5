"""The Task aggregate: one assignment of the plan, and everything that happened to it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from workflow import clock, rules, validate
from workflow.base import Record
from workflow.errors import DomainError
from workflow.evidence import Evidence, evidence_list, upcast_evidence_v1
from workflow.rules import TRANSITIONS, Actor, State


class Task(Record):
    """A task moves assigned → in_progress → reported → verified (DOMAIN.md).

    When things happened is the events' own timestamps (read models use them);
    the aggregate keeps only what the rules need.

    Public methods check the rules, then call an ``@event`` method whose body only
    changes state, so replaying yesterday's events never re-checks today's rules.
    """

    TOPIC = "nhiemvu.task.Task"

    class Created(Record.Created):
        TOPIC = "nhiemvu.task.Task.Created"

    @event("TaskAssigned", topic="nhiemvu.task.TaskAssigned")
    def __init__(self, *, actor: str, title: str, description: str, unit: str,
                 plan: str | None, target: str | None, deadline: date) -> None:
        self.title = title
        self.description = description
        self.unit = unit
        self.plan = plan
        self.target = target
        self.deadline = deadline
        self.original_deadline = deadline
        self.extensions = 0
        self.state = State.ASSIGNED.value
        self.assigned_by = actor
        self.reported_by: str | None = None
        self.reported_value: Decimal | None = None
        self.verified_value: Decimal | None = None
        self.percent: int | None = None

    @classmethod
    def assign(cls, actor: Actor, *, title: str, unit: str, deadline: date,
               description: str = "", plan: str | None = None,
               target: str | None = None,
               horizon_years: int = validate.DEADLINE_YEARS) -> Task:
        rules.check_admin(actor, "assign")
        title = validate.text(title, "title")
        description = validate.text(description, "description", required=False)
        today = clock.local_today()
        validate.deadline(deadline, today, horizon_years)
        if deadline < today:
            raise DomainError("due_date_in_past", deadline=_dmy(deadline), today=_dmy(today))
        return cls(actor=actor.username, title=title, description=description, unit=unit,
                   plan=plan, target=target, deadline=deadline)

    # -- commands -----------------------------------------------------------------

    def check(self, actor: Actor, action: str) -> None:
        """Refuse ``action`` by ``actor`` unless the rules allow it on this task now."""
        rules.check(actor, action, state=self.state, unit=self.unit,
                    reported_by=self.reported_by)

    def allowed_actions(self, actor: Actor) -> list[str]:
        return rules.allowed_actions(actor, state=self.state, unit=self.unit,
                                     reported_by=self.reported_by)

    def start(self, actor: Actor) -> None:
        self.check(actor, "start")
        self._started(actor=actor.username)

    def note_progress(self, actor: Actor, text: str, percent: int | str | None = None,
                      value: Decimal | str | None = None,
                      evidence: Iterable[Evidence | Mapping[str, Any]] | None = None) -> None:
        """Note progress; ``evidence`` as for a report (files, links), none by default."""
        self.check(actor, "note")
        value = validate.measured_value(value)
        if value is not None and self.target is None:
            raise DomainError("value_without_target")
        self._progress_noted(actor=actor.username, text=validate.text(text, "text"),
                             percent=validate.percent(percent), value=value,
                             evidence=[item.as_dict() for item in evidence_list(evidence)])

    def submit_report(self, actor: Actor, summary: str, value: Decimal | str | None = None,
                      evidence: Iterable[Evidence | Mapping[str, Any]] | None = None) -> None:
        """Report results; ``evidence`` is ``Evidence`` items (or their recorded dicts)."""
        self.check(actor, "report")
        value = validate.measured_value(value)
        if value is not None and self.target is None:
            raise DomainError("value_without_target")
        summary = validate.text(summary, "summary")
        items = evidence_list(evidence)
        self._report_submitted(actor=actor.username, summary=summary, value=value,
                               evidence=[item.as_dict() for item in items])

    def verify(self, actor: Actor, comment: str = "") -> None:
        self.check(actor, "verify")
        self._report_verified(actor=actor.username,
                              comment=validate.text(comment, "comment", required=False))

    def return_for_rework(self, actor: Actor, reason: str) -> None:
        self.check(actor, "return")
        self._report_returned(actor=actor.username, reason=validate.text(reason, "reason"))

    def extend_deadline(self, actor: Actor, deadline: date, reason: str,
                        horizon_years: int = validate.DEADLINE_YEARS) -> None:
        """Move the deadline later (never earlier, never before today), with a reason.

        Bringing a deadline forward is not an extension: DeadlineExtended counts
        extensions and read models grade lateness against it (docs/events.md).
        """
        self.check(actor, "extend")
        reason = validate.text(reason, "reason")
        today = clock.local_today()
        validate.deadline(deadline, today, horizon_years)
        if deadline == self.deadline:
            raise DomainError("deadline_unchanged", deadline=_dmy(deadline))
        if deadline < today:
            raise DomainError("deadline_in_past", deadline=_dmy(deadline), today=_dmy(today))
        if deadline < self.deadline:
            raise DomainError("deadline_not_later", deadline=_dmy(deadline),
                              current=_dmy(self.deadline))
        self._deadline_extended(actor=actor.username, deadline=deadline,
                                previous_deadline=self.deadline, reason=reason)

    def reassign(self, actor: Actor, unit: str, reason: str) -> None:
        self.check(actor, "reassign")
        reason = validate.text(reason, "reason")
        if unit == self.unit:
            raise DomainError("same_unit", unit=unit)
        self._reassigned(actor=actor.username, unit=unit, previous_unit=self.unit,
                         reason=reason)

    def cancel(self, actor: Actor, reason: str) -> None:
        self.check(actor, "cancel")
        self._cancelled(actor=actor.username, reason=validate.text(reason, "reason"))

    # -- events: facts in the past tense; bodies only change state ---------------

    @event("WorkStarted", topic="nhiemvu.task.WorkStarted")
    def _started(self, actor: str) -> None:
        self._enter("start")

    class ProgressNoted(Record.Event):
        """Version 2 carries ``evidence`` (the report's shape); version 1 had none."""

        TOPIC = "nhiemvu.task.ProgressNoted"  # the stored topic, unchanged
        class_version = 2
        actor: str
        text: str
        percent: int | None
        value: Decimal | None
        evidence: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["evidence"] = []

    @event(ProgressNoted)
    def _progress_noted(self, actor: str, text: str, percent: int | None,
                        value: Decimal | None, evidence: list[dict[str, Any]]) -> None:
        if percent is not None:
            self.percent = percent

    class ReportSubmitted(Record.Event):
        """Version 2: one evidence shape, ``{name, media_type, size, sha256}`` or ``{url}``.

        Version 1 events recorded by the web said ``type`` and ``link``; the CLI and
        the demo already said ``media_type``. The upcast renames, nothing else.
        """

        TOPIC = "nhiemvu.task.ReportSubmitted"  # the stored topic, unchanged
        class_version = 2
        actor: str
        summary: str
        value: Decimal | None
        evidence: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["evidence"] = [upcast_evidence_v1(item) for item in state["evidence"] or []]

    @event(ReportSubmitted)
    def _report_submitted(self, actor: str, summary: str, value: Decimal | None,
                          evidence: list[dict[str, Any]]) -> None:
        self._enter("report")
        self.reported_by = actor
        self.reported_value = value

    @event("ReportVerified", topic="nhiemvu.task.ReportVerified")
    def _report_verified(self, actor: str, comment: str) -> None:
        self._enter("verify")
        self.verified_value = self.reported_value

    @event("ReportReturned", topic="nhiemvu.task.ReportReturned")
    def _report_returned(self, actor: str, reason: str) -> None:
        self._enter("return")

    @event("DeadlineExtended", topic="nhiemvu.task.DeadlineExtended")
    def _deadline_extended(self, actor: str, deadline: date, previous_deadline: date,
                           reason: str) -> None:
        self.deadline = deadline
        self.extensions += 1

    @event("TaskReassigned", topic="nhiemvu.task.TaskReassigned")
    def _reassigned(self, actor: str, unit: str, previous_unit: str, reason: str) -> None:
        self.unit = unit

    @event("TaskCancelled", topic="nhiemvu.task.TaskCancelled")
    def _cancelled(self, actor: str, reason: str) -> None:
        self._enter("cancel")

    def _enter(self, action: str) -> None:
        # Where an action leads is the one table's ``target`` (workflow.rules); the board
        # projection reads it too, so the two cannot disagree. Replays apply it to stored
        # events: a changed target would change what recorded facts mean, so a new rule
        # needs a new event, never an edited target.
        self.state = TRANSITIONS[action].target.value


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")
