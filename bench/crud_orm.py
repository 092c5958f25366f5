"""The CRUD baseline again, written as most SQLAlchemy applications are: with the ORM.

The same tables, rules and transaction as bench/crud_baseline.py (Core); the ORM's
own optimistic lock (``version_id_col``) refuses a concurrent change, as the Core
version's ``UPDATE … WHERE version = ?`` does. One ``Session`` per command. It shares
the Core tracker's database, units and users.

Only for benchmarks: nothing in the product imports this.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.exc import StaleDataError

from bench.crud_baseline import (
    TaskCommands,
    audit,
    checked_assignment,
    metadata,
    tasks,
    units,
    users,
)
from workflow import rules
from workflow.errors import DomainError
from workflow.rules import Actor, State


class Base(DeclarativeBase):
    metadata = metadata


class UnitRow(Base):
    __table__ = units


class UserRow(Base):
    __table__ = users


class TaskRow(Base):
    __table__ = tasks
    __mapper_args__ = {"version_id_col": tasks.c.version}  # noqa: RUF012


class AuditRow(Base):
    __table__ = audit


class CrudOrmTracker(TaskCommands):
    """The five commands of ``CrudTracker``, through ORM sessions on ``engine``."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def assign_task(self, username: str, *, unit: str, deadline: date, title: str) -> uuid.UUID:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            actor = _actor(session, username)
            rules.check_admin(actor, "assign")
            found = session.get(UnitRow, unit)
            title = checked_assignment(unit, found, title, deadline)
            task = TaskRow(id=uuid.uuid4(), title=title, description="", unit=found.code,
                           deadline=deadline, state=State.ASSIGNED.value,
                           assigned_by=actor.username)
            session.add(task)
            _audit(session, task.id, actor, "assign", title=title, unit=found.code,
                   deadline=deadline.isoformat())
            return task.id

    def _change(self, username: str, task_id: uuid.UUID, action: str,
                values: dict[str, Any], **detail: Any) -> None:
        try:
            with Session(self.engine) as session, session.begin():
                actor = _actor(session, username)
                task = session.get(TaskRow, task_id)
                if task is None:
                    raise DomainError("unknown_task", task=str(task_id))
                rules.check(actor, action, state=task.state, unit=task.unit,
                            reported_by=task.reported_by)
                target = rules.TRANSITIONS[action].target
                if target is not None:
                    task.state = target.value
                for name, value in values.items():
                    setattr(task, name, value)
                _audit(session, task_id, actor, action, **detail)
        except StaleDataError:
            raise DomainError("concurrent_change") from None


def _actor(session: Session, username: str) -> Actor:
    user = session.get(UserRow, username)
    if user is None:
        raise DomainError("unknown_user", username=username)
    if not user.active:
        raise DomainError("user_inactive", username=username)
    return Actor(username, user.role, user.unit, user.active)


def _audit(session: Session, task_id: uuid.UUID, actor: Actor, action: str,
           **detail: Any) -> None:
    session.add(AuditRow(task_id=task_id, at=datetime.now(UTC), actor=actor.username,
                         action=action, detail=json.dumps(detail, ensure_ascii=False)))
