"""The task board: one row per task, kept current from the task's events.

A batch of events is applied in memory: the rows it touches are read in one query,
changed, and written back with one ``executemany`` per kind, so replaying a million
events costs a few statements per batch rather than one per event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from events.readmodels import tables
from events.readmodels.bulk import execute_many
from events.readmodels.memory import Memory
from events.readmodels.projection import Logged, Projection, text_value
from events.readmodels.searchable import search_key
from events.readmodels.tally import Tally, keys_of
from events.readmodels.versions import keep_tasks, task_version, write_task_versions
from workflow.grades import Grade
from workflow.rules import TRANSITIONS, State

T = tables.tasks
_CHUNK = 500
_COLUMNS = tuple(c.name for c in T.columns if c.name != "id")
# Each UPDATE sets only the columns its rows changed: SQLite rewrites the entries of
# every index over a column that is SET, changed or not, and the board carries
# eleven (measured: 15 pages a commit for all columns, 5.5 for the two that
# changed). One statement per set of columns, built once (building a 28-column
# UPDATE costs more than running it); the sets are those the events make, a few
# dozen, and past ``_SHAPES`` every row sets every column.
_UPDATES: dict[tuple[str, ...], Any] = {}
_SHAPES = 256


def _update_of(columns: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """The UPDATE that sets ``columns``, and the columns it sets: all of them once
    ``_SHAPES`` statements are built."""
    if columns not in _UPDATES and len(_UPDATES) >= _SHAPES:
        columns = _COLUMNS
    statement = _UPDATES.get(columns)
    if statement is None:
        statement = _UPDATES[columns] = (
            update(T).where(T.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns}))
    return statement, columns


_INSERT = insert(T)
_BY_IDS = select(T).where(T.c.id.in_(bindparam("ids", expanding=True)))

# The state each action leaves a task in: the table the task's own events apply
# (workflow.rules), read once as plain codes (a rebuild reads them a million times).
_AFTER = {action: t.target.value for action, t in TRANSITIONS.items() if t.target}
_ASSIGNED = State.ASSIGNED.value
_DONE_ON_TIME, _DONE_LATE = Grade.DONE_ON_TIME.value, Grade.DONE_LATE.value
_CANCELLED = Grade.CANCELLED.value


class TaskBoard(Projection):
    name = "tasks"
    tables = tables.OWNERS["tasks"]
    areas = frozenset({"task", "plan"})
    # 2: every state of a row kept in rm_task_version (the as-of views).
    version = 2

    def __init__(self) -> None:
        # The rows as this process last wrote them (``memory.py``).
        self.memory = Memory()

    def recall(self, position: int | None) -> None:
        self.memory.begin(position)

    def settled(self, position: int) -> None:
        self.memory.settle(position)

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        try:
            self._apply(conn, events)
        except BaseException:
            self.memory.forget()
            raise

    def _apply(self, conn: Connection, events: list[Logged]) -> None:
        batch = _Batch(conn, self.memory)
        # Rows of tasks created in this batch are made here, not looked up: in a
        # rebuild that is nearly every task, and a lookup of thousands of ids that
        # are not there yet costs more than the rest of the batch (on PostgreSQL a
        # table without statistics yet is scanned once per id list).
        created = {e.key for e in events if e.type == "TaskAssigned"}
        batch.preload({e.key for e in events if e.area == "task" and e.key not in created})
        for event in events:
            if event.area == "plan":
                batch.flush()
                self._plan_changed(conn, event)
                continue
            handler = getattr(self, f"_on_{event.type}", None)
            if handler is None:
                continue
            row = batch.new(event) if event.type == "TaskAssigned" else batch.row(event.key)
            if row is None:  # an event of a task we never saw created: ignore it
                continue
            handler(row, event, event.data)
            row["version"] = event.version
            row["last_activity"] = event.at
            row["position"] = event.position
            batch.versions.append(task_version(row, event.position))
        batch.flush()

    # -- plan changes only move targets between pillars -------------------------

    def _plan_changed(self, conn: Connection, event: Logged) -> None:
        content = event.data["content"]
        plan = content["code"]
        known = {r.target: r.pillar for r in conn.execute(
            select(tables.task_targets).where(tables.task_targets.c.plan == plan))}
        for target in content.get("targets", []):
            code, pillar = target["code"], target["pillar"]
            if code not in known:
                conn.execute(insert(tables.task_targets).values(
                    plan=plan, target=code, pillar=pillar))
            elif known[code] != pillar:
                conn.execute(update(tables.task_targets).where(
                    tables.task_targets.c.plan == plan, tables.task_targets.c.target == code)
                    .values(pillar=pillar))
                moved = (T.c.plan == plan, T.c.target == code)
                conn.execute(update(T).where(*moved)
                             .values(pillar=pillar, position=event.position))
                # Rows changed in the table itself: read them again from there.
                self.memory.forget()
                keep_tasks(conn, event.position, *moved)

    # -- task events --------------------------------------------------------------

    def _on_TaskAssigned(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row.update(
            id=e.key, title=d["title"], description=d.get("description", ""),
            search_key=search_key(f"{d['title']} {d.get('description', '')}"),
            unit=d["unit"], plan=d.get("plan"), target=d.get("target"), pillar=None,
            state=_ASSIGNED, grade=None, deadline=d["deadline"],
            original_deadline=d["deadline"], extensions=0, returns=0, percent=None,
            assigned_at=e.at, assigned_by=e.actor, started_at=None, reported_at=None,
            reported_on=None, reported_by=None, reported_value=None, verified_at=None,
            verified_by=None, verified_value=None, cancelled_at=None,
        )

    def _on_WorkStarted(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row["state"] = _AFTER["start"]
        row["started_at"] = row["started_at"] or e.at

    def _on_ProgressNoted(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        if d.get("percent") is not None:
            row["percent"] = d["percent"]

    def _on_ReportSubmitted(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row.update(state=_AFTER["report"], reported_at=e.at, reported_on=e.local_day,
                   reported_by=e.actor, reported_value=text_value(d.get("value")))

    def _on_ReportVerified(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        # On time: the verified report was submitted (Vietnam date) by the deadline in force.
        on_time = row["reported_on"] is not None and row["reported_on"] <= row["deadline"]
        row.update(state=_AFTER["verify"], verified_at=e.at, verified_by=e.actor,
                   verified_value=row["reported_value"],
                   grade=_DONE_ON_TIME if on_time else _DONE_LATE)

    def _on_ReportReturned(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row["state"] = _AFTER["return"]
        row["returns"] += 1

    def _on_DeadlineExtended(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row["deadline"] = d["deadline"]
        row["extensions"] += 1

    def _on_TaskReassigned(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row["unit"] = d["unit"]

    def _on_TaskCancelled(self, row: dict[str, Any], e: Logged, d: dict[str, Any]) -> None:
        row.update(state=_AFTER["cancel"], grade=_CANCELLED, cancelled_at=e.at)


class _Batch:
    """The rows one batch touches: loaded once, written back once."""

    def __init__(self, conn: Connection, memory: Memory):
        self.conn = conn
        self.memory = memory
        self.rows: dict[str, dict[str, Any]] = {}
        self.created: set[str] = set()
        # Each loaded task's row and tally buckets before the batch changed it.
        self.loaded: dict[str, dict[str, Any]] = {}
        self.before: dict[str, Any] = {}
        self.pillars: dict[tuple[str, str], str] | None = None
        # The version each event left, in order (a task's pillar is known at the flush).
        self.versions: list[dict[str, Any]] = []

    def new(self, event: Logged) -> dict[str, Any]:
        row: dict[str, Any] = {}
        self.rows[event.key] = row
        self.created.add(event.key)
        return row

    def row(self, key: str) -> dict[str, Any] | None:
        # Preloaded rows are gone only after a plan change flushed the batch: the change
        # moved pillars in the table itself, so the rows are read again.
        if key not in self.rows:
            found = self.conn.execute(select(T).where(T.c.id == key)).mappings().first()
            if found is None:
                return None
            self._loaded(dict(found))
        return self.rows[key]

    def _loaded(self, row: dict[str, Any]) -> None:
        self.rows[row["id"]] = row
        self.loaded[row["id"]] = dict(row)
        self.before[row["id"]] = keys_of(row)

    def preload(self, keys: set[str]) -> None:
        """Load the rows of ``keys`` into the batch, before its first event."""
        remembered = self.memory.rows
        ordered = []
        for key in keys:
            if key in remembered:
                self._loaded(dict(remembered[key]))
            else:
                ordered.append(key)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            for found in self.conn.execute(_BY_IDS, {"ids": chunk}).mappings():
                self._loaded(dict(found))

    def _pillar(self, plan: str | None, target: str | None) -> str | None:
        if not target:
            return None
        if self.pillars is None:
            self.pillars = {(r.plan, r.target): r.pillar
                            for r in self.conn.execute(select(tables.task_targets))}
        return self.pillars.get((plan or "", target))

    def flush(self) -> None:
        created = [self.rows[k] for k in self.created]
        for row in created:
            row["pillar"] = self._pillar(row["plan"], row["target"])
        for version in self.versions:
            if version["id"] in self.created:
                version["pillar"] = self.rows[version["id"]]["pillar"]
        execute_many(self.conn, _INSERT, created)
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key, row in self.rows.items():
            if key in self.created:
                continue
            was = self.loaded[key]
            columns = tuple(c for c in _COLUMNS if row[c] != was[c])
            if columns:
                by_columns.setdefault(columns, []).append(row)
        for columns, rows in by_columns.items():
            statement, columns = _update_of(columns)
            execute_many(self.conn, statement, [
                {"b_id": r["id"], **{f"b_{c}": r[c] for c in columns}} for r in rows])
        tally = Tally()
        for key, row in self.rows.items():
            tally.move(self.before.get(key), row)
        tally.write(self.conn)
        write_task_versions(self.conn, self.versions)
        self.memory.rows.update(self.rows)
        self.versions.clear()
        self.rows.clear()
        self.created.clear()
        self.loaded.clear()
        self.before.clear()
        self.pillars = None
