"""The Plan aggregate: pillars and numeric targets, adopted and sometimes revised."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import event

from workflow import rules
from workflow.base import Record, named_id
from workflow.errors import DomainError
from workflow.rules import Actor


class Plan(Record):
    """A plan is adopted once; a later import with other content is a revision."""

    TOPIC = "nhiemvu.plan.Plan"

    class Created(Record.Created):
        TOPIC = "nhiemvu.plan.Plan.Created"

    @staticmethod
    def create_id(code: str):  # noqa: ANN205 - the library's hook
        return named_id("plan", code)

    @event("PlanAdopted", topic="nhiemvu.plan.PlanAdopted")
    def __init__(self, *, code: str, content: dict[str, Any], actor: str) -> None:
        self.code = code
        self.content = content

    @classmethod
    def adopt(cls, actor: Actor, content: dict[str, Any]) -> Plan:
        rules.check_admin(actor, "manage_plan")
        return cls(code=content["code"], content=content, actor=actor.username)

    def revise(self, actor: Actor, content: dict[str, Any], reason: str) -> bool:
        """Record the new content if it differs; say whether anything changed."""
        rules.check_admin(actor, "manage_plan")
        if content == self.content:
            return False
        self._revised(content=content, actor=actor.username, reason=reason)
        return True

    @event("PlanRevised", topic="nhiemvu.plan.PlanRevised")
    def _revised(self, content: dict[str, Any], actor: str, reason: str) -> None:
        self.content = content

    # -- reading ----------------------------------------------------------------

    @property
    def targets(self) -> list[dict[str, Any]]:
        return self.content["targets"]

    def target(self, code: str) -> dict[str, Any]:
        for target in self.targets:
            if target["code"] == code:
                return target
        raise DomainError("unknown_target", plan=self.code, target=code)

    @property
    def adopted_on(self) -> date:
        return date.fromisoformat(self.content["adopted_on"])
