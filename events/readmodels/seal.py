"""The seal: every stored event record a leaf of an append-only Merkle tree.

Kept like any read model, after the command has committed (never on its path): each
batch of the log appends its records as leaves, and every perfect subtree they
complete, to ``rm_seal_node`` (a leaf also names its position and aggregate), so
any root or proof needs O(log n) rows (``events.log.merkle``).
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
    func,
    insert,
    select,
)

from events.log.merkle import Frontier, leaf_hash, peak_keys
from events.log.records import id_bytes, record_of
from events.readmodels.bulk import insert_values
from events.readmodels.projection import Logged, Projection
from events.readmodels.tables import CODE, ID, POSITION, STAMP, metadata

# A node's key: its level in the high bits, its index below (2^48 leaves is enough).
# Leaves are the nodes of level 0, so their key is their index in the log's order.
LEVEL_SHIFT = 48
LEVEL_ONE = 1 << LEVEL_SHIFT

# Every node of the tree that is a perfect subtree, leaves included: one table, so a
# command's catch-up writes its leaf and the nodes it completes in one statement.
# A leaf also says which position of the log it seals and of which aggregate.
nodes = Table(
    "rm_seal_node", metadata,
    Column("key", POSITION, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    Column("position", POSITION),
    Column("aggregate_id", ID),
    Index("rm_seal_node_position", "position", unique=True),
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

TABLES = (nodes, checkpoints, verifications)

_LAST_LEAF = (select(nodes.c.key, nodes.c.hash, nodes.c.position)
              .where(nodes.c.key < LEVEL_ONE).order_by(nodes.c.key.desc()).limit(1))
_PEAKS = select(nodes.c.key, nodes.c.hash).where(
    nodes.c.key.in_(bindparam("keys", expanding=True)))
_ADD_CHECKPOINT = insert(checkpoints)
_ADD_VERIFICATION = insert(verifications)


def last_checkpoint_size(conn: Connection) -> int:
    """How many events the latest recorded checkpoint covers (0: none yet)."""
    return conn.execute(select(func.max(checkpoints.c.size))).scalar() or 0


def node_key(level: int, index: int) -> int:
    return level << LEVEL_SHIFT | index


class Seal(Projection):
    name = "seal"
    tables = TABLES
    areas = frozenset()  # none by area: every stored row (``vouches``)
    vouches = True

    def __init__(self) -> None:
        # The frontier after the last batch this process applied, and the position
        # it ends at. While the seal's stored position is that one (nobody else
        # sealed since, in this store), the next batch needs no query to know it.
        self._frontier: tuple[int, Frontier] | None = None
        self._after: int | None = None

    def at_position(self, position: int | None) -> None:
        self._after = position

    def sealed(self) -> Frontier | None:
        """The tree after the last batch this process applied (``.size``, ``.root()``),
        or None before any; another process may have sealed more since."""
        return None if self._frontier is None else self._frontier[1]

    def frontier(self, conn: Connection) -> tuple[Frontier, int]:
        """The tree as stored, and the last position it seals (0: none)."""
        cached = self._frontier
        if cached is not None and self._after is not None and cached[0] == self._after:
            return Frontier(cached[1].size, cached[1].peaks), cached[0]
        last = conn.execute(_LAST_LEAF).first()
        if last is None:
            return Frontier(), 0
        size, last_hash = last.key + 1, bytes(last.hash)
        keys = peak_keys(size)
        wanted = [node_key(level, index) for level, index in keys if level]
        found = {key: bytes(h) for key, h in conn.execute(_PEAKS, {"keys": wanted}).tuples()}
        peaks = [found[node_key(level, index)] if level else last_hash
                 for level, index in keys]
        return Frontier(size, peaks), last.position

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        frontier, sealed_until = self.frontier(conn)
        # What it sealed already is never sealed twice, whatever its stored position
        # says (the positions' table lost and made again, say): the leaves tell.
        events = [e for e in events if e.position > sealed_until]
        if not events:
            return
        rows: list[tuple[Any, ...]] = []
        checkpoint_rows, verification_rows = [], []
        for event in events:
            index = frontier.size
            leaf = leaf_hash(record_of(event.record))
            # In the columns' order: key, hash, position, aggregate_id.
            rows.append((index, leaf, event.position,
                         event.key or id_bytes(event.record[1]).hex()))
            rows.extend((node_key(level, i), h, None, None)
                        for level, i, h in frontier.append(leaf))
            if event.area == "seal" and event.data:
                row = _filed(event)
                if row is not None:
                    (checkpoint_rows if event.type == "CheckpointRecorded"
                     else verification_rows).append(row)
        insert_values(conn, nodes, rows)
        if checkpoint_rows:
            conn.execute(_ADD_CHECKPOINT, checkpoint_rows)
        if verification_rows:
            conn.execute(_ADD_VERIFICATION, verification_rows)
        last = events[-1].position
        self._frontier = (last, frontier)
        self._after = last


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
