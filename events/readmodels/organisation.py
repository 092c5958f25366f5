"""Units, users and plans as lists: what the pickers and the admin pages show."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, insert, update

from events.readmodels import tables
from events.readmodels.projection import Logged, Projection
from events.readmodels.versions import keep


class Organisation(Projection):
    name = "organisation"
    tables = tables.OWNERS["organisation"]
    areas = frozenset({"organisation"})
    # 2: every state of a unit and a user kept in their versions (the as-of views).
    version = 2

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        # Few and rare events: one statement each keeps this obvious.
        for event in events:
            handler = getattr(self, f"_on_{event.type}", None)
            if handler is not None:
                handler(conn, event, event.data)
                table = tables.units if event.type.startswith("Unit") else tables.users
                keep(conn, table, event.position, id=event.key)

    def _on_UnitCreated(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        conn.execute(insert(tables.units).values(
            code=d["code"], id=event.key, name=d["name"], kind=d.get("kind", ""), active=True))

    def _on_UnitRenamed(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        self._unit(conn, event, name=d["name"])

    def _on_UnitDeactivated(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        self._unit(conn, event, active=False)

    def _on_UserRegistered(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        conn.execute(insert(tables.users).values(
            username=d["username"], id=event.key, display_name=d["display_name"], role=d["role"],
            unit=d.get("unit"), email=d.get("email", ""), active=True))

    def _on_RoleGranted(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        self._user(conn, event, role=d["role"], unit=d.get("unit"))

    def _on_UserDeactivated(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        self._user(conn, event, active=False)

    def _on_UserReactivated(self, conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        self._user(conn, event, active=True)

    @staticmethod
    def _unit(conn: Connection, event: Logged, **values: Any) -> None:
        conn.execute(update(tables.units).where(tables.units.c.id == event.key).values(**values))

    @staticmethod
    def _user(conn: Connection, event: Logged, **values: Any) -> None:
        conn.execute(update(tables.users).where(tables.users.c.id == event.key).values(**values))


class Plans(Projection):
    name = "plans"
    tables = tables.OWNERS["plans"]
    areas = frozenset({"plan"})
    # 2: every version of a plan kept with its pillars and targets (the as-of views).
    version = 2

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        for event in events:
            if event.type in ("PlanAdopted", "PlanRevised"):
                self._store(conn, event)
                code = event.data["content"]["code"]
                keep(conn, tables.plans, event.position, code=code)
                keep(conn, tables.pillars, event.position, plan=code)
                keep(conn, tables.targets, event.position, plan=code)

    def _store(self, conn: Connection, event: Logged) -> None:
        content = event.data["content"]
        code = content["code"]
        for table in (tables.pillars, tables.targets):
            conn.execute(delete(table).where(table.c.plan == code))
        adopted = date.fromisoformat(content["adopted_on"]) if content.get("adopted_on") else None
        row = {"title": content.get("title", code),
               "organisation": content.get("organisation", ""), "adopted_on": adopted}
        if event.type == "PlanAdopted":
            conn.execute(insert(tables.plans).values(code=code, position=event.position, **row))
        else:
            conn.execute(update(tables.plans).where(tables.plans.c.code == code).values(**row))
        pillars = [{"plan": code, "code": p["code"], "number": n, "name": p["name"],
                    "name_en": p.get("name_en", "")}
                   for n, p in enumerate(content.get("pillars", []), start=1)]
        if pillars:
            conn.execute(insert(tables.pillars), pillars)
        targets = [{"plan": code, "code": t["code"], "number": t.get("number", n),
                    "pillar": t["pillar"], "text": t["text"], "range": t.get("range", ""),
                    "min": str(t["min"]), "max": str(t["max"]), "unit": t.get("unit", "%")}
                   for n, t in enumerate(content.get("targets", []), start=1)]
        if targets:
            conn.execute(insert(tables.targets), targets)
