"""The shapes the API shares across operations: a task, a page of them, an event of a
task's history, and the error body. Each operation's own bodies and queries sit
beside its handler."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from web.api.contract import Answer
from workflow.grades import GRADES
from workflow.rules import STATES

State = Literal[STATES]  # type: ignore[valid-type]
Grade = Literal[GRADES]  # type: ignore[valid-type]
# The API's names of the task actions ("progress" is the service's note).
ACTIONS = {"start": "start", "progress": "note", "report": "report", "verify": "verify",
           "return": "return", "extend": "extend", "reassign": "reassign",
           "cancel": "cancel"}
API_NAMES = {service: api for api, service in ACTIONS.items()}
Action = Literal[tuple(ACTIONS)]  # type: ignore[valid-type]


class Problem(BaseModel):
    code: str = Field(description="Stable: scripts rely on it (docs/api.md lists them).")
    message: str = Field(description="For people: Vietnamese, or English with "
                                     "Accept-Language: en.")
    field: str | None = Field(None, description="The body field or parameter refused.")
    current_version: int | None = Field(
        None, description="With concurrent_change: the task's version now.")


class ErrorBody(BaseModel):
    error: Problem


class Task(Answer):
    id: str = Field(json_schema_extra={"format": "uuid"})
    title: str
    description: str
    state: State
    unit: str
    unit_name: str
    plan: str | None
    pillar: str | None
    target: str | None
    deadline: date
    original_deadline: date
    extensions: int
    grade: Grade | None
    returned: bool = Field(description="In progress again after a report was returned.")
    returns: int
    percent: int | None
    reported_value: float | None
    verified_value: float | None
    assigned_at: datetime | None
    assigned_by: str | None
    reported_by: str | None
    verified_by: str | None
    last_activity: datetime | None
    version: int = Field(description="Send it back as expected_version to act only on "
                                     "the task as you saw it.")
    actions: list[Action] = Field(description="What the caller may do to it now.")


class TaskPage(Answer):
    tasks: list[Task]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; "
                                                "null on the last.")
    total: int | None


class HistoryEvent(Answer):
    version: int
    type: str
    actor: str
    via: str | None = Field(None, description="api when it came through the API.")
    at: datetime
    position: int | None = Field(description="Its place in the whole log (the seal's "
                                             "proofs take it).")
    sentence: str = Field(description="What happened, in the requested language.")
    data: dict[str, Any]


class History(Answer):
    task: str
    events: list[HistoryEvent]


