"""The task's state machine and who may do what, as data.

Interfaces never decide what a user may do: they ask ``allowed_actions`` and render
only those, and the application service calls ``check`` before every command.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflow.errors import DomainError, role_name
from workflow.words import NP_, Msg


class State(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class Role(StrEnum):
    LEADER = "leader"
    UNIT_HEAD = "unit_head"
    MEMBER = "member"
    AUDITOR = "auditor"
    ADMIN = "admin"


# The codes as plain text, in the order a task moves through them (lists show them so).
STATES: tuple[str, ...] = tuple(state.value for state in State)
OPEN_STATES = frozenset({State.ASSIGNED, State.IN_PROGRESS, State.REPORTED})
UNIT_ROLES = frozenset({Role.UNIT_HEAD, Role.MEMBER})

STATE_NAMES: dict[State, Msg] = {
    State.ASSIGNED: NP_("state", "Đã giao"),
    State.IN_PROGRESS: NP_("state", "Đang thực hiện"),
    State.REPORTED: NP_("state", "Đã báo cáo"),
    State.VERIFIED: NP_("state", "Đã xác nhận hoàn thành"),
    State.CANCELLED: NP_("state", "Đã hủy"),
}


def state_name(state: str) -> Msg:
    """The state's name to show (the code itself for a state this version lacks)."""
    try:
        return STATE_NAMES[State(state)]
    except ValueError:
        return Msg(state)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State | None  # None: the state does not change
    roles: frozenset[Role]
    own_unit_only: bool
    verb: Msg  # the action as a verb phrase, for messages ("may not %(action)s")
    label: Msg  # the button that takes it


def _t(sources, target, roles, own_unit_only, verb, label):
    return Transition(frozenset(sources), target, frozenset(roles), own_unit_only, verb,
                      label)


# The one table of what may happen to a task. DOMAIN.md is its specification.
TRANSITIONS: dict[str, Transition] = {
    "start": _t({State.ASSIGNED}, State.IN_PROGRESS, UNIT_ROLES, True,
                NP_("verb", "bắt đầu thực hiện"), NP_("action", "Bắt đầu thực hiện")),
    "note": _t(OPEN_STATES, None, UNIT_ROLES, True,
               NP_("verb", "ghi nhận tiến độ"), NP_("action", "Ghi nhận tiến độ")),
    "report": _t({State.IN_PROGRESS}, State.REPORTED, {Role.UNIT_HEAD}, True,
                 NP_("verb", "báo cáo kết quả"), NP_("action", "Báo cáo kết quả")),
    "verify": _t({State.REPORTED}, State.VERIFIED, {Role.LEADER}, False,
                 NP_("verb", "xác nhận hoàn thành"), NP_("action", "Xác nhận hoàn thành")),
    "return": _t({State.REPORTED}, State.IN_PROGRESS, {Role.LEADER}, False,
                 NP_("verb", "trả lại"), NP_("action", "Trả lại")),
    "extend": _t(OPEN_STATES, None, {Role.LEADER}, False,
                 NP_("verb", "gia hạn"), NP_("action", "Gia hạn")),
    "reassign": _t(OPEN_STATES, None, {Role.LEADER}, False,
                   NP_("verb", "giao lại"), NP_("action", "Giao lại")),
    "cancel": _t(OPEN_STATES, State.CANCELLED, {Role.LEADER}, False,
                 NP_("verb", "hủy"), NP_("action", "Hủy nhiệm vụ")),
}

# Actions that are not transitions of an existing task.
ADMIN_ACTIONS: dict[str, tuple[frozenset[Role], Msg]] = {
    "assign": (frozenset({Role.LEADER}), NP_("verb", "giao nhiệm vụ")),
    "manage_plan": (frozenset({Role.LEADER, Role.ADMIN}),
                    NP_("verb", "quản lý kế hoạch, chỉ tiêu")),
    "manage_units": (frozenset({Role.LEADER, Role.ADMIN}), NP_("verb", "quản lý đơn vị")),
    "manage_users": (frozenset({Role.ADMIN}), NP_("verb", "quản lý người dùng")),
    "issue_report": (frozenset({Role.LEADER, Role.AUDITOR}),
                     NP_("verb", "ban hành báo cáo định kỳ")),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the service resolved them from the user's history."""

    username: str
    role: str
    unit: str | None = None
    active: bool = True
    # The interface acting for them when it is recorded (``workflow.channel``): "api".
    via: str | None = None

    @property
    def is_system(self) -> bool:
        return self.role == "system"


# The operator at the console (``nhiemvu user add`` and friends) acts as the system.
SYSTEM = Actor("system", "system")


def _refuse_role(actor: Actor, verb: Msg) -> DomainError:
    return DomainError("permission_denied", role=role_name(actor.role), action=verb)


def check_admin(actor: Actor, action: str) -> None:
    """Refuse ``action`` (a key of ADMIN_ACTIONS) unless the actor may take it."""
    roles, verb = ADMIN_ACTIONS[action]
    if actor.is_system:
        return
    if not actor.active:
        raise DomainError("user_inactive", username=actor.username)
    if actor.role not in roles:
        raise _refuse_role(actor, verb)


def check(actor: Actor, action: str, *, state: str, unit: str,
          reported_by: str | None = None) -> None:
    """Refuse ``action`` on a task in ``state`` of ``unit`` unless it is allowed now.

    The order of the checks decides which one refusal a person sees, and is part
    of the contract (tests/unit/test_rules.py): an inactive account (``user_inactive``),
    then the role (``permission_denied``), then the unit (``other_unit``), then the
    task's state (``transition_not_allowed``), last the reporter (verify only,
    ``reporter_cannot_verify``). So people are told what they may never do before
    what they may not do yet.
    """
    transition = TRANSITIONS[action]
    if not actor.active:
        raise DomainError("user_inactive", username=actor.username)
    if actor.role not in transition.roles:
        raise _refuse_role(actor, transition.verb)
    if transition.own_unit_only and actor.unit != unit:
        raise DomainError("other_unit", unit=actor.unit or "-")
    if state not in transition.sources:
        raise DomainError("transition_not_allowed", action=transition.verb,
                          state=state_name(state))
    if action == "verify" and reported_by == actor.username:
        raise DomainError("reporter_cannot_verify")


def allowed_actions(actor: Actor, *, state: str, unit: str,
                    reported_by: str | None = None) -> list[str]:
    """The actions this actor may take on such a task now, in table order."""
    allowed = []
    for action in TRANSITIONS:
        try:
            check(actor, action, state=state, unit=unit, reported_by=reported_by)
        except DomainError:
            continue
        allowed.append(action)
    return allowed


def role_needs_unit(role: str) -> bool:
    return role in UNIT_ROLES


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError("invalid_role", role=role) from None
