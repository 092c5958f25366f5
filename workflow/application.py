"""The application service: every interface (CLI, web, API, scheduler) calls these.

Each command resolves who is acting from their recorded history, loads one
aggregate, calls one method (which checks the rules), and saves. Nothing here knows
about SQL or HTTP; the store is chosen by the environment (see ``events.store``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Transcoder, Transcoding

from workflow import clock, passwords
from workflow.base import named_id
from workflow.clock import Clock
from workflow.errors import DomainError
from workflow.organisation import Unit, User
from workflow.plan import Plan
from workflow.rules import SYSTEM, Actor
from workflow.task import Task


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Workflow(Application[UUID]):
    name = "nhiemvu"
    # Snapshots keep long histories quick to load; a typical task has under 20 events.
    snapshotting_intervals = {Task: 20, User: 20, Unit: 20, Plan: 10}  # noqa: RUF012

    def __init__(self, env: dict[str, str] | None = None, clock_: Clock | None = None):
        super().__init__(env)
        self.clock = clock_

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @contextmanager
    def _at_clock(self) -> Iterator[None]:
        if self.clock is None:
            yield
        else:
            with clock.use_clock(self.clock):
                yield

    def _save(self, *aggregates: Any, conflict: DomainError | None = None) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise (conflict or DomainError("concurrent_change")) from None

    # -- who is acting -----------------------------------------------------------

    def actor(self, who: str | Actor) -> Actor:
        """Resolve a username into an Actor as their history stands now."""
        if isinstance(who, Actor):
            return who
        return self.get_user(who).as_actor()

    def get_user(self, username: str) -> User:
        try:
            return self.repository.get(named_id("user", username))
        except AggregateNotFoundError:
            raise DomainError("unknown_user", username=username) from None

    def get_unit(self, code: str) -> Unit:
        try:
            return self.repository.get(named_id("unit", code))
        except AggregateNotFoundError:
            raise DomainError("unknown_unit", unit=code) from None

    def get_plan(self, code: str) -> Plan:
        try:
            return self.repository.get(named_id("plan", code))
        except AggregateNotFoundError:
            raise DomainError("unknown_plan", plan=code) from None

    def get_task(self, task_id: UUID | str) -> Task:
        try:
            task = self.repository.get(UUID(str(task_id)))
        except (AggregateNotFoundError, ValueError):
            raise DomainError("unknown_task", task=str(task_id)) from None
        if not isinstance(task, Task):
            raise DomainError("unknown_task", task=str(task_id))
        return task

    def authenticate(self, username: str, password: str) -> Actor | None:
        """The actor if the password is right and the account active, else None."""
        try:
            user = self.get_user(username)
        except DomainError:
            return None
        if user.active and passwords.verify_password(user.password_hash, password):
            return user.as_actor()
        return None

    # -- plan, units, users ------------------------------------------------------

    def import_plan(self, content: dict[str, Any], actor: str | Actor = SYSTEM) -> bool:
        """Adopt or revise the plan; return False when the store already had it."""
        with self._at_clock():
            who = self.actor(actor)
            try:
                plan = self.repository.get(named_id("plan", content["code"]))
            except AggregateNotFoundError:
                plan = Plan.adopt(who, content)
            else:
                if not plan.revise(who, content, reason="import"):
                    return False
            self._save(plan)
            return True

    def add_unit(self, code: str, name: str, kind: str = "",
                 actor: str | Actor = SYSTEM) -> UUID:
        with self._at_clock():
            unit = Unit.create(self.actor(actor), code, name, kind)
            self._save(unit, conflict=DomainError("unit_exists", unit=unit.code))
            return unit.id

    def deactivate_unit(self, code: str, reason: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            unit = self.get_unit(code)
            unit.deactivate(self.actor(actor), reason)
            self._save(unit)

    def add_user(self, username: str, role: str, password: str, *, unit: str | None = None,
                 display_name: str = "", email: str = "",
                 actor: str | Actor = SYSTEM) -> UUID:
        with self._at_clock():
            who = self.actor(actor)
            if unit:
                self._active_unit(unit)
            user = User.register(who, username=username, role=role, unit=unit,
                                 display_name=display_name, email=email,
                                 password_hash=passwords.hash_password(password))
            self._save(user, conflict=DomainError("user_exists", username=user.username))
            return user.id

    def grant_role(self, username: str, role: str, unit: str | None, reason: str,
                   actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            who = self.actor(actor)
            if unit:
                self._active_unit(unit)
            user = self.get_user(username)
            user.grant_role(who, role, unit, reason)
            self._save(user)

    def deactivate_user(self, username: str, reason: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            user = self.get_user(username)
            user.deactivate(self.actor(actor), reason)
            self._save(user)

    def reactivate_user(self, username: str, reason: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            user = self.get_user(username)
            user.reactivate(self.actor(actor), reason)
            self._save(user)

    def set_password(self, username: str, password: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            user = self.get_user(username)
            user.change_password(self.actor(actor), passwords.hash_password(password))
            self._save(user)

    def _active_unit(self, code: str) -> Unit:
        unit = self.get_unit(code)
        if not unit.active:
            raise DomainError("unit_inactive", unit=code)
        return unit

    # -- tasks -------------------------------------------------------------------

    def assign_task(self, actor: str | Actor, *, unit: str, deadline: date, title: str,
                    description: str = "", target: str | None = None,
                    plan: str | None = None) -> UUID:
        with self._at_clock():
            who = self.actor(actor)
            self._active_unit(unit)
            if target:
                if not plan:
                    raise DomainError("plan_required", target=target)
                self.get_plan(plan).target(target)
            task = Task.assign(who, title=title, unit=unit, deadline=deadline,
                               description=description, plan=plan if target else None,
                               target=target or None)
            self._save(task)
            return task.id

    @contextmanager
    def _changing(self, task_id: UUID | str, expected_version: int | None) -> Iterator[Task]:
        with self._at_clock():
            task = self.get_task(task_id)
            if expected_version is not None and task.version != expected_version:
                raise DomainError("concurrent_change")
            yield task
            self._save(task)

    def start_task(self, actor: str | Actor, task_id: UUID | str,
                   expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.start(self.actor(actor))

    def note_progress(self, actor: str | Actor, task_id: UUID | str, text: str,
                      percent: int | str | None = None, value: Decimal | str | None = None,
                      expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.note_progress(self.actor(actor), text, percent, value)

    def submit_report(self, actor: str | Actor, task_id: UUID | str, summary: str,
                      value: Decimal | str | None = None,
                      evidence: list[dict[str, Any]] | None = None,
                      expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.submit_report(self.actor(actor), summary, value, evidence)

    def verify_task(self, actor: str | Actor, task_id: UUID | str, comment: str = "",
                    expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.verify(self.actor(actor), comment)

    def return_task(self, actor: str | Actor, task_id: UUID | str, reason: str,
                    expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.return_for_rework(self.actor(actor), reason)

    def extend_deadline(self, actor: str | Actor, task_id: UUID | str, deadline: date,
                        reason: str, expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.extend_deadline(self.actor(actor), deadline, reason)

    def reassign_task(self, actor: str | Actor, task_id: UUID | str, unit: str, reason: str,
                      expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            who = self.actor(actor)
            self._active_unit(unit)
            task.reassign(who, unit, reason)

    def cancel_task(self, actor: str | Actor, task_id: UUID | str, reason: str,
                    expected_version: int | None = None) -> None:
        with self._changing(task_id, expected_version) as task:
            task.cancel(self.actor(actor), reason)

    def allowed_actions(self, actor: str | Actor, task_id: UUID | str) -> list[str]:
        return self.get_task(task_id).allowed_actions(self.actor(actor))

    def history(self, aggregate_id: UUID | str) -> list[Any]:
        """Every event of one aggregate, oldest first (one task, never the whole log)."""
        return list(self.events.get(UUID(str(aggregate_id))))
