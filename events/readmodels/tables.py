"""The read-model tables (SQLAlchemy Core), all prefixed ``rm_``.

Each table belongs to exactly one projection (see ``OWNERS``): rebuilding a projection
empties its tables and replays the log into them. ``rm_projection`` holds each
projection's log position, written in the same transaction as its rows;
``rm_projection_definition`` what its rows were computed with.

Ids are kept as 32 lower-case hex digits (no dashes) so that a prefix typed by a person
is a plain index range on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

ID = String(32)
CODE = String(64)
STAMP = DateTime(timezone=True)
# Measured values stay exact decimals as text: SQLite has no decimal type.
VALUE = String(24)
POSITION = BigInteger().with_variant(Integer(), "sqlite")

positions = Table(
    "rm_projection", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", POSITION, nullable=False),
)

# What each projection's rows were computed with (its ``definition()``): when that
# changes (new code, or settings such as the alert days), the rows are stale and the
# projection is rebuilt. A table of its own, so existing databases gain it unaltered.
definitions = Table(
    "rm_projection_definition", metadata,
    Column("name", String(64), primary_key=True),
    Column("definition", Text, nullable=False),
)

# Events a projection could not apply, set aside so that it goes on with the next
# one (``parking.py``): the position, the error and when. A rebuild of the projection
# (``nhiemvu projections retry``) applies them again, in order, with today's code.
parked = Table(
    "rm_parked", metadata,
    Column("projection", String(64), primary_key=True),
    Column("position", POSITION, primary_key=True),
    Column("topic", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("parked_at", STAMP, nullable=False),
)

units = Table(
    "rm_unit", metadata,
    Column("code", CODE, primary_key=True),
    Column("id", ID, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("active", Boolean, nullable=False),
)

users = Table(
    "rm_user", metadata,
    Column("username", CODE, primary_key=True),
    Column("id", ID, nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("unit", CODE),
    Column("email", Text, nullable=False),
    Column("active", Boolean, nullable=False),
)

plans = Table(
    "rm_plan", metadata,
    Column("code", CODE, primary_key=True),
    Column("title", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("adopted_on", Date),
    Column("position", POSITION, nullable=False),
)

pillars = Table(
    "rm_pillar", metadata,
    Column("plan", CODE, primary_key=True),
    Column("code", CODE, primary_key=True),
    Column("number", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_en", Text, nullable=False),
)

targets = Table(
    "rm_target", metadata,
    Column("plan", CODE, primary_key=True),
    Column("code", CODE, primary_key=True),
    Column("number", Integer, nullable=False),
    Column("pillar", CODE, nullable=False),
    Column("text", Text, nullable=False),
    Column("range", Text, nullable=False),
    Column("min", VALUE, nullable=False),
    Column("max", VALUE, nullable=False),
    Column("unit", String(16), nullable=False),
)

tasks = Table(
    "rm_task", metadata,
    Column("id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("search_key", Text, nullable=False),
    Column("unit", CODE, nullable=False),
    Column("plan", CODE),
    Column("target", CODE),
    Column("pillar", CODE),
    Column("state", String(16), nullable=False),
    # Only final grades are stored; open ones depend on today (see queries).
    Column("grade", String(16)),
    Column("deadline", Date, nullable=False),
    Column("original_deadline", Date, nullable=False),
    Column("extensions", Integer, nullable=False),
    Column("returns", Integer, nullable=False),
    Column("percent", Integer),
    Column("assigned_at", STAMP, nullable=False),
    Column("assigned_by", CODE, nullable=False),
    Column("started_at", STAMP),
    Column("reported_at", STAMP),
    Column("reported_on", Date),
    Column("reported_by", CODE),
    Column("reported_value", VALUE),
    Column("verified_at", STAMP),
    Column("verified_by", CODE),
    Column("verified_value", VALUE),
    Column("cancelled_at", STAMP),
    Column("last_activity", STAMP, nullable=False),
    # The log position of the last event that changed the row (its version in
    # rm_task_version starts there): a past before it must look the version up.
    Column("position", POSITION, nullable=False),
    # The search key rides along so a text search walks this index alone, fetching
    # only the rows that match (no full-text engine needed at a province's scale).
    Index("rm_task_by_deadline", "deadline", "id", "search_key"),
    Index("rm_task_by_state", "state", "deadline", "id"),
    Index("rm_task_by_unit", "unit", "deadline", "id"),
    Index("rm_task_by_pillar", "pillar", "deadline", "id"),
    Index("rm_task_by_target", "target", "deadline", "id"),
    # The list by last activity, newest first (a store made before it gains it on opening).
    Index("rm_task_by_activity", "last_activity", "id"),
    # The latest reported / verified value per target.
    Index("rm_task_by_reported", "plan", "target", "reported_at", "id"),
    Index("rm_task_by_verified", "plan", "target", "verified_at", "id"),
    # Also covers "open and past its deadline" per unit or target (progress pages).
    Index("rm_task_by_grade", "grade", "deadline", "state", "plan", "target", "unit", "id"),
    # The tasks changed since a position, with what their running totals are made of:
    # a past's totals are the live ones less these (events/readmodels/versions.py).
    Index("rm_task_by_position", "position", "unit", "plan", "target", "state", "grade",
          "reported_on", "deadline"),
)

# Running totals kept beside the board so the dashboard never scans 100,000 rows:
# tasks per (unit, plan, target, state, stored grade, reported after its deadline) …
task_counts = Table(
    "rm_task_count", metadata,
    Column("unit", CODE, primary_key=True),
    Column("plan", CODE, primary_key=True),  # "" for a task without a target
    Column("target", CODE, primary_key=True),  # likewise
    Column("state", String(16), primary_key=True),
    Column("grade", String(16), primary_key=True),  # "" while the task is open
    Column("late", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
)

# … and open tasks per deadline day (except those already reported late), so that
# "overdue" and "due soon" for any today are one range over a small table.
task_due = Table(
    "rm_task_due", metadata,
    Column("deadline", Date, primary_key=True),
    Column("unit", CODE, primary_key=True),
    Column("state", String(16), primary_key=True),
    Column("n", Integer, nullable=False),
)

# The tasks projection's own copy of target → pillar, so it never reads another
# projection's tables (each one can be rebuilt alone).
task_targets = Table(
    "rm_task_target", metadata,
    Column("plan", CODE, primary_key=True),
    Column("target", CODE, primary_key=True),
    Column("pillar", CODE, nullable=False),
)

audit = Table(
    "rm_audit", metadata,
    Column("position", POSITION, primary_key=True, autoincrement=False),
    Column("at", STAMP, nullable=False),
    Column("actor", CODE, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("aggregate_id", ID, nullable=False),
    Column("version", Integer, nullable=False),
    Column("unit", CODE),
    Column("type", String(64), nullable=False),
    Column("data", Text, nullable=False),
    # What the event changed on its task, as ``{"field": [old, new]}`` JSON (state,
    # deadline, unit, value, percent; workflow.event_names); null when nothing.
    Column("changes", Text),
    Index("rm_audit_by_actor", "actor", "position"),
    Index("rm_audit_by_unit", "unit", "position"),
    Index("rm_audit_by_aggregate", "aggregate_id", "position"),
    Index("rm_audit_by_type", "type", "position"),
    # Filters together: a page is one ordered range, not a scan of one filter's rows
    # for another's (a unit head's 30,000 events for a type they never record).
    Index("rm_audit_by_actor_type", "actor", "type", "position"),
    Index("rm_audit_by_unit_type", "unit", "type", "position"),
    Index("rm_audit_by_actor_unit", "actor", "unit", "position"),
    Index("rm_audit_by_actor_unit_type", "actor", "unit", "type", "position"),
    Index("rm_audit_by_at", "at"),
)

# The first and last position of the events recorded on each UTC day. A log's
# times need not rise with its positions (an import, a backdated batch), so a time
# range is turned into a position range through these (``events/queries/audit.py``):
# every filter's (x, position) index then serves a time range too. The newest day's
# range is open at its end: its last position is written when a later day begins.
audit_days = Table(
    "rm_audit_day", metadata,
    Column("day", Date, primary_key=True),
    Column("first_position", POSITION, nullable=False),
    Column("last_position", POSITION, nullable=False),
)

# The unit each task, user and unit belongs to now, so that later events (which do
# not repeat it) are filed under it; and a task's state, deadline, last measured value
# and percentage now, so that the next event's change reads "old → new".
audit_units = Table(
    "rm_audit_unit", metadata,
    Column("aggregate_id", ID, primary_key=True),
    Column("unit", CODE),
    Column("state", String(16)),
    Column("deadline", Date),
    Column("value", VALUE),
    Column("percent", Integer),
)


# -- versions: every state a row has had, so the read models can be asked about the past
# (``events/readmodels/versions.py``, docs/read-models.md "As of an instant"). A version
# row holds the row as it was from the event at ``valid_from`` until the group's next
# version; appended, never changed.

def _versions(table: Table, group: tuple[str, ...], *,
              columns: tuple[str, ...] | None = None) -> Table:
    """``<table>_version``: ``group`` + ``valid_from`` + the table's other columns (or
    only ``columns``: a task's title never changes, its live row keeps it)."""
    keys = (*group, *(c.name for c in table.primary_key.columns if c.name not in group))
    kept = [c for c in table.columns
            if c.name in keys or columns is None or c.name in columns]
    return Table(
        f"{table.name}_version", metadata,
        *[Column(c.name, c.type, primary_key=c.name in keys, autoincrement=False)
          for c in kept if c.name in group],
        Column("valid_from", POSITION, primary_key=True, autoincrement=False),
        *[Column(c.name, c.type, primary_key=c.name in keys, autoincrement=False)
          for c in kept if c.name not in group],
        # Clustered by the key on SQLite: the version in force is one seek, row and all.
        sqlite_with_rowid=False,
    )


# What a task's events change (the rest of its row is fixed when it is assigned).
TASK_CHANGES = ("version", "unit", "pillar", "state", "grade", "deadline", "extensions",
                "returns", "percent", "started_at", "reported_at", "reported_on",
                "reported_by", "reported_value", "verified_at", "verified_by",
                "verified_value", "cancelled_at", "last_activity")
task_versions = _versions(tasks, ("id",), columns=TASK_CHANGES)
unit_versions = _versions(units, ("id",))
user_versions = _versions(users, ("id",))
# A plan's pillars and targets are replaced together: one version of the plan is all of
# them at one position.
plan_versions = _versions(plans, ("code",))
pillar_versions = _versions(pillars, ("plan",))
target_versions = _versions(targets, ("plan",))

OWNERS: dict[str, tuple[Table, ...]] = {
    "organisation": (units, users, unit_versions, user_versions),
    "plans": (plans, pillars, targets, plan_versions, pillar_versions, target_versions),
    "tasks": (tasks, task_counts, task_due, task_targets, task_versions),
    "audit": (audit, audit_units, audit_days),
}
