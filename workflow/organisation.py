"""Units and users. Both are event-sourced: who held which role, and when, is audit."""

from __future__ import annotations

from eventsourcing.domain import event

from workflow import rules, validate
from workflow.base import Record, named_id
from workflow.errors import DomainError, role_name
from workflow.rules import Actor


class Unit(Record):
    """A board, sector or community digital-technology team of the commune."""

    TOPIC = "nhiemvu.organisation.Unit"

    class Created(Record.Created):
        TOPIC = "nhiemvu.organisation.Unit.Created"

    @staticmethod
    def create_id(code: str):  # noqa: ANN205 - the library's hook
        return named_id("unit", code)

    @event("UnitCreated", topic="nhiemvu.organisation.UnitCreated")
    def __init__(self, *, code: str, name: str, kind: str, actor: str) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.active = True

    @classmethod
    def create(cls, actor: Actor, code: str, name: str, kind: str = "") -> Unit:
        rules.check_admin(actor, "manage_units")
        code = validate.identifier(code, "code").upper()
        return cls(code=code, name=validate.text(name, "name"),
                   kind=validate.text(kind, "kind", required=False), actor=actor.username)

    def rename(self, actor: Actor, name: str, reason: str = "") -> None:
        rules.check_admin(actor, "manage_units")
        name = validate.text(name, "name")
        if name == self.name:
            raise DomainError("unit_name_unchanged", unit=self.code, name=name)
        self._renamed(name=name, actor=actor.username,
                      reason=validate.text(reason, "reason", required=False))

    def deactivate(self, actor: Actor, reason: str) -> None:
        rules.check_admin(actor, "manage_units")
        self._deactivated(actor=actor.username, reason=validate.text(reason, "reason"))

    @event("UnitRenamed", topic="nhiemvu.organisation.UnitRenamed")
    def _renamed(self, name: str, actor: str, reason: str) -> None:
        self.name = name

    @event("UnitDeactivated", topic="nhiemvu.organisation.UnitDeactivated")
    def _deactivated(self, actor: str, reason: str) -> None:
        self.active = False


class User(Record):
    """A person who signs in. The password is kept only as a hash."""

    TOPIC = "nhiemvu.organisation.User"

    class Created(Record.Created):
        TOPIC = "nhiemvu.organisation.User.Created"

    @staticmethod
    def create_id(username: str):  # noqa: ANN205 - the library's hook
        return named_id("user", username)

    @event("UserRegistered", topic="nhiemvu.organisation.UserRegistered")
    def __init__(self, *, username: str, display_name: str, role: str, unit: str | None,
                 email: str, password_hash: str, actor: str) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.unit = unit
        self.email = email
        self.password_hash = password_hash
        self.active = True

    @classmethod
    def register(cls, actor: Actor, *, username: str, role: str, unit: str | None,
                 display_name: str, email: str, password_hash: str) -> User:
        rules.check_admin(actor, "manage_users")
        username = validate.identifier(username, "username").lower()
        role = _role_with_unit(role, unit)
        return cls(username=username,
                   display_name=validate.text(display_name, "name", required=False) or username,
                   role=role, unit=unit if rules.role_needs_unit(role) else None,
                   email=validate.text(email, "email", required=False),
                   password_hash=password_hash, actor=actor.username)

    def as_actor(self) -> Actor:
        return Actor(self.username, self.role, self.unit, self.active)

    def grant_role(self, actor: Actor, role: str, unit: str | None, reason: str) -> None:
        rules.check_admin(actor, "manage_users")
        role = _role_with_unit(role, unit)
        self._role_granted(role=role, unit=unit if rules.role_needs_unit(role) else None,
                           actor=actor.username, reason=validate.text(reason, "reason"))

    def deactivate(self, actor: Actor, reason: str) -> None:
        rules.check_admin(actor, "manage_users")
        self._deactivated(actor=actor.username, reason=validate.text(reason, "reason"))

    def reactivate(self, actor: Actor, reason: str) -> None:
        rules.check_admin(actor, "manage_users")
        self._reactivated(actor=actor.username, reason=validate.text(reason, "reason"))

    def check_password_change(self, actor: Actor) -> None:
        """Users change their own password; an admin (or the console) anyone's."""
        if actor.username != self.username:
            rules.check_admin(actor, "manage_users")
        elif not actor.active:
            raise DomainError("user_inactive", username=actor.username)

    def change_password(self, actor: Actor, password_hash: str) -> None:
        self.check_password_change(actor)
        self._password_changed(password_hash=password_hash, actor=actor.username)

    # -- API tokens: only their SHA-256 is recorded (workflow.tokens) -------------

    def api_tokens(self) -> dict[str, dict[str, object]]:
        """Token id → ``{"label", "digest", "revoked"}``; users recorded before tokens
        existed (and their snapshots) have none."""
        return getattr(self, "tokens", {})

    def issue_token(self, actor: Actor, token_id: str, label: str, digest: str) -> None:
        self.check_password_change(actor)  # the same rule: oneself, or an admin
        self._token_issued(token_id=token_id, digest=digest, actor=actor.username,
                           label=validate.text(label, "label", required=False))

    def revoke_token(self, actor: Actor, token_id: str, reason: str) -> None:
        self.check_password_change(actor)
        found = self.api_tokens().get(token_id)
        if found is None or found["revoked"]:
            raise DomainError("unknown_token", token=token_id)
        self._token_revoked(token_id=token_id, actor=actor.username,
                            reason=validate.text(reason, "reason", required=False))

    @event("ApiTokenIssued", topic="nhiemvu.organisation.ApiTokenIssued")
    def _token_issued(self, token_id: str, label: str, digest: str, actor: str) -> None:
        self.tokens = {**self.api_tokens(),
                       token_id: {"label": label, "digest": digest, "revoked": False}}

    @event("ApiTokenRevoked", topic="nhiemvu.organisation.ApiTokenRevoked")
    def _token_revoked(self, token_id: str, actor: str, reason: str) -> None:
        tokens = dict(self.api_tokens())
        tokens[token_id] = {**tokens[token_id], "revoked": True}
        self.tokens = tokens

    @event("RoleGranted", topic="nhiemvu.organisation.RoleGranted")
    def _role_granted(self, role: str, unit: str | None, actor: str, reason: str) -> None:
        self.role = role
        self.unit = unit

    @event("UserDeactivated", topic="nhiemvu.organisation.UserDeactivated")
    def _deactivated(self, actor: str, reason: str) -> None:
        self.active = False
        # Counted so that a reactivation does not revive sessions issued before; getattr
        # because snapshots taken before the counter existed lack it.
        self.deactivations = getattr(self, "deactivations", 0) + 1

    @event("UserReactivated", topic="nhiemvu.organisation.UserReactivated")
    def _reactivated(self, actor: str, reason: str) -> None:
        self.active = True

    @event("PasswordChanged", topic="nhiemvu.organisation.PasswordChanged")
    def _password_changed(self, password_hash: str, actor: str) -> None:
        self.password_hash = password_hash


def _role_with_unit(role: str, unit: str | None) -> str:
    parsed = rules.parse_role(role)
    if rules.role_needs_unit(parsed) and not unit:
        raise DomainError("unit_required", role=role_name(parsed.value))
    return parsed.value
