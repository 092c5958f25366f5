"""API tokens: a program acting for a person, under that person's role and unit.

A token is shown once, when it is made, as ``nv1.<username>.<id>.<secret>``; the
user's history records only the SHA-256 of its secret (``ApiTokenIssued``), and
revoking it is a fact too (``ApiTokenRevoked``). The secret is 256 random bits, so a
fast hash is enough: nothing about it can be guessed from its digest. The username
in the token tells the service whose history to read, so finding a token costs one
cached aggregate, not a table of its own. A deactivated person's tokens stop working
with their account, and start again only if it is reactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from typing import Any

from workflow import channel, validate
from workflow.errors import DomainError
from workflow.rules import SYSTEM, Actor

PREFIX = "nv1"
_ID_BYTES = 4  # 8 hex digits: tells a person's few tokens apart in lists


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(token: str) -> tuple[str, str, str] | None:
    """``(username, token id, secret)`` of a token's text, or None if it is not one."""
    if not isinstance(token, str) or len(token) > 200 or not token.isascii():
        return None
    head, _, rest = token.strip().partition(".")
    parts = rest.rsplit(".", 2)
    if head != PREFIX or len(parts) != 3 or not all(parts):
        return None
    username, token_id, secret = parts
    try:
        validate.identifier(username, "username")
    except DomainError:
        return None
    return username.lower(), token_id, secret


class TokenCommands:
    """Mixed into ``workflow.application.Workflow``; needs ``_at_clock``, ``_acting``,
    ``_save``, ``get_user`` and ``history``."""

    def create_token(self, username: str, label: str = "",
                     actor: str | Actor = SYSTEM) -> str:
        """Record a new token for ``username``; return its text (shown once only)."""
        with self._at_clock():  # type: ignore[attr-defined]
            who = self._acting(actor)  # type: ignore[attr-defined]
            user = self.get_user(username)  # type: ignore[attr-defined]
            token_id, secret = secrets.token_hex(_ID_BYTES), secrets.token_urlsafe(32)
            user.issue_token(who, token_id, label, digest(secret))
            self._save(user)  # type: ignore[attr-defined]
            return f"{PREFIX}.{user.username}.{token_id}.{secret}"

    def revoke_token(self, username: str, token_id: str, reason: str = "",
                     actor: str | Actor = SYSTEM) -> None:
        with self._at_clock():  # type: ignore[attr-defined]
            who = self._acting(actor)  # type: ignore[attr-defined]
            user = self.get_user(username)  # type: ignore[attr-defined]
            user.revoke_token(who, token_id, reason)
            self._save(user)  # type: ignore[attr-defined]

    def token_list(self, username: str) -> list[dict[str, Any]]:
        """The user's tokens, oldest first: ``id``, ``username``, ``label``,
        ``issued_at``, ``issued_by``, ``revoked_at``, ``revoked_by`` (None while in use),
        read from the user's own history."""
        user = self.get_user(username)  # type: ignore[attr-defined]
        found: dict[str, dict[str, Any]] = {}
        for recorded in self.history(user.id):  # type: ignore[attr-defined]
            kind = type(recorded).__name__
            if kind == "ApiTokenIssued":
                found[recorded.token_id] = {
                    "id": recorded.token_id, "username": user.username,
                    "label": recorded.label, "issued_at": recorded.timestamp,
                    "issued_by": recorded.actor, "revoked_at": None, "revoked_by": None}
            elif kind == "ApiTokenRevoked" and recorded.token_id in found:
                found[recorded.token_id].update(revoked_at=recorded.timestamp,
                                                revoked_by=recorded.actor)
        return list(found.values())

    def resolve_token(self, key: str, usernames: list[str]) -> tuple[str, str]:
        """``(username, token id)`` of the token in use that ``key`` names: the token
        itself, its id, or its label, among the tokens of ``usernames``;
        ``unknown_token`` when none does, ``ambiguous_token`` when several do."""
        key = (key or "").strip()
        parsed = parse(key)
        if parsed is not None:
            usernames, key = [parsed[0]], parsed[1]
        found = {(user.username, token_id)
                 for user in (self.get_user(name) for name in usernames)  # type: ignore[attr-defined]
                 for token_id, held in user.api_tokens().items()
                 if not held["revoked"] and key in (token_id, held["label"])}
        if not found:
            raise DomainError("unknown_token", token=key)
        if len(found) > 1:
            raise DomainError("ambiguous_token", token=key)
        return found.pop()

    def authenticate_token(self, token: str) -> Actor | None:
        """The person a token acts for, marked as acting through the API; None for a
        token that is malformed, unknown, revoked, or of an inactive account."""
        parsed = parse(token)
        if parsed is None:
            return None
        username, token_id, secret = parsed
        try:
            user = self.get_user(username)  # type: ignore[attr-defined]
        except DomainError:
            return None
        held = user.api_tokens().get(token_id)
        if (held is None or held["revoked"] or not user.active
                or not hmac.compare_digest(str(held["digest"]), digest(secret))):
            return None
        return replace(user.as_actor(), via=channel.API)
