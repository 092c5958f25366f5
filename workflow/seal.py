"""What the sealed log records about itself: checkpoints and verifications.

The seal (a Merkle tree over every stored event, kept beside the log by a read
model) is computed outside this package; what it found becomes part of the record
here, as facts like any other:

- ``CheckpointRecorded``: the tree had ``size`` leaves and root hash ``root`` at this
  moment. One aggregate per size (its id is derived from the size), so two
  processes recording the same checkpoint at once record it once.
- ``LogVerified``: someone (the scheduler, an auditor) recomputed the seal from the
  stored events; ``intact``, or the first ``position`` that differs and how
  (``changed``, ``deleted``, ``inserted``, ``reordered``, or ``rewritten`` when the
  stored seal itself no longer matches a checkpoint), or ``snapshot`` when the log is
  intact but a stored snapshot is not what the aggregate's events give.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from workflow.base import Record, named_id
from workflow.rules import SYSTEM, Actor
from workflow.words import N_, Msg, translate

# Why a checkpoint was recorded.
CHECKPOINT_REASONS = ("events", "hourly", "report", "request")
# How a record can differ from its seal, and the words for each (one catalogue).
DAMAGE_NAMES: dict[str, Msg] = {
    "changed": N_("bản ghi bị sửa"),
    "deleted": N_("bản ghi bị xoá"),
    "inserted": N_("bản ghi bị chèn"),
    "reordered": N_("bản ghi bị đảo thứ tự"),
    "rewritten": N_("dấu niêm phong bị viết lại"),
    "snapshot": N_("bản lưu tạm (snapshot) không khớp với nhật ký"),
}
DAMAGE_KINDS = tuple(DAMAGE_NAMES)


def consistency_sentence(consistent: bool, size: int, now: int,
                         locale: str | None = None) -> str:
    """What a consistency proof from an earlier checkpoint of ``size`` events found, the
    sealed log holding ``now`` events (the CLI and the API say it alike)."""
    if consistent:
        return translate(N_("Nhất quán: nhật ký hôm nay (%(now)s sự kiện đã niêm phong) "
                            "nối tiếp điểm chốt %(size)s sự kiện đã cho."),
                         locale, now=now, size=size)
    if size > now:
        return translate(N_("Không nhất quán: nhật ký hiện chỉ có %(now)s sự kiện đã niêm "
                            "phong, ít hơn %(size)s."), locale, now=now, size=size)
    return translate(N_("Không nhất quán: gốc đã cho không phải gốc của %(size)s sự kiện "
                        "đầu tiên của nhật ký này (gốc giả, của nơi khác, hoặc nhật ký đã "
                        "bị viết lại)."), locale, size=size)


def damage_name(kind: str | None) -> Msg:
    """The words for a kind of damage (the code itself for one this version lacks)."""
    return DAMAGE_NAMES.get(kind or "", Msg(kind or "?"))


class Checkpoint(Record):
    """The seal's root at one size of the log. Recorded once, never changed."""

    TOPIC = "nhiemvu.seal.Checkpoint"

    class Created(Record.Created):
        TOPIC = "nhiemvu.seal.Checkpoint.Created"

    @staticmethod
    def create_id(size: int, root: str, reason: str, actor: str) -> UUID:
        return named_id("checkpoint", str(size))

    @event("CheckpointRecorded", topic="nhiemvu.seal.CheckpointRecorded")
    def __init__(self, size: int, root: str, reason: str, actor: str) -> None:
        self.size = size
        self.root = root
        self.reason = reason


class Verification(Record):
    """One recomputation of the seal from the stored events, and what it found."""

    TOPIC = "nhiemvu.seal.Verification"

    class Created(Record.Created):
        TOPIC = "nhiemvu.seal.Verification.Created"

    @event("LogVerified", topic="nhiemvu.seal.LogVerified")
    def __init__(self, size: int, root: str, intact: bool, position: int | None,
                 kind: str | None, record: str | None, checked: int, actor: str) -> None:
        self.size = size
        self.root = root
        self.intact = intact
        self.position = position
        self.kind = kind
        self.record = record
        self.checked = checked


class SealCommands:
    """Mixed into ``workflow.application.Workflow``: the seal's two commands."""

    def record_checkpoint(self, size: int, root: str, reason: str,
                          actor: str | Actor = SYSTEM) -> bool:
        """Record the seal's root at ``size`` events; False when that size already
        has its checkpoint (another process, or an earlier call, recorded it)."""
        if reason not in CHECKPOINT_REASONS or size < 1 or len(root) != 64:
            raise ValueError("a checkpoint needs a size, a SHA-256 root and a known reason")
        with self._at_clock():  # type: ignore[attr-defined]
            who = self._acting(actor)  # type: ignore[attr-defined]
            try:
                self.save(Checkpoint(size=size, root=root, reason=reason,  # type: ignore[attr-defined]
                                     actor=who.username))
            except IntegrityError:
                return False
            return True

    def record_verification(self, result: dict[str, Any],
                            actor: str | Actor = SYSTEM) -> UUID:
        """Record what a verification found (fields of ``LogVerified``)."""
        kind = result.get("kind")
        if kind is not None and kind not in DAMAGE_KINDS:
            raise ValueError(f"unknown kind of damage: {kind}")
        with self._at_clock():  # type: ignore[attr-defined]
            who = self._acting(actor)  # type: ignore[attr-defined]
            verification = Verification(
                size=result["size"], root=result["root"], intact=result["intact"],
                position=result.get("position"), kind=kind, record=result.get("record"),
                checked=result["checked"], actor=who.username)
            self.save(verification)  # type: ignore[attr-defined]
            return verification.id
