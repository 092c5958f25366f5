"""The service's commands on plans, units and users (a mixin of ``Workflow``).

Like the task commands, each resolves who is acting first, checks what they may do,
then loads one aggregate, calls one method and saves.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from workflow import passwords, rules
from workflow.base import named_id
from workflow.errors import DomainError
from workflow.organisation import Unit, User
from workflow.plan import Plan
from workflow.rules import SYSTEM, Actor


class AdminCommands:
    """Needs ``_at_clock``, ``_acting``, ``_save``, ``get_user``, ``get_unit`` and
    ``repository`` from the application it is mixed into."""

    def import_plan(self, content: dict[str, Any], actor: str | Actor = SYSTEM) -> bool:
        """Adopt or revise the plan; return False when the store already had it."""
        with self._at_clock():
            who = self._acting(actor)
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
            unit = Unit.create(self._acting(actor), code, name, kind)
            self._save(unit, conflict=DomainError("unit_exists", unit=unit.code))
            return unit.id

    def rename_unit(self, code: str, name: str, reason: str = "",
                    actor: str | Actor = SYSTEM) -> None:
        """Give the unit ``code`` a new name (``UnitRenamed``); its code, its tasks and
        its people stay as they are."""
        with self._at_clock():
            who = self._acting(actor)
            rules.check_admin(who, "manage_units")
            unit = self.get_unit(code)
            unit.rename(who, name, reason)
            self._save(unit)

    def deactivate_unit(self, code: str, reason: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            who = self._acting(actor)
            rules.check_admin(who, "manage_units")
            unit = self.get_unit(code)
            unit.deactivate(who, reason)
            self._save(unit)

    def add_user(self, username: str, role: str, password: str, *, unit: str | None = None,
                 display_name: str = "", email: str = "",
                 actor: str | Actor = SYSTEM) -> UUID:
        with self._at_clock():
            who = self._acting(actor)
            rules.check_admin(who, "manage_users")
            user = User.register(who, username=username, role=role,
                                 unit=self._unit_of_role(role, unit),
                                 display_name=display_name, email=email,
                                 password_hash=passwords.hash_new_password(password))
            self._save(user, conflict=DomainError("user_exists", username=user.username))
            return user.id

    def grant_role(self, username: str, role: str, unit: str | None, reason: str,
                   actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            who = self._acting(actor)
            rules.check_admin(who, "manage_users")
            user = self.get_user(username)
            user.grant_role(who, role, self._unit_of_role(role, unit), reason)
            self._save(user)

    def deactivate_user(self, username: str, reason: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            who = self._acting(actor)
            rules.check_admin(who, "manage_users")
            user = self.get_user(username)
            user.deactivate(who, reason)
            self._save(user)

    def reactivate_user(self, username: str, reason: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            who = self._acting(actor)
            rules.check_admin(who, "manage_users")
            user = self.get_user(username)
            user.reactivate(who, reason)
            self._save(user)

    def set_password(self, username: str, password: str, actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():
            who = self._acting(actor)
            user = self.get_user(username)
            # Who may comes before what: a refused actor learns nothing about the rule.
            user.check_password_change(who)
            user.change_password(who, passwords.hash_new_password(password))
            self._save(user)

    def _active_unit(self, code: str) -> Unit:
        unit = self.get_unit(code)
        if not unit.active:
            raise DomainError("unit_inactive", unit=unit.code)
        return unit

    def _unit_of_role(self, role: str, unit: str | None) -> str | None:
        # Unit codes are compared as stored ("VP"), whatever case was typed ("vp"):
        # the own-unit rule compares a user's unit with a task's unit.
        if unit and rules.role_needs_unit(role):
            return self._active_unit(unit).code
        return None
