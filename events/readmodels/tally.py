"""Running totals of the board, moved by the tasks projection in the same batch.

Each task sits in one ``rm_task_count`` bucket and, while open and not reported
late, in one ``rm_task_due`` bucket. A batch computes every touched task's buckets
before and after, and adds the differences with an upsert.

An emptied ``rm_task_count`` bucket stays, at zero, and its readers skip it: its key
(unit, plan, target, state, grade) is bounded by the plans and the units, and a
command that empties one, as most transitions of a small unit do, sends no delete. An
emptied ``rm_task_due`` bucket is deleted (found by its key): its key holds a
deadline, so its empty buckets would pile up with the days that the dashboard's
overdue count reads. Either way the readers see what a rebuild gives.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

from events.readmodels import tables
from events.readmodels.bulk import execute_many
from workflow.rules import State

Key = tuple[Any, ...]
# Each table's key, in the order of ``count_key`` and ``due_key``.
_COUNTED = ("unit", "plan", "target", "state", "grade", "late")
_DUE = ("deadline", "unit", "state")
# Read once: the buckets of every touched task are computed twice per batch.
_REPORTED = State.REPORTED.value


def count_key(row: dict[str, Any]) -> Key:
    late = bool(row["state"] == _REPORTED and row["reported_on"] is not None
                and row["reported_on"] > row["deadline"])
    return (row["unit"], row["plan"] or "", row["target"] or "", row["state"],
            row["grade"] or "", late)


def due_key(row: dict[str, Any]) -> Key | None:
    unit, _, _, state, grade, late = count_key(row)
    if grade or late:
        return None
    return (row["deadline"], unit, state)


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[Key] = Counter()
        self.due: Counter[Key] = Counter()

    def move(self, before: tuple[Key, Key | None] | None, row: dict[str, Any]) -> None:
        after = (count_key(row), due_key(row))
        if before == after:
            return
        if before is not None:
            self.counts[before[0]] -= 1
            if before[1] is not None:
                self.due[before[1]] -= 1
        self.counts[after[0]] += 1
        if after[1] is not None:
            self.due[after[1]] += 1

    def write(self, conn: Connection) -> None:
        # Both tallies' additions, then the emptied due buckets' delete: on PostgreSQL
        # a command's writes go as few statements, a delete needing the additions
        # before it (``events.sql.compiled``).
        _add(conn, tables.task_counts, _COUNTED, self.counts)
        # Only the due buckets this batch took from can have emptied: each is found by
        # its key (the table's unique index), never by scanning for n = 0.
        emptied = [{f"k_{c}": row[c] for c in _DUE}
                   for row in _add(conn, tables.task_due, _DUE, self.due) if row["n"] < 0]
        if emptied:
            execute_many(conn, _EMPTIED_DUE, emptied)
        self.counts.clear()
        self.due.clear()


def keys_of(row: dict[str, Any]) -> tuple[Key, Key | None]:
    return count_key(row), due_key(row)


def _add(conn: Connection, table: Table, columns: tuple[str, ...],
         deltas: Counter) -> list[dict[str, Any]]:
    """Add the deltas; return the rows added (each bucket's key and its delta ``n``)."""
    rows = [{**dict(zip(columns, key, strict=True)), "n": n} for key, n in deltas.items() if n]
    if rows:
        # One row per bucket (a Counter's keys): the rows may go as parts of one statement.
        execute_many(conn, _upsert(conn.dialect.name, table, columns), rows, distinct=True)
    return rows


_UPSERTS: dict[tuple[str, str], Any] = {}
_EMPTIED_DUE = delete(tables.task_due).where(
    *(tables.task_due.c[c] == bindparam(f"k_{c}") for c in _DUE), tables.task_due.c.n == 0)


def _upsert(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    # Built once per database kind and table: building and cache-keying an upsert
    # costs about as much as running it.
    key = (dialect, table.name)
    if key not in _UPSERTS:
        statement = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        _UPSERTS[key] = statement.on_conflict_do_update(
            index_elements=list(columns), set_={"n": table.c.n + statement.excluded.n})
    return _UPSERTS[key]
