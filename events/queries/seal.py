"""The sealed log read back: checkpoints, proofs, and the seal recomputed.

``verify`` reads every stored event record again, hashes it as the seal did and
compares it with the sealed leaf of its position, then recomputes the tree of the
sealed leaves and compares its root with every recorded checkpoint. It names the
first position that differs and how:

- ``changed``: the record at that position is not the one sealed there;
- ``deleted``: a sealed position has no record any more;
- ``inserted``: a record sits at a position the seal skipped (between two sealed ones);
- ``reordered``: the record sealed at one position now sits at another;
- ``rewritten``: the records match the stored seal, but the stored seal no longer
  gives the root of a recorded checkpoint (both were rewritten); the position is the
  first one after the last checkpoint that still holds;
- ``snapshot``: the log is intact, but an aggregate's stored snapshot (derived data
  the app loads long histories from) is not what its events give (``snapshots``
  lists them all).

Records after the last sealed position are not yet sealed (the seal catches up after
each command): ``verify`` catches the seal up first, so they are sealed as they are.

Proofs (``inclusion_proof``, ``consistency_proof``) are computed from the stored
seal and checked against the checkpoint's root before they are given: a damaged
seal gives no proof rather than a false one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import String, bindparam, func, literal, select, type_coerce
from sqlalchemy.types import NullType

from events.log import merkle, records
from events.log.records import id_bytes, record_json, record_of
from events.queries.reading import aware
from events.readmodels import seal as sealed
from events.readmodels.seal import node_key

if TYPE_CHECKING:
    from events.system import System

N, C, V = sealed.nodes, sealed.checkpoints, sealed.verifications
LEAVES = N.c.key < sealed.LEVEL_ONE
BATCH = 20000
# How many differing rows are kept to tell a reordering from other damage.
_KEPT = 1000


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: str
    at: datetime
    position: int
    reason: str
    actor: str

    def as_json(self) -> dict[str, Any]:
        """Exactly what ``nhiemvu audit seal --json`` prints."""
        return {"size": self.size, "root": self.root, "at": self.at.isoformat()}


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(row.size, row.root, aware(row.at), row.position, row.reason, row.actor)


# Asked by pages (and, for the damage, by every task page after a command): built
# once, so SQLAlchemy keys them once too.
_LATEST_CHECKPOINT = select(C).order_by(C.c.size.desc()).limit(1)
_LATEST_VERIFICATION = select(V).order_by(V.c.position.desc()).limit(1)


def latest_checkpoint(store: System) -> Checkpoint | None:
    with store.engine.connect() as conn:
        row = conn.execute(_LATEST_CHECKPOINT).first()
    return None if row is None else _checkpoint(row)


def checkpoints(store: System) -> list[Checkpoint]:
    with store.engine.connect() as conn:
        return [_checkpoint(row) for row in conn.execute(select(C).order_by(C.c.size))]


def _getter(conn: Any) -> merkle.NodeGetter:
    cache: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        if (level, index) not in cache:
            found = conn.execute(select(N.c.hash).where(
                N.c.key == node_key(level, index))).scalar()
            if found is None:
                raise LookupError(f"the seal has no node {level}/{index}")
            cache[(level, index)] = bytes(found)
        return cache[(level, index)]

    return get


def _size(conn: Any) -> int:
    last = conn.execute(select(func.max(N.c.key)).where(LEAVES)).scalar()
    return 0 if last is None else last + 1


def seal_size(store: System) -> int:
    """How many events the stored seal holds."""
    with store.engine.connect() as conn:
        return _size(conn)


def current_root(store: System) -> tuple[int, str]:
    """The stored seal now: how many events it holds and its root (hex)."""
    with store.engine.connect() as conn:
        size = _size(conn)
        return size, merkle.root_hash(size, _getter(conn)).hex()


# What a page's first query asks of the seal's records (``web/sessions.py``): the
# largest checkpoint and the latest verification, each its table's primary key (one
# index read). Both tables only gain rows, in the log's order (a later checkpoint is
# a larger one), so with the parked events (``web.reads.marks``) they are a key of
# what is read from them: the latest checkpoint, the latest verification and the
# damage it found.
MARK = "+seal "
MARKS = (
    select(literal(MARK + "checkpoint", String), func.coalesce(func.max(C.c.size), 0)),
    select(literal(MARK + "verification", String), func.coalesce(func.max(V.c.position), 0)),
)


def latest_verification(store: System) -> dict[str, Any] | None:
    """The last recorded verification (``LogVerified``), as a dict, or None."""
    with store.engine.connect() as conn:
        row = conn.execute(_LATEST_VERIFICATION).mappings().first()
    if row is None:
        return None
    return {**row, "at": aware(row["at"])}


def damage(store: System) -> dict[str, Any] | None:
    """The damage the last verification found (position, kind, record, at), or None
    when the last one found the log intact (or none was run)."""
    found = latest_verification(store)
    return None if found is None or found["intact"] else found


def _leaf_rows(conn: Any, batch: int) -> Iterator[Any]:
    query = (select(N.c.key, N.c.position, N.c.aggregate_id, N.c.hash)
             .where(N.c.key > bindparam("after"), LEAVES).order_by(N.c.key).limit(batch))
    after = -1
    while rows := conn.execute(query, {"after": after}).all():
        yield from rows
        after = rows[-1][0]


def inclusion_proof(store: System, position: int, checkpoint: Checkpoint) -> dict[str, Any]:
    """That the event at ``position`` is leaf ``leaf_index`` of the tree whose root the
    checkpoint recorded. Raises LookupError when the position is not sealed within
    the checkpoint, ValueError when the stored seal cannot prove it."""
    table = store.events_table
    with store.engine.connect() as conn:
        leaf = conn.execute(select(N.c.key, N.c.hash).where(N.c.position == position)).first()
        if leaf is None or leaf.key >= checkpoint.size:
            raise LookupError(position)
        row = conn.execute(select(*records.columns(table))
                           .where(table.c.id == position)).first()
        try:
            path = merkle.inclusion_path(leaf.key, checkpoint.size, _getter(conn))
        except LookupError:  # a node of the stored seal is gone: damage, not absence
            raise ValueError("the stored seal lacks a node of this proof") from None
    if row is None:
        raise ValueError("the event at this position is gone")
    hashed = merkle.leaf_hash(record_of(row))
    if not merkle.verify_inclusion(hashed, leaf.key, checkpoint.size, path,
                                   bytes.fromhex(checkpoint.root)):
        raise ValueError("the stored record or seal no longer matches the checkpoint")
    return {"position": position, "leaf_index": leaf.key, "tree_size": checkpoint.size,
            "root": checkpoint.root, "checkpoint_at": checkpoint.at.isoformat(),
            "record": record_json(row), "leaf_hash": hashed.hex(),
            "path": [h.hex() for h in path]}


def consistency_proof(store: System, size: int, root: str,
                      checkpoint: Checkpoint) -> dict[str, Any]:
    """That the tree of ``size`` events with root ``root`` (an earlier checkpoint, as
    printed on a report) is the beginning of the checkpoint's tree: the log only grew.
    ``consistent`` says whether the proof holds for the root given."""
    result: dict[str, Any] = {
        "first": {"size": size, "root": root},
        "second": {"size": checkpoint.size, "root": checkpoint.root,
                   "at": checkpoint.at.isoformat()},
        "path": [], "consistent": False}
    if not 0 < size <= checkpoint.size:
        return result
    with store.engine.connect() as conn:
        path = merkle.consistency_path(size, checkpoint.size, _getter(conn))
    result["path"] = [h.hex() for h in path]
    try:
        first_root = bytes.fromhex(root)
    except ValueError:
        return result
    result["consistent"] = merkle.verify_consistency(
        size, checkpoint.size, first_root, bytes.fromhex(checkpoint.root), path)
    return result


class _Problems:
    """What differs, in log order, with enough kept to recognise a reordering."""

    def __init__(self) -> None:
        self.first: tuple[int, str, str | None] | None = None
        self.count = 0
        self.rows: dict[int, Any] = {}  # position → a stored row that is not sealed there
        self.leaves: dict[int, bytes] = {}  # position → a sealed leaf its row does not match

    def add(self, position: int, kind: str, record: str | None, *, row: Any = None,
            leaf: bytes | None = None) -> None:
        self.count += 1
        if self.first is None or position < self.first[0]:
            self.first = (position, kind, record)
        if row is not None and len(self.rows) < _KEPT:
            self.rows[position] = row
        if leaf is not None and len(self.leaves) < _KEPT:
            self.leaves[position] = leaf

    def reordered(self, position: int) -> bool:
        """Whether the first problem is a record moved between sealed positions."""
        def sealed_at(row: Any, where: int) -> bool:
            return (where in self.leaves and where != row[0] and
                    merkle.leaf_hash(record_of((where, *row[1:]))) == self.leaves[where])
        if position in self.rows and any(sealed_at(self.rows[position], q)
                                         for q in self.leaves):
            return True
        return position in self.leaves and any(
            sealed_at(row, position) for row in self.rows.values())


def verify(store: System, *, batch: int = BATCH) -> dict[str, Any]:
    """Recompute the seal from the stored events (see the module's docstring).

    Returns ``intact``, ``size`` (events sealed), ``root`` (hex, of the sealed leaves),
    ``checked`` (stored records read), ``unsealed``, ``snapshots`` (the aggregates
    whose snapshot differs), and when not intact the first ``position``, its ``kind``,
    the ``record`` (aggregate id, hex) and ``problems``.
    """
    store.projections.catch_up("seal")
    problems = _Problems()
    wanted = [(c.size, c.root) for c in checkpoints(store)]
    frontier = merkle.Frontier()
    good_size = checked = unsealed = 0
    rewritten: int | None = None
    previous = 0
    with store.engine.connect() as events_conn, store.engine.connect() as seal_conn:
        rows = records.select_rows(events_conn, store.events_table, batch)
        row = next(rows, None)
        for leaf in _leaf_rows(seal_conn, batch):
            position, stored = leaf.position, bytes(leaf.hash)
            if position <= previous and rewritten is None:
                rewritten = position  # the seal's own order is broken
            previous = position
            while row is not None and row[0] < position:
                checked += 1
                problems.add(row[0], "inserted", id_bytes(row[1]).hex(), row=row)
                row = next(rows, None)
            if row is not None and row[0] == position:
                checked += 1
                if merkle.leaf_hash(record_of(row)) != stored:
                    problems.add(position, "changed", leaf.aggregate_id, row=row, leaf=stored)
                row = next(rows, None)
            else:
                problems.add(position, "deleted", leaf.aggregate_id, leaf=stored)
            frontier.append(stored)
            while wanted and wanted[0][0] == frontier.size:
                if rewritten is None and frontier.root().hex() != wanted[0][1]:
                    rewritten = good_size
                elif rewritten is None:
                    good_size = frontier.size
                wanted.pop(0)
        while row is not None:
            checked += 1
            unsealed += 1
            row = next(rows, None)
    result: dict[str, Any] = {"intact": True, "size": frontier.size,
                              "root": frontier.root().hex(), "checked": checked,
                              "unsealed": unsealed, "position": None, "kind": None,
                              "record": None, "problems": problems.count}
    if problems.first is not None:
        position, kind, record = problems.first
        if problems.reordered(position):
            kind = "reordered"
        result.update(intact=False, position=position, kind=kind, record=record)
    elif rewritten is not None or wanted:
        # ``wanted`` left: a checkpoint of more events than the seal holds.
        result.update(intact=False, kind="rewritten",
                      position=position_of_leaf(store, rewritten or good_size))
    snapshots = damaged_snapshots(store)
    result["snapshots"] = snapshots
    if snapshots and result["intact"]:
        result.update(intact=False, kind="snapshot", record=snapshots[0])
    if not result["intact"]:
        # What this process keeps in memory may be what the log no longer says: from
        # here on it reads each record from the store, and meets the damage there.
        store.service.forget_loaded()
    return result


def damaged_snapshots(store: System) -> list[str]:
    """The aggregates (hex ids) whose stored snapshot is not what replaying their
    events up to its version gives.

    Snapshots are not part of the record, but a long history is loaded from its
    latest one: a snapshot changed by hand would change what the app shows while the
    log stays intact. One snapshot per aggregate, a few per thousand events."""
    service = store.service
    if service.snapshots is None:
        return []
    table = service.snapshots.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        ids = conn.execute(select(type_coerce(table.c.originator_id, NullType()))
                           .order_by(table.c.originator_id)).scalars().all()
    damaged = []
    for raw in ids:
        aggregate_id = UUID(bytes=id_bytes(raw))
        if not _snapshot_holds(service, aggregate_id):
            damaged.append(aggregate_id.hex)
    return damaged


def _snapshot_holds(service: Any, aggregate_id: UUID) -> bool:
    try:
        snapshot = next(iter(service.snapshots.get(aggregate_id, desc=True, limit=1)))
        aggregate = None
        for event in service.events.get(aggregate_id, lte=snapshot.originator_version):
            aggregate = event.mutate(aggregate)
        fresh = type(aggregate).Snapshot.take(aggregate)
    except Exception:  # noqa: BLE001 - a snapshot or history that no longer decodes
        return False
    return (fresh.topic, fresh.originator_version, fresh.state) == (
        snapshot.topic, snapshot.originator_version, snapshot.state)


def position_of_leaf(store: System, index: int) -> int | None:
    """The log position sealed as leaf ``index`` (counting from 0)."""
    with store.engine.connect() as conn:
        return conn.execute(select(N.c.position).where(N.c.key == index)).scalar()


def record_of_position(store: System, position: int) -> UUID | None:
    """The aggregate the seal says the event at ``position`` belonged to."""
    with store.engine.connect() as conn:
        found = conn.execute(select(N.c.aggregate_id).where(N.c.position == position)).scalar()
    return None if found is None else UUID(found)
