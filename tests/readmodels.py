"""What the read-model tests share: their commune, built through commands, a few
commands in its people's names, and a fingerprint of the projection tables."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select

from events.readmodels import tables
from events.system import System
from tests.commune import PLAN, READERS, build


def commune(store: System) -> None:
    """The seed plan, units VP and YT, and ``READERS``: two leaders, a head and a
    member per unit."""
    build(store.service, READERS, units=("VP", "YT"))


def assign(store: System, title: str = "Nhiệm vụ", *, unit: str = "VP",
           deadline: date = date(2025, 3, 31), target: str | None = "CT01",
           description: str = "") -> str:
    task_id = store.service.assign_task(
        "lead", unit=unit, deadline=deadline, title=title, description=description,
        target=target, plan=PLAN if target else None)
    return str(task_id)


def report(store: System, task_id: str, unit: str = "VP", value: str | None = None) -> None:
    head = f"head_{unit.lower()}"
    if store.service.get_task(task_id).state == "assigned":
        store.service.start_task(head, task_id)
    store.service.submit_report(head, task_id, "Đã hoàn thành", value=value)


def digest(store: System) -> dict[str, str]:
    """A fingerprint of every projection table's content (positions excluded)."""
    result = {}
    with store.engine.connect() as conn:
        for name, owned in tables.OWNERS.items():
            hasher = hashlib.sha256()
            for table in owned:
                keys = [c for c in table.primary_key.columns]
                for row in conn.execute(select(table).order_by(*keys)):
                    hasher.update(json.dumps([_plain(v) for v in row], default=str).encode())
            result[name] = hasher.hexdigest()
    return result


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
