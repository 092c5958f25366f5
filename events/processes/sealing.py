"""Keeping the seal witnessed: checkpoints recorded, verifications run and recorded.

``checkpoint`` records the seal's root as it stands (``CheckpointRecorded``) unless
the latest checkpoint already covers every sealed event; ``verify_and_record`` runs
``events.queries.seal.verify`` and records what it found (``LogVerified``), so a
damaged log is shown to admins and auditors without anyone asking. The scheduler
calls both (``scheduler.py``); so do ``nhiemvu audit …`` and the composition root
(a checkpoint every ``NHIEMVU_SEAL_EVERY`` events).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from events.queries import seal as seal_queries
from events.queries.seal import Checkpoint

if TYPE_CHECKING:
    from events.system import System

log = logging.getLogger("nhiemvu.seal")


def checkpoint(store: System, reason: str) -> Checkpoint | None:
    """Record a checkpoint of the whole sealed log if it grew since the latest one;
    return the latest checkpoint (None while the log is empty)."""
    store.projections.catch_up("seal")
    size, root = seal_queries.current_root(store)
    latest = seal_queries.latest_checkpoint(store)
    if size and (latest is None or latest.size < size):
        # False when another process recorded this very size meanwhile: same root.
        store.service.record_checkpoint(size, root, reason)
        latest = seal_queries.latest_checkpoint(store)
    return latest


def verify_and_record(store: System) -> dict[str, Any]:
    """Verify the log against its seal and record the result; return it."""
    result = seal_queries.verify(store)
    store.service.record_verification(result)
    if result["intact"]:
        log.info("log verified: %d events sealed, intact", result["size"])
    else:
        log.error("log damaged: %s at position %s (%d differences)", result["kind"],
                  result["position"], result["problems"])
    return result
