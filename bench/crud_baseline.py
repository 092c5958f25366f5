"""The plain CRUD tracker bench/commands.py measures the service against.

What the same product would be without an event log: a ``tasks`` row updated in place,
one audit row per change, in SQLAlchemy Core. Each command does what the service's
does, with the service's own rules (``workflow.rules``, ``workflow.validate``): the
actor read from a ``users`` table, refused if inactive; the task row read; the
permission and state transition checked by ``rules.check``; the texts checked; then
``UPDATE … WHERE version = ?`` (a concurrent change is refused, as the service refuses
a stale aggregate) and the audit ``INSERT`` in one transaction, committed. Assigning
reads the unit (refused if unknown or inactive) and checks the deadline instead.

Only for benchmarks: nothing in the product imports this.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    insert,
    select,
    update,
)

from workflow import clock, rules, validate
from workflow.errors import DomainError
from workflow.rules import Actor, State

metadata = MetaData()
units = Table("crud_units", metadata,
              Column("code", String(40), primary_key=True),
              Column("name", Text, nullable=False),
              Column("active", Boolean, nullable=False))
users = Table("crud_users", metadata,
              Column("username", String(40), primary_key=True),
              Column("role", String(20), nullable=False),
              Column("unit", String(40)),
              Column("active", Boolean, nullable=False))
tasks = Table("crud_tasks", metadata,
              Column("id", Uuid, primary_key=True),
              Column("version", Integer, nullable=False),
              Column("title", Text, nullable=False),
              Column("description", Text, nullable=False),
              Column("unit", String(40), nullable=False),
              Column("deadline", Date, nullable=False),
              Column("state", String(20), nullable=False),
              Column("assigned_by", String(40), nullable=False),
              Column("reported_by", String(40)),
              Column("percent", Integer),
              Column("summary", Text))
audit = Table("crud_audit", metadata,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("task_id", Uuid, nullable=False, index=True),
              Column("at", DateTime(timezone=True), nullable=False),
              Column("actor", String(40), nullable=False),
              Column("action", String(20), nullable=False),
              Column("detail", Text, nullable=False))


def checked_assignment(unit: str, row: Any, title: str, deadline: date) -> str:
    """The checks ``Task.assign`` makes, on the unit's row (None: no such unit); returns
    the title as stored."""
    if row is None:
        raise DomainError("unknown_unit", unit=unit)
    if not row.active:
        raise DomainError("unit_inactive", unit=row.code)
    title = validate.text(title, "title")
    today = clock.local_today()
    validate.deadline(deadline, today)
    if deadline < today:
        raise DomainError("due_date_in_past", deadline=f"{deadline:%d/%m/%Y}",
                          today=f"{today:%d/%m/%Y}")
    return title


class TaskCommands:
    """The four task commands, checked as the service checks them: what both baselines
    (Core here, ORM in crud_orm.py) share; each writes its change in ``_change``."""

    def start_task(self, username: str, task_id: uuid.UUID) -> None:
        self._change(username, task_id, "start", {})

    def note_progress(self, username: str, task_id: uuid.UUID, text: str,
                      percent: int | None = None) -> None:
        percent = validate.percent(percent)
        self._change(username, task_id, "note", {} if percent is None else {"percent": percent},
                     text=validate.text(text, "text"))

    def submit_report(self, username: str, task_id: uuid.UUID, summary: str) -> None:
        summary = validate.text(summary, "summary")
        self._change(username, task_id, "report",
                     {"summary": summary, "reported_by": username}, summary=summary)

    def verify_task(self, username: str, task_id: uuid.UUID, comment: str = "") -> None:
        self._change(username, task_id, "verify", {},
                     comment=validate.text(comment, "comment", required=False))

    def _change(self, username: str, task_id: uuid.UUID, action: str,
                values: dict[str, Any], **detail: Any) -> None:
        raise NotImplementedError


class CrudTracker(TaskCommands):
    """The five commands bench/commands.py times, on ``engine`` (tables created)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        metadata.create_all(engine)

    def add_unit(self, code: str, name: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(units).values(code=code, name=name, active=True))

    def add_user(self, username: str, role: str, unit: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(users).values(username=username, role=role, unit=unit,
                                              active=True))

    def assign_task(self, username: str, *, unit: str, deadline: date, title: str) -> uuid.UUID:
        with self.engine.begin() as conn:
            actor = _actor(conn, username)
            rules.check_admin(actor, "assign")
            row = conn.execute(select(units.c.code, units.c.active)
                               .where(units.c.code == unit)).first()
            title = checked_assignment(unit, row, title, deadline)
            task_id = uuid.uuid4()
            conn.execute(insert(tasks).values(
                id=task_id, version=1, title=title, description="", unit=row.code,
                deadline=deadline, state=State.ASSIGNED.value, assigned_by=actor.username))
            _audit(conn, task_id, actor, "assign", title=title, unit=row.code,
                   deadline=deadline.isoformat())
            return task_id

    def _change(self, username: str, task_id: uuid.UUID, action: str,
                values: dict[str, Any], **detail: Any) -> None:
        with self.engine.begin() as conn:
            actor = _actor(conn, username)
            row = conn.execute(select(tasks.c.version, tasks.c.state, tasks.c.unit,
                                      tasks.c.reported_by)
                               .where(tasks.c.id == task_id)).first()
            if row is None:
                raise DomainError("unknown_task", task=str(task_id))
            rules.check(actor, action, state=row.state, unit=row.unit,
                        reported_by=row.reported_by)
            target = rules.TRANSITIONS[action].target
            if target is not None:
                values = {**values, "state": target.value}
            if values.get("percent") is None:
                values.pop("percent", None)
            changed = conn.execute(update(tasks)
                                   .where(tasks.c.id == task_id,
                                          tasks.c.version == row.version)
                                   .values(version=row.version + 1, **values))
            if changed.rowcount != 1:
                raise DomainError("concurrent_change")
            _audit(conn, task_id, actor, action, **detail)


def _actor(conn: Connection, username: str) -> Actor:
    # As the service: who is acting is checked before anything else is read.
    row = conn.execute(select(users.c.role, users.c.unit, users.c.active)
                       .where(users.c.username == username)).first()
    if row is None:
        raise DomainError("unknown_user", username=username)
    if not row.active:
        raise DomainError("user_inactive", username=username)
    return Actor(username, row.role, row.unit, row.active)


def _audit(conn: Connection, task_id: uuid.UUID, actor: Actor, action: str,
           **detail: Any) -> None:
    conn.execute(insert(audit).values(task_id=task_id, at=datetime.now(UTC),
                                      actor=actor.username, action=action,
                                      detail=json.dumps(detail, ensure_ascii=False)))
