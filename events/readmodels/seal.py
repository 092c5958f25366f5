"""The seal: every stored event record a leaf of an append-only Merkle tree.

Kept like any read model, after the command has committed (never on its path): each
batch of the log appends its records as leaves (``rm_seal_leaf``: leaf index,
position, aggregate, leaf hash) and stores every perfect subtree they complete
(``rm_seal_node``), so any root or proof needs O(log n) rows (``events.log.merkle``).
It reads the stored bytes, not what they decode to: an event no other read model can
read is sealed like the rest, and hashing cannot fail on what an event says.

It also files what the log records about the seal (``workflow.seal``): checkpoints
(``rm_seal_checkpoint``) and verifications (``rm_seal_verification``).

The seal vouches for the log, so it is never rebuilt from the log as a side effect
(``rebuild`` of all read models leaves it alone); recomputing it and comparing is
``events.queries.seal.verify``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    bindparam,
    insert,
    select,
)

from events.log.merkle import Frontier, leaf_hash, peak_keys, record_bytes
from events.readmodels.projection import Logged, Projection
from events.readmodels.tables import CODE, ID, POSITION, STAMP, metadata

# A node's key: its level in the high bits, its index below (2^48 leaves is enough).
LEVEL_SHIFT = 48

leaves = Table(
    "rm_seal_leaf", metadata,
    Column("leaf", POSITION, primary_key=True, autoincrement=False),
    Column("position", POSITION, nullable=False),
    Column("aggregate_id", ID, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    Index("rm_seal_leaf_position", "position", unique=True),
)

nodes = Table(
    "rm_seal_node", metadata,
    Column("key", POSITION, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "rm_seal_checkpoint", metadata,
    Column("size", POSITION, primary_key=True, autoincrement=False),
    Column("root", String(64), nullable=False),
    Column("at", STAMP, nullable=False),
    Column("position", POSITION, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("actor", CODE, nullable=False),
)

verifications = Table(
    "rm_seal_verification", metadata,
    Column("position", POSITION, primary_key=True, autoincrement=False),
    Column("at", STAMP, nullable=False),
    Column("actor", CODE, nullable=False),
    Column("size", POSITION, nullable=False),
    Column("root", String(64), nullable=False),
    Column("intact", Boolean, nullable=False),
    Column("damaged_position", POSITION),
    Column("kind", String(16)),
    Column("record", ID),
    Column("checked", Integer, nullable=False),
)

TABLES = (leaves, nodes, checkpoints, verifications)

_LAST_LEAF = select(leaves.c.leaf, leaves.c.hash).order_by(leaves.c.leaf.desc()).limit(1)
_PEAKS = select(nodes.c.key, nodes.c.hash).where(
    nodes.c.key.in_(bindparam("keys", expanding=True)))
_ADD_LEAVES = insert(leaves)
_ADD_NODES = insert(nodes)
_ADD_CHECKPOINT = insert(checkpoints)
_ADD_VERIFICATION = insert(verifications)


def node_key(level: int, index: int) -> int:
    return level << LEVEL_SHIFT | index


def id_bytes(originator_id: Any) -> bytes:
    """The aggregate id's 16 bytes, as SQLite (bytes) or PostgreSQL (UUID) gives it."""
    if isinstance(originator_id, bytes | bytearray | memoryview):
        return bytes(originator_id)
    return UUID(str(originator_id)).bytes


def record_of(row: Any) -> bytes:
    """The sealed bytes of a stored events row ``(id, originator_id, version, topic,
    state)``."""
    position, originator_id, version, topic, state = row
    return record_bytes(position, id_bytes(originator_id), version, topic, bytes(state))


class Seal(Projection):
    name = "seal"
    tables = TABLES
    areas = frozenset()  # none by area: every stored row (``vouches``)
    vouches = True

    def __init__(self) -> None:
        # The frontier after the last batch this process applied, with the size and
        # last leaf it belongs to: when the stored seal still ends there (nobody else
        # appended), the next batch needs one query to know it.
        self._frontier: tuple[int, bytes, Frontier] | None = None

    def sealed(self) -> tuple[int, str] | None:
        """Size and root (hex) of the seal after the last batch this process applied,
        or None before any (another process may have sealed more since)."""
        if self._frontier is None:
            return None
        return self._frontier[0], self._frontier[2].root().hex()

    def frontier(self, conn: Connection) -> Frontier:
        last = conn.execute(_LAST_LEAF).first()
        if last is None:
            return Frontier()
        size, last_hash = last.leaf + 1, bytes(last.hash)
        cached = self._frontier
        if cached is not None and cached[0] == size and cached[1] == last_hash:
            return Frontier(size, cached[2].peaks)
        keys = peak_keys(size)
        wanted = [node_key(level, index) for level, index in keys if level]
        found = {key: bytes(h) for key, h in conn.execute(_PEAKS, {"keys": wanted}).tuples()}
        peaks = [found[node_key(level, index)] if level else last_hash
                 for level, index in keys]
        return Frontier(size, peaks)

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        frontier = self.frontier(conn)
        leaf_rows, node_rows = [], []
        checkpoint_rows, verification_rows = [], []
        for event in events:
            index = frontier.size
            leaf = leaf_hash(record_of(event.record))
            leaf_rows.append({"leaf": index, "position": event.position,
                              "aggregate_id": event.key or id_bytes(event.record[1]).hex(),
                              "hash": leaf})
            node_rows.extend({"key": node_key(level, i), "hash": h}
                             for level, i, h in frontier.append(leaf))
            if event.area == "seal" and event.data:
                row = _filed(event)
                if row is not None:
                    (checkpoint_rows if event.type == "CheckpointRecorded"
                     else verification_rows).append(row)
        conn.execute(_ADD_LEAVES, leaf_rows)
        if node_rows:
            conn.execute(_ADD_NODES, node_rows)
        if checkpoint_rows:
            conn.execute(_ADD_CHECKPOINT, checkpoint_rows)
        if verification_rows:
            conn.execute(_ADD_VERIFICATION, verification_rows)
        self._frontier = (frontier.size, leaf_rows[-1]["hash"], frontier)


def _filed(event: Logged) -> dict[str, Any] | None:
    """The checkpoint or verification row an event of the seal's own records, or None
    for a body that does not fit (sealed all the same: a leaf never waits on it)."""
    data = event.data
    try:
        if event.type == "CheckpointRecorded":
            return {"size": int(data["size"]), "root": str(data["root"]), "at": event.at,
                    "position": event.position, "reason": str(data["reason"]),
                    "actor": event.actor}
        if event.type == "LogVerified":
            return {"position": event.position, "at": event.at, "actor": event.actor,
                    "size": int(data["size"]), "root": str(data["root"]),
                    "intact": bool(data["intact"]), "damaged_position": data.get("position"),
                    "kind": data.get("kind"), "record": data.get("record"),
                    "checked": int(data["checked"])}
    except (KeyError, TypeError, ValueError):
        return None
    return None
