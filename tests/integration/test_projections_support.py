"""Shared set-up for the read-model tests: a small commune, built through commands."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select

from events.readmodels import tables
from events.system import System
from workflow import plan_file

PLAN = "KH-CDS-2025"


def commune(store: System) -> None:
    """The seed plan, two units, two leaders, a head and a member per unit."""
    service = store.service
    service.import_plan(plan_file.load(plan_file.SEED_PLAN))
    service.add_unit("VP", "Văn phòng UBND xã")
    service.add_unit("YT", "Trạm Y tế")
    service.add_user("lead", "leader", "mat-khau-1", display_name="Nguyễn Văn Lãnh")
    service.add_user("lead2", "leader", "mat-khau-1")
    for unit in ("VP", "YT"):
        service.add_user(f"head_{unit.lower()}", "unit_head", "mat-khau-1", unit=unit)
        service.add_user(f"member_{unit.lower()}", "member", "mat-khau-1", unit=unit)


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
