"""The audit log: one row per event, filed under actor, unit, aggregate and type."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select, update

from events.readmodels import tables
from events.readmodels.bulk import execute_many
from events.readmodels.projection import Logged, Projection, to_json

# Never copied into a readable table, even hashed.
_SECRET = frozenset({"password_hash"})
# Events that say which unit their aggregate belongs to from now on.
_SETS_UNIT = frozenset({"TaskAssigned", "TaskReassigned", "UserRegistered", "RoleGranted"})
_CREATIONS = frozenset({"TaskAssigned", "UserRegistered", "UnitCreated", "PlanAdopted"})

U = tables.audit_units
_INSERT = insert(tables.audit)
# Built once: building a statement costs about as much as running it.
_UNITS = (select(U.c.aggregate_id, U.c.unit)
          .where(U.c.aggregate_id.in_(bindparam("ids", expanding=True))))


class AuditLog(Projection):
    name = "audit"
    tables = tables.OWNERS["audit"]
    areas = frozenset({"task", "plan", "organisation"})
    # 2: evidence in its one shape (ReportSubmitted v2: ``media_type``, ``url``).
    # 3: no stored summary: each reader's line is said from ``data`` at read time
    # (workflow.sentences), in the reader's language.
    version = 3

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        units = self._known_units(conn, events)
        existing = set(units)
        changed: set[str] = set()
        rows = []
        for event in events:
            data = event.data
            if event.type in _SETS_UNIT:
                units[event.key] = data.get("unit")
                changed.add(event.key)
            elif event.type == "UnitCreated":
                units[event.key] = data["code"]
                changed.add(event.key)
            rows.append({
                "position": event.position, "at": event.at, "actor": event.actor,
                "kind": self._kind(event), "aggregate_id": event.key,
                "version": event.version, "unit": units.get(event.key), "type": event.type,
                "data": to_json(data if _SECRET.isdisjoint(data)
                                else {k: v for k, v in data.items() if k not in _SECRET}),
            })
        execute_many(conn, _INSERT, rows)
        new = [{"aggregate_id": k, "unit": units[k]} for k in changed - existing]
        if new:
            conn.execute(insert(U), new)
        moved = [{"b_id": k, "b_unit": units[k]} for k in changed & existing]
        if moved:
            conn.execute(update(U).where(U.c.aggregate_id == bindparam("b_id"))
                         .values(unit=bindparam("b_unit")), moved)

    @staticmethod
    def _kind(event: Logged) -> str:
        if event.area == "organisation":
            return "unit" if event.type.startswith("Unit") else "user"
        return event.area

    @staticmethod
    def _known_units(conn: Connection, events: list[Logged]) -> dict[str, str | None]:
        keys = list({e.key for e in events if e.type not in _CREATIONS})
        found: dict[str, str | None] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found.update(conn.execute(_UNITS, {"ids": chunk}).tuples().all())
        return found
