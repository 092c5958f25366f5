"""The audit log and the seal that vouches for it: the log's entries newest first,
filtered and paged; the latest checkpoint and verification; the proofs that an event
is in the sealed log and that the log only grew since a checkpoint written down.

Everyone signed in may read them (DOMAIN.md). Nothing here records anything: the
checkpoint is the latest one recorded (by the scheduler, every so many events, or a
report's issue), and a proof is against it. A proof is checked against the
checkpoint's root before it is given (``events.queries.seal``): a damaged seal gives
a 409, never a false proof.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Response
from pydantic import Field

from events import queries
from events.queries import seal as seal_queries
from web import params, storage
from web.api import problems
from web.api.contract import Answer, Query, operation
from web.i18n import lang
from workflow.rules import Actor
from workflow.seal import consistency_sentence, damage_name
from workflow.validate import CURSOR_MAX
from workflow.words import NP_, translate

TAG = "audit"
HEX64 = r"^[0-9a-fA-F]{64}$"
_ROOT = re.compile(HEX64)

# The refusals of this module's own (their sentences: ``problems.MESSAGES``).
STATUSES = {"no_checkpoint": 404, "not_sealed": 404, "seal_damaged": 409, "invalid_root": 400}


def refusal(code: str, **params: Any) -> Response:
    return problems.api_error(problems.ApiError(STATUSES[code], code, **params))


class Change(Answer):
    field: str = Field(description="state, deadline, unit, value or percent.")
    old: str | int | None
    new: str | int | None
    text: str = Field(description="The change in the requested language.")


class AuditEntry(Answer):
    position: int = Field(description="Its place in the whole log (for /audit/proof).")
    at: datetime
    actor: str
    actor_name: str
    unit: str | None
    unit_name: str
    kind: str = Field(description="What the event is about: task, unit, user, plan, ...")
    aggregate_id: str = Field(json_schema_extra={"format": "uuid"})
    task: str | None = Field(json_schema_extra={"format": "uuid"},
                             description="The task, when the event is a task's.")
    version: int
    type: str
    type_name: str = Field(description="The event type's name in the requested language.")
    sentence: str = Field(description="What happened, in the requested language.")
    changes: list[Change] = Field(description="What it changed on its task, old → new.")


class AuditPage(Answer):
    entries: list[AuditEntry]
    next_cursor: str | None = Field(description="Pass as cursor for the next (older) "
                                                "page; null on the last.")


class AuditQuery(Query):
    actor: str | None = Field(None, max_length=40, description="A username.")
    unit: str | None = Field(None, max_length=40, description="A unit's code.")
    task: UUID | None = None
    type: str | None = Field(None, max_length=60, description="An event type, e.g. "
                                                              "ReportVerified.")
    since: str | None = Field(None, max_length=10, description="A day (ISO, or "
                                                               "dd/mm/yyyy), included.")
    until: str | None = Field(None, max_length=10, description="A day, included.")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=20, description="A page's next_cursor.")


def entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "task": entry["task_id"], "sentence": entry["summary"]}


@operation("GET", "/audit", summary="The audit log, newest first, filtered", tag=TAG,
           query=AuditQuery, response=AuditPage)
def audit_log(actor: Actor, query: AuditQuery) -> dict[str, Any]:
    """Every recorded event in people's words. Filters combine with AND; days are
    Vietnam days."""
    before = params.position(query.cursor)
    page = queries.audit_log(
        storage.live(),
        actor=(query.actor or "").strip().lower() or None,
        unit=(query.unit or "").strip().upper() or None,
        task=query.task, type=(query.type or "").strip() or None,
        since=params.day(query.since, NP_("field", "Tham số “since”")),
        until=params.day(query.until, NP_("field", "Tham số “until”")),
        limit=query.limit, before=str(before) if before else None, locale=lang())
    return {"entries": [entry_json(row) for row in page.rows],
            "next_cursor": page.next_cursor}


class Checkpoint(Answer):
    size: int = Field(description="How many events the sealed log held.")
    root: str = Field(pattern=HEX64, description="The Merkle tree's root (SHA-256, hex).")
    at: datetime


class Verification(Answer):
    at: datetime
    actor: str
    intact: bool
    size: int
    root: str
    checked: int = Field(description="Stored records read again.")
    damaged_position: int | None
    kind: str | None = Field(description="How it differs: changed, deleted, inserted, "
                                         "reordered, rewritten, snapshot.")
    kind_name: str | None = Field(description="The kind in the requested language.")
    record: str | None = Field(description="The damaged record's aggregate (hex).")


class Seal(Answer):
    checkpoint: Checkpoint = Field(description="The latest, as nhiemvu audit seal --json "
                                               "prints it: write it down elsewhere.")
    verification: Verification | None = Field(description="The last recomputation of the "
                                                          "seal; null: none yet.")


@operation("GET", "/audit/seal", summary="The sealed log's latest checkpoint", tag=TAG,
           response=Seal, errors=(404,))
def seal(actor: Actor) -> Any:
    store = storage.live()
    latest = seal_queries.latest_checkpoint(store)
    if latest is None:
        return refusal("no_checkpoint")
    found = seal_queries.latest_verification(store)
    verification = None if found is None else {
        **found, "kind_name": translate(damage_name(found["kind"]), lang())
        if found["kind"] else None}
    return {"checkpoint": latest.as_json(), "verification": verification}


class Record(Answer):
    position: int
    aggregate_id: str = Field(description="32 hex digits.")
    version: int
    topic: str
    state: str = Field(description="The stored bytes, base64.")


class InclusionProof(Answer):
    position: int
    leaf_index: int
    tree_size: int
    root: str = Field(pattern=HEX64)
    checkpoint_at: datetime
    record: Record = Field(description="The stored event, byte for byte: hash it again.")
    leaf_hash: str = Field(pattern=HEX64)
    path: list[str] = Field(description="RFC 9162 inclusion path, hex.")


@operation("GET", "/audit/proof/{position}", summary="Proof that an event is in the "
           "sealed log", tag=TAG, response=InclusionProof, errors=(404, 409),
           path_types={"position": "int"})
def proof(actor: Actor, position: int) -> Any:
    """Against the latest checkpoint (RFC 9162): docs/audit.md shows how to check it
    without this program."""
    store = storage.live()
    latest = seal_queries.latest_checkpoint(store)
    if latest is None:
        return refusal("no_checkpoint")
    if position > CURSOR_MAX:  # no position at all: the store's columns hold no more
        return refusal("not_sealed", position=position, size=latest.size)
    try:
        return seal_queries.inclusion_proof(store, position, latest)
    except LookupError:
        return refusal("not_sealed", position=position, size=latest.size)
    except ValueError:
        return refusal("seal_damaged")


class ConsistencyQuery(Query):
    size: int = Field(ge=1, le=CURSOR_MAX, description="The earlier checkpoint's size.")
    root: str = Field(max_length=64, json_schema_extra={"pattern": HEX64},
                      description="The earlier checkpoint's root, as written down.")


class TreeHead(Answer):
    size: int
    root: str


class LaterHead(TreeHead):
    at: datetime


class Consistency(Answer):
    first: TreeHead = Field(description="The checkpoint given.")
    second: LaterHead = Field(description="The latest checkpoint.")
    path: list[str] = Field(description="RFC 9162 consistency path, hex.")
    consistent: bool
    sentence: str = Field(description="What the proof shows, in the requested language.")


@operation("GET", "/audit/consistency", summary="Proof that the log only grew since a "
           "checkpoint", tag=TAG, query=ConsistencyQuery, response=Consistency,
           errors=(404, 409))
def consistency(actor: Actor, query: ConsistencyQuery) -> Any:
    """``consistent`` is false for a root that is not the log's own (forged, of
    another log, or of a rewritten one) or a size beyond the latest checkpoint."""
    if not _ROOT.fullmatch(query.root):
        return refusal("invalid_root", root=query.root)
    store = storage.live()
    latest = seal_queries.latest_checkpoint(store)
    if latest is None:
        return refusal("no_checkpoint")
    try:
        found = seal_queries.consistency_proof(store, query.size, query.root.lower(), latest)
    except LookupError:  # a node of the stored seal is gone
        return refusal("seal_damaged")
    return {**found, "sentence": consistency_sentence(found["consistent"], query.size,
                                                      latest.size, lang())}
