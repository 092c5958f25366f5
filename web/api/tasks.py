"""Tasks: the list, one task (now or as it was), assigning, the eight actions, and a
task's whole history. Every command goes through the application service with the
token's person, so the rules and their refusals are the web's own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import Any
from uuid import UUID

from pydantic import Field

from events import queries
from events.queries.as_of import as_of
from events.queries.tasks import task_row
from web import params, storage
from web.api import problems
from web.api.contract import Body, Query, WholeNumber, operation
from web.api.schemas import ACTIONS, API_NAMES, Grade, History, State, Task, TaskPage
from web.i18n import lang
from workflow import rules, validate
from workflow.errors import DomainError
from workflow.evidence import Evidence
from workflow.rules import Actor
from workflow.words import NP_

TAG = "tasks"
_FIELD = validate.FIELDS
AS_OF = Field(None, max_length=40, description="ISO-8601 instant (Vietnam time without "
                                                "an offset): the answer as it was then.")


def past_or_now(instant_text: str | None) -> AbstractContextManager[Any]:
    """The store to read: the past at ``as_of`` (refused if in the future), or now."""
    instant = validate.instant(instant_text, NP_("field", "Tham số “as_of”"))
    return as_of(storage.live(), instant) if instant else nullcontext(storage.live())


def task_json(row: dict[str, Any], actor: Actor | None) -> dict[str, Any]:
    """A board row as the API's task: with what ``actor`` may do to it now (nothing
    for a task read in the past, which is never changed)."""
    allowed = [] if actor is None else rules.allowed_actions(
        actor, state=row["state"], unit=row["unit"], reported_by=row["reported_by"])
    return {**row, "actions": [API_NAMES[a] for a in allowed]}


def current_task(task_id: UUID | str, actor: Actor | None) -> dict[str, Any]:
    row = task_row(storage.live(), task_id)
    if row is None:
        raise DomainError("unknown_task", task=str(task_id))
    return task_json(row, actor)


class TaskQuery(Query):
    state: State | None = None
    unit: str | None = Field(None, max_length=40)
    pillar: str | None = Field(None, max_length=40)
    target: str | None = Field(None, max_length=40)
    grade: Grade | None = None
    q: str | None = Field(None, max_length=100, description="Words of the title or "
                                                            "description, diacritics optional.")
    overdue: bool = False
    due_before: str | None = Field(None, max_length=10, description="ISO date: deadlines "
                                                                    "before this day.")
    as_of: str | None = AS_OF
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=60, description="A page's next_cursor.")


@operation("GET", "/tasks", summary="The task list, filtered, a page at a time", tag=TAG,
           query=TaskQuery, response=TaskPage)
def list_tasks(actor: Actor, query: TaskQuery) -> dict[str, Any]:
    """Sorted by deadline, then id. Filters combine with AND."""
    due_before = params.day(query.due_before, NP_("field", "Tham số “due_before”"))
    cursor = params.board_cursor(query.cursor)
    with past_or_now(query.as_of) as store:
        page = queries.board(
            store, state=query.state, unit=_code(query.unit), pillar=_code(query.pillar),
            target=_code(query.target), grade=query.grade, q=query.q, overdue=query.overdue,
            deadline_to=due_before - timedelta(days=1) if due_before else None,
            after=cursor, limit=query.limit)
    present = None if query.as_of else actor
    return {"tasks": [task_json(row, present) for row in page.rows],
            "next_cursor": page.next_cursor, "total": page.total}


def _code(text: str | None) -> str | None:
    return text.strip().upper() or None if text else None


def _deadline(text: str) -> Any:
    """A body's ``deadline``: an ISO day within the window, or refused."""
    found = params.day(text, NP_("field", "Trường “deadline”"))
    if found is None:
        raise DomainError("invalid_date", field=NP_("field", "Trường “deadline”"))
    return found


class AssignBody(Body):
    title: str = Field(max_length=_FIELD["title"].limit)
    description: str = Field("", max_length=_FIELD["description"].limit)
    unit: str = Field(max_length=40, description="The unit's code, e.g. VP.")
    deadline: str = Field(max_length=10, json_schema_extra={"format": "date"})
    target: str | None = Field(None, max_length=40, description="A target of the plan "
                                                                "in force, e.g. CQS-1.")


@operation("POST", "/tasks", summary="Assign a task (leaders)", tag=TAG, body=AssignBody,
           response=Task, status=201, errors=(403,))
def assign(actor: Actor, body: AssignBody) -> dict[str, Any]:
    service = storage.service()
    deadline = _deadline(body.deadline)
    plan = queries.default_plan_code(storage.live()) if body.target else None
    task_id = service.assign_task(actor, unit=body.unit.strip().upper(), deadline=deadline,
                                  title=body.title, description=body.description,
                                  target=body.target.strip().upper() if body.target else None,
                                  plan=plan)
    return current_task(task_id, actor)


class TaskAsOf(Query):
    as_of: str | None = AS_OF


@operation("GET", "/tasks/{task_id}", summary="One task, now or as it was", tag=TAG,
           query=TaskAsOf, response=Task, errors=(404,))
def show(actor: Actor, task_id: UUID, query: TaskAsOf) -> dict[str, Any]:
    with past_or_now(query.as_of) as store:
        row = task_row(store, task_id)
    if row is None:  # unknown, or not yet assigned at that instant
        raise DomainError("unknown_task", task=str(task_id))
    return task_json(row, None if query.as_of else actor)


@operation("GET", "/tasks/{task_id}/history", summary="Every event of the task",
           tag=TAG, response=History, errors=(404,))
def history(actor: Actor, task_id: UUID) -> dict[str, Any]:
    entries = queries.task_history(storage.live(), task_id, lang())
    if not entries:
        raise DomainError("unknown_task", task=str(task_id))
    return {"task": str(task_id), "events": [
        {**entry, "sentence": entry["summary"], "via": entry["data"].get("via")}
        for entry in entries]}


# -- the actions ------------------------------------------------------------------

class ActionBody(Body):
    expected_version: WholeNumber | None = Field(
        None, ge=1, description="The version you saw: if the task changed since, 409 "
                                "and nothing is recorded.")


class ProgressBody(ActionBody):
    note: str = Field(max_length=_FIELD["text"].limit)
    percent: WholeNumber | None = Field(None, ge=0, le=100)
    value: float | None = Field(None, ge=0, le=100, description="The target's measured "
                                                                "value, for a task with one.")
    links: list[str] = Field([], max_length=20, description="Evidence links (http/https).")


class ReportBody(ActionBody):
    summary: str = Field(max_length=_FIELD["summary"].limit)
    value: float | None = Field(None, ge=0, le=100)
    links: list[str] = Field([], max_length=20)


class VerifyBody(ActionBody):
    note: str = Field("", max_length=_FIELD["comment"].limit)


class ReasonBody(ActionBody):
    reason: str = Field(max_length=_FIELD["reason"].limit)


class ExtendBody(ReasonBody):
    deadline: str = Field(max_length=10, json_schema_extra={"format": "date"})


class ReassignBody(ReasonBody):
    unit: str = Field(max_length=40)


def _value(number: float | None) -> str | None:
    return None if number is None else format(number, "f")


def _links(urls: list[str]) -> list[Evidence]:
    return [Evidence.link(url) for url in urls]


_COMMANDS: dict[str, tuple[type[ActionBody], str, Callable[..., None]]] = {
    "start": (ActionBody, "Start work (the unit)", lambda s, a, t, b, v: s.start_task(
        a, t, expected_version=v)),
    "progress": (ProgressBody, "Note progress (the unit)", lambda s, a, t, b, v:
                 s.note_progress(a, t, b.note, b.percent, _value(b.value),
                                 expected_version=v, evidence=_links(b.links))),
    "report": (ReportBody, "Report results (the unit head)", lambda s, a, t, b, v:
               s.submit_report(a, t, b.summary, _value(b.value), _links(b.links),
                               expected_version=v)),
    "verify": (VerifyBody, "Verify as done (leaders)", lambda s, a, t, b, v:
               s.verify_task(a, t, b.note, expected_version=v)),
    "return": (ReasonBody, "Return the report for rework (leaders)", lambda s, a, t, b, v:
               s.return_task(a, t, b.reason, expected_version=v)),
    "extend": (ExtendBody, "Extend the deadline (leaders)", lambda s, a, t, b, v:
               s.extend_deadline(a, t, _deadline(b.deadline), b.reason,
                                 expected_version=v)),
    "reassign": (ReassignBody, "Give the task to another unit (leaders)",
                 lambda s, a, t, b, v: s.reassign_task(a, t, b.unit.strip().upper(),
                                                       b.reason, expected_version=v)),
    "cancel": (ReasonBody, "Cancel the task (leaders)", lambda s, a, t, b, v:
               s.cancel_task(a, t, b.reason, expected_version=v)),
}
assert set(_COMMANDS) == set(ACTIONS)


def _action(name: str, body_model: type[ActionBody], summary: str,
            command: Callable[..., None]) -> None:
    def act(actor: Actor, task_id: UUID, body: ActionBody) -> Any:
        try:
            command(storage.service(), actor, task_id, body, body.expected_version)
        except DomainError as error:
            if error.code != "concurrent_change":
                raise
            # From the task's events, not the board: the winner's event may not have
            # reached that read model yet, and a retry must send the version now.
            current = storage.service().get_task(task_id).version
            return problems.domain_error(error, current_version=current)
        return current_task(task_id, actor)

    act.__name__ = f"task_{name}"
    act.__doc__ = ("Refused with 409 when the task's state does not allow it, or when "
                   "expected_version is not its version now (the body then says it).")
    operation("POST", f"/tasks/{{task_id}}/{name}", summary=summary, tag=TAG,
              body=body_model, response=Task, errors=(403, 404, 409))(act)


for _name, (_model, _summary, _command) in _COMMANDS.items():
    _action(_name, _model, _summary, _command)
