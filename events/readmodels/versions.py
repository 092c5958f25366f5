"""Every state a read-model row has had, and the read models rebuilt from them as of
any log position.

The projections that answer the dashboard, the task list and the progress pages
(tasks, organisation, plans) append a version of each row they change, stamped with
the position of the event that changed it (``valid_from``), to ``<table>_version``
(``events/readmodels/tables.py``). Nothing is updated or deleted there: like the log,
the versions only grow, and a rebuild makes exactly the same ones.

``materialise(conn, position)`` fills temporary tables named like the live ones with
the versions in force at ``position`` and a view of the audit log up to it. SQLite and
PostgreSQL both resolve a table name in the connection's temporary schema first, so
every query given that connection reads the past, with the same SQL as the present.
The running totals are summed from the past board by the same rules the tasks
projection keeps them by (``tally.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Index,
    MetaData,
    Table,
    and_,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.schema import CreateIndex, CreateTable

from events.readmodels import tables
from events.readmodels.bulk import execute_many
from workflow.rules import State

T, TV = tables.tasks, tables.task_versions
_INSERT_TASK_VERSION = insert(TV)
_REPORTED = State.REPORTED.value
# Three of the board's eight indexes: the progress pages ask for each target's latest
# reported and verified value a dozen times per page, and a list (a report's overdue
# tasks, the task list) goes by deadline page after page; each is then a lookup, not
# a scan and a sort of the whole board.
_PAST_INDEXES = [i for i in T.indexes if i.name in (
    "rm_task_by_reported", "rm_task_by_verified", "rm_task_by_deadline")]
# (live table, its versions, the group a version replaces as a whole)
_SMALL = ((tables.units, tables.unit_versions, ("id",)),
          (tables.users, tables.user_versions, ("id",)),
          (tables.plans, tables.plan_versions, ("code",)),
          (tables.pillars, tables.pillar_versions, ("plan",)),
          (tables.targets, tables.target_versions, ("plan",)))
_VERSIONS_OF = {live.name: (versions, group) for live, versions, group in _SMALL}


# -- keeping versions (inside a projection's batch) ------------------------------------

def task_version(row: dict[str, Any], position: int) -> dict[str, Any]:
    """The version of a board row that the event at ``position`` left."""
    return {"id": row["id"], "valid_from": position,
            **{name: row[name] for name in tables.TASK_CHANGES}}


def write_task_versions(conn: Connection, versions: list[dict[str, Any]]) -> None:
    execute_many(conn, _INSERT_TASK_VERSION, versions)


def keep_tasks(conn: Connection, position: int, *where: Any) -> None:
    """A version of every board row matching ``where``, as it is now (after a plan
    change moved targets between pillars)."""
    columns = [TV.c.id, TV.c.valid_from, *(TV.c[n] for n in tables.TASK_CHANGES)]
    source = select(T.c.id, literal(position), *(T.c[n] for n in tables.TASK_CHANGES))
    conn.execute(insert(TV).from_select(columns, source.where(*where)))


def keep(conn: Connection, live: Table, position: int, **group: Any) -> None:
    """A version of the rows of ``live`` in ``group`` (e.g. ``id=…``), as they are now."""
    versions, _ = _VERSIONS_OF[live.name]
    names = [c.name for c in live.columns]
    source = select(*(live.c[n] for n in names), literal(position).label("valid_from"))
    source = source.where(*(live.c[k] == v for k, v in group.items()))
    conn.execute(insert(versions).from_select([*names, "valid_from"], source))


# -- the past --------------------------------------------------------------------------

def materialise(conn: Connection, position: int) -> None:
    """On ``conn`` (a connection of its own, thrown away after), temporary read-model
    tables as they stood after the event at ``position``."""
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        live = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    else:
        live = "main"
        # A past lives as long as its connection: in memory, never written to a file.
        conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
    past = MetaData()
    made = {t.name: _temporary(conn, t, past) for t in (
        T, tables.task_counts, tables.task_due, *(s[0] for s in _SMALL))}
    for table, versions, group in _SMALL:
        _fill_small(conn, made[table.name], _live(versions, live), group, position)
    _fill_board(conn, made[T.name], _live(T, live), _live(TV, live), position)
    for index in _PAST_INDEXES:
        conn.execute(CreateIndex(Index(index.name, *(made[T.name].c[c.name]
                                                     for c in index.columns))))
    _fill_tally(conn, made[T.name], _live(T, live),
                (made[tables.task_counts.name], made[tables.task_due.name]),
                (_live(tables.task_counts, live), _live(tables.task_due, live)), position)
    audit = _live(tables.audit, live)
    conn.exec_driver_sql(
        f"CREATE TEMPORARY VIEW {tables.audit.name} AS SELECT * FROM "
        f"{_name(audit)} WHERE position <= {int(position)}")


def _live(table: Table, schema: str) -> Table:
    return table.to_metadata(MetaData(), schema=schema)


def _name(table: Table) -> str:
    return f'"{table.schema}"."{table.name}"'


def _temporary(conn: Connection, table: Table, past: MetaData) -> Table:
    """An empty temporary table with ``table``'s name and columns (no indexes but the
    three added after it is filled: a past is read by a handful of queries, most of
    which scan it once at most)."""
    copy = Table(table.name, past, *(c._copy() for c in table.columns),
                 prefixes=["TEMPORARY"])
    conn.execute(CreateTable(copy))
    return copy


def _in_force(versions: Table, group: tuple[str, ...], position: int, outer: Any) -> Any:
    """The ``valid_from`` of the version of ``outer``'s group in force at ``position``."""
    inner = versions.alias("later")
    return (select(func.max(inner.c.valid_from))
            .where(*(inner.c[k] == outer.c[k] for k in group),
                   inner.c.valid_from <= position)
            .scalar_subquery())


def _fill_small(conn: Connection, target: Table, versions: Table, group: tuple[str, ...],
                position: int) -> None:
    names = [c.name for c in target.columns]
    v = versions.alias("v")
    source = (select(*(v.c[n] for n in names))
              .where(v.c.valid_from == _in_force(versions, group, position, v)))
    conn.execute(insert(target).from_select(names, source))


def _fill_board(conn: Connection, target: Table, board: Table, versions: Table,
                position: int) -> None:
    """Each task as it was at ``position``: its live row when nothing changed it since
    (most tasks, for a recent past), else its fixed columns from the live row and the
    rest from its version in force; a task assigned after ``position`` is left out."""
    names = [c.name for c in target.columns]
    conn.execute(insert(target).from_select(
        names, select(*(board.c[n] for n in names)).where(board.c.position <= position)))
    changed = board.c.position > position
    if conn.dialect.name == "postgresql":
        # Per changed task, its versions' key read backwards from the position.
        v = (select(versions).where(versions.c.id == board.c.id,
                                    versions.c.valid_from <= position)
             .order_by(versions.c.valid_from.desc()).limit(1).lateral("v"))
        joined = board.join(v, true())
    else:
        # The same seek per changed task, as a scalar subquery: SQLite planned the
        # lateral form's equivalent (a correlated join) as a scan of every version.
        in_force = (select(board.c.id, select(func.max(versions.c.valid_from))
                           .where(versions.c.id == board.c.id,
                                  versions.c.valid_from <= position)
                           .scalar_subquery().label("valid_from"))
                    .where(changed).subquery("in_force"))
        v = versions.alias("v")
        joined = (in_force.join(v, and_(v.c.id == in_force.c.id,
                                        v.c.valid_from == in_force.c.valid_from))
                  .join(board, board.c.id == in_force.c.id))
    picked = [v.c.valid_from if n == "position"
              else v.c[n] if n in tables.TASK_CHANGES else board.c[n] for n in names]
    conn.execute(insert(target).from_select(
        names, select(*picked).select_from(joined).where(changed)))


def _buckets(board: Table) -> tuple[list[Any], list[Any], Any]:
    """A board's ``tally.count_key`` and ``due_key`` in SQL, and which rows are due."""
    late = and_(board.c.state == _REPORTED, board.c.reported_on.is_not(None),
                board.c.reported_on > board.c.deadline)
    counted = [board.c.unit.label("unit"), func.coalesce(board.c.plan, "").label("plan"),
               func.coalesce(board.c.target, "").label("target"), board.c.state.label("state"),
               func.coalesce(board.c.grade, "").label("grade"), late.label("late")]
    due = [board.c.deadline.label("deadline"), board.c.unit.label("unit"),
           board.c.state.label("state")]
    return counted, due, and_(board.c.grade.is_(None), ~late)


def _fill_tally(conn: Connection, past: Table, live: Table, totals: tuple[Table, Table],
                live_totals: tuple[Table, Table], position: int) -> None:
    """The past's running totals, by the rules of ``tally.py``: summed from the past
    board, or — when fewer than half as many tasks changed since ``position`` — the
    live totals less the buckets of those tasks as they are now (read from the index
    ``rm_task_by_position``) plus theirs as they were then. Per row the second way
    costs a little more (measured 4–5 µs against 3.5), so it pays only for a recent
    past, which differs from now by a few tasks: at the head of a 100,000-task log
    0.05 s instead of 0.47 s."""
    changed = live.c.position > position
    since = conn.execute(select(func.count()).where(changed)).scalar_one()
    size = conn.execute(select(func.count()).select_from(past)).scalar_one()
    past_counted, past_due, past_open = _buckets(past)
    if 2 * since >= size:
        for target, keys, where in ((totals[0], past_counted, true()),
                                    (totals[1], past_due, past_open)):
            conn.execute(insert(target).from_select(
                [*(k.name for k in keys), "n"],
                select(*keys, func.count()).where(where).group_by(*keys)))
        return
    then = past.join(live, live.c.id == past.c.id)  # the past rows of the tasks changed
    now_counted, now_due, now_open = _buckets(live)
    for target, kept, (now_keys, then_keys, now_where, then_where) in (
            (totals[0], live_totals[0], (now_counted, past_counted, changed, changed)),
            (totals[1], live_totals[1], (now_due, past_due, and_(changed, now_open),
                                         and_(changed, past_open)))):
        names = [k.name for k in now_keys]
        parts = union_all(
            select(*(kept.c[n] for n in names), kept.c.n),
            select(*now_keys, (-func.count()).label("n")).where(now_where)
            .group_by(*now_keys),
            select(*then_keys, func.count().label("n")).select_from(then).where(then_where)
            .group_by(*then_keys)).subquery("parts")
        keys = [parts.c[n] for n in names]
        conn.execute(insert(target).from_select(
            [*names, "n"], select(*keys, func.sum(parts.c.n)).group_by(*keys)
            .having(func.sum(parts.c.n) != 0)))
