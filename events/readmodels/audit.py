"""The audit log: one row per event, filed under actor, unit, aggregate and type, with
what it changed on its task as ``{"field": [old, new]}`` (workflow.event_names).

The projection sees every event in order, so it keeps each aggregate's unit and each
task's state, deadline, last measured value and percentage (``rm_audit_unit``): a
later event, which never repeats them, is filed and described against them. Each
day's first and last position (``rm_audit_day``) turn a time filter into positions;
the newest day's range is open at its end, so the events of the log's newest day,
nearly all a command records, write no range at all (``_days``).
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update

from events.readmodels import tables
from events.readmodels.bulk import execute_many
from events.readmodels.memory import Memory
from events.readmodels.projection import Logged, Projection, text_value, to_json
from workflow.rules import TRANSITIONS, State

# Never copied into a readable table, even hashed.
_SECRET = frozenset({"password_hash", "digest"})
# Events that say which unit their aggregate belongs to from now on.
_SETS_UNIT = frozenset({"TaskAssigned", "TaskReassigned", "UserRegistered", "RoleGranted"})
_CREATIONS = frozenset({"TaskAssigned", "UserRegistered", "UnitCreated", "PlanAdopted"})
# The state a task's event leaves it in: the one table's targets (workflow.rules).
_MOVES = {event: TRANSITIONS[action].target.value for event, action in (
    ("WorkStarted", "start"), ("ReportSubmitted", "report"), ("ReportVerified", "verify"),
    ("ReportReturned", "return"), ("TaskCancelled", "cancel"))}
_ASSIGNED = State.ASSIGNED.value
_KEPT = ("unit", "state", "deadline", "value", "percent")

U = tables.audit_units
D = tables.audit_days
_INSERT = insert(tables.audit)
_ADD_UNIT = insert(U)
_ADD_DAY = insert(D)
# Built once: building a statement costs about as much as running it.
_KNOWN = (select(U).where(U.c.aggregate_id.in_(bindparam("ids", expanding=True))))
_MOVE = (update(U).where(U.c.aggregate_id == bindparam("b_id"))
         .values({f: bindparam(f"b_{f}") for f in _KEPT}))
# These days' ranges and the newest day's (the greatest of those read).
_DAYS = select(D).where(or_(D.c.day.in_(bindparam("days", expanding=True)),
                            D.c.day == select(func.max(D.c.day)).scalar_subquery()))
# The memory's key for the newest day (its other keys are days).
_NEWEST = "newest"
_WIDEN = (update(D).where(D.c.day == bindparam("b_day"))
          .values(first_position=bindparam("b_first"), last_position=bindparam("b_last")))


class AuditLog(Projection):
    name = "audit"
    tables = tables.OWNERS["audit"]
    areas = frozenset({"task", "plan", "organisation"})
    # 2: evidence in its one shape (ReportSubmitted v2: ``media_type``, ``url``).
    # 3: no stored summary: each reader's line is said from ``data`` at read time
    # (workflow.sentences), in the reader's language.
    # 4: ``changes``, what each event changed on its task (old → new).
    # 5: ``rm_audit_day``, each day's first and last position.
    version = 5

    def __init__(self) -> None:
        # Each aggregate's kept facts and each day's span, as this process last wrote
        # them (``memory.py``).
        self.units = Memory()
        self.days = Memory()

    def recall(self, position: int | None) -> None:
        self.units.begin(position)
        self.days.begin(position)

    def settled(self, position: int) -> None:
        self.units.settle(position)
        self.days.settle(position)

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        try:
            self._apply(conn, events)
        except BaseException:
            self.units.forget()
            self.days.forget()
            raise

    def _apply(self, conn: Connection, events: list[Logged]) -> None:
        known = self._known(conn, events)
        existing = set(known)
        changed: set[str] = set()
        rows = []
        for event in events:
            data = event.data
            now = known.get(event.key)
            if now is None or event.type in _CREATIONS:
                now = known[event.key] = dict.fromkeys(_KEPT)
            after = self._after(event, now)
            changes = None
            if after:
                changes = {f: [now[f], v] for f, v in after.items() if now[f] != v}
                now.update(after)
                changed.add(event.key)
            rows.append({
                "position": event.position, "at": event.at, "actor": event.actor,
                "kind": self._kind(event), "aggregate_id": event.key,
                "version": event.version, "unit": now["unit"], "type": event.type,
                "data": to_json(data if _SECRET.isdisjoint(data)
                                else {k: v for k, v in data.items() if k not in _SECRET}),
                # Only a task's facts are changes people follow; a user's unit is
                # said by the event's own line.
                "changes": to_json(changes) if changes and event.area == "task" else None,
            })
        execute_many(conn, _INSERT, rows)
        new = [{"aggregate_id": k, **known[k]} for k in changed - existing]
        execute_many(conn, _ADD_UNIT, new)
        moved = [{"b_id": k, **{f"b_{f}": known[k][f] for f in _KEPT}}
                 for k in changed & existing]
        execute_many(conn, _MOVE, moved)
        for key in changed:
            self.units.rows[key] = dict(known[key])
        self._days(conn, events)

    def _days(self, conn: Connection, events: list[Logged]) -> None:
        """Keep each day's position range holding its events, event by event in order.

        The newest day's range is open at its end (``events/queries/audit.py``): its
        events change nothing, and it is closed, at the position before the next
        day's first, when a later day begins. An event of an older day (an import, a
        clock set back) widens that day's range. Taken event by event, so the ranges
        are the same however the events were batched: a rebuild writes what the
        commands wrote."""
        if not events:
            return
        remembered = self.days.rows
        dated = [(event.at.astimezone(UTC).date(), event.position) for event in events]
        batch = {day for day, _ in dated}
        if _NEWEST in remembered and batch <= remembered.keys():
            known = {d: remembered[d] for d in batch}
            newest = remembered[_NEWEST]
            if newest is not None:
                known[newest] = remembered[newest]
        else:
            known = {row.day: (row.first_position, row.last_position)
                     for row in conn.execute(_DAYS, {"days": sorted(batch)})}
            newest = max(known, default=None)  # the newest day's row is among them
        spans = {d: list(span) for d, span in known.items()}
        moved: set[date] = set()
        for day, position in dated:
            span = spans.get(day)
            if span is None:
                if newest is None or day > newest:
                    if newest is not None:  # its events all came before this one
                        spans[newest][1] = max(spans[newest][1], position - 1)
                        moved.add(newest)
                    newest = day
                spans[day] = [position, position]
                moved.add(day)
            elif day != newest and position > span[1]:
                span[1] = position
                moved.add(day)
        execute_many(conn, _ADD_DAY, [
            {"day": d, "first_position": spans[d][0], "last_position": spans[d][1]}
            for d in moved if d not in known])
        execute_many(conn, _WIDEN, [{"b_day": d, "b_first": spans[d][0], "b_last": spans[d][1]}
                                    for d in moved if d in known])
        remembered.update((d, (first, last)) for d, (first, last) in spans.items())
        remembered[_NEWEST] = newest

    @staticmethod
    def _after(event: Logged, now: dict[str, Any]) -> dict[str, Any] | None:
        """The kept fields this event sets (None: it sets none)."""
        kind, d = event.type, event.data
        if kind == "TaskAssigned":
            return {"unit": d["unit"], "state": _ASSIGNED, "deadline": d["deadline"]}
        if kind in _MOVES:
            after: dict[str, Any] = {"state": _MOVES[kind]}
            if kind == "ReportSubmitted" and d.get("value") is not None:
                after["value"] = text_value(d["value"])
            return after
        if kind == "ProgressNoted":
            noted = {}
            if d.get("percent") is not None:
                noted["percent"] = int(d["percent"])
            if d.get("value") is not None:
                noted["value"] = text_value(d["value"])
            return noted or None
        if kind == "DeadlineExtended":
            return {"deadline": d["deadline"]}
        if kind in _SETS_UNIT:
            return {"unit": d.get("unit")}
        if kind == "UnitCreated":
            return {"unit": d["code"]}
        return None

    @staticmethod
    def _kind(event: Logged) -> str:
        if event.area == "organisation":
            return "unit" if event.type.startswith("Unit") else "user"
        return event.area

    def _known(self, conn: Connection, events: list[Logged]) -> dict[str, dict[str, Any]]:
        remembered = self.units.rows
        keys = list({e.key for e in events if e.type not in _CREATIONS})
        found: dict[str, dict[str, Any]] = {k: dict(remembered[k]) for k in keys
                                            if k in remembered}
        keys = [k for k in keys if k not in found]
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for row in conn.execute(_KNOWN, {"ids": chunk}).mappings():
                found[row["aggregate_id"]] = {f: row[f] for f in _KEPT}
        return found
