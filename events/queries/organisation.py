"""Units, users and plans as the pickers, lists and admin pages read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from events.readmodels import tables

if TYPE_CHECKING:
    from events.system import System

UNIT = tables.units


def plans(store: System) -> list[dict[str, Any]]:
    """Adopted plans, the most recent first."""
    P = tables.plans
    with store.engine.connect() as conn:
        found = conn.execute(select(P.c.code, P.c.title, P.c.organisation, P.c.adopted_on)
                             .order_by(P.c.adopted_on.desc().nulls_last(),
                                       P.c.position.desc())).all()
    return [dict(r._mapping) for r in found]


def default_plan_code(store: System) -> str | None:
    """The code of the most recently adopted plan, or None when there is none."""
    found = plans(store)
    return found[0]["code"] if found else None


def units(store: System) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        found = conn.execute(select(UNIT.c.code, UNIT.c.name, UNIT.c.kind, UNIT.c.active)
                             .order_by(UNIT.c.code)).all()
    return [dict(r._mapping) for r in found]


def users(store: System) -> list[dict[str, Any]]:
    U = tables.users
    with store.engine.connect() as conn:
        found = conn.execute(select(U.c.username, U.c.display_name, U.c.role, U.c.unit,
                                    U.c.email, U.c.active).order_by(U.c.username)).all()
    return [dict(r._mapping) for r in found]
