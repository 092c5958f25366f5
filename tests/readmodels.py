"""What the read-model tests share: their commune, built through commands, a few
commands in its people's names, a fingerprint of the projection tables, the SQL a
command sends, and random command sequences for the property tests."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, Table, event, select

from events import queries
from events.readmodels import tables
from events.sql import compiled
from events.system import System
from tests.commune import PLAN, READERS, build
from workflow.clock import local_today, use_clock
from workflow.task import Task


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
    """A fingerprint of every projection table's content (positions excluded), as
    its readers see it (``readable``)."""
    result = {}
    with store.engine.connect() as conn:
        for name, owned in tables.OWNERS.items():
            hasher = hashlib.sha256()
            for table in owned:
                keys = [c for c in table.primary_key.columns]
                for row in conn.execute(readable(table, select(table).order_by(*keys))):
                    hasher.update(json.dumps([_plain(v) for v in row], default=str).encode())
            result[name] = hasher.hexdigest()
    return result


def readable(table: Table, query: Select) -> Select:
    """``query`` of ``table`` without the rows no reader sees: the emptied
    ``rm_task_count`` buckets, which stay at zero where the commands emptied them,
    while a rebuild, moving each task once a batch, makes fewer of them
    (``events/readmodels/tally.py``)."""
    return query.where(table.c.n != 0) if table is tables.task_counts else query


def statements_sent(engine, run) -> list[str]:
    """The SQL ``run()`` sends: through SQLAlchemy and on the driver's cursor."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        sent.append(statement)

    def on_driver(sql, params, many):
        sent.append(sql)

    event.listen(engine, "before_cursor_execute", seen)
    compiled.listeners.append(on_driver)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        compiled.listeners.remove(on_driver)
    return sent


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- random command sequences (hypothesis tests of the read models) -------------

ACTIONS = ("assign", "start", "note", "report", "verify", "return", "extend", "reassign",
           "cancel", "wait")


def today(store, clock):
    with use_clock(clock):
        return local_today()


def run(store, clock, action: str, pick: int, amount: int) -> None:
    service = store.service
    task_ids = [r["id"] for r in queries.board(store, limit=500).rows]
    if action == "assign" or not task_ids:
        unit = ("VP", "YT")[pick % 2]
        target = (None, "CT01", "CT02", "CT10")[pick % 4]
        service.assign_task("lead", unit=unit, deadline=today(store, clock)
                            + timedelta(days=amount), title=f"Chuyển đổi số {pick}",
                            target=target, plan=PLAN if target else None)
        return
    task_id = task_ids[pick % len(task_ids)]
    task: Task = service.get_task(task_id)
    head, member = f"head_{task.unit.lower()}", f"member_{task.unit.lower()}"
    leader = ("lead", "lead2")[amount % 2]
    value = str(amount * 5) if task.target else None
    commands = {
        "start": lambda: service.start_task(member, task_id),
        "note": lambda: service.note_progress(member, task_id, "Tiến độ", percent=amount * 5,
                                              value=value),
        "report": lambda: service.submit_report(head, task_id, "Báo cáo", value=value),
        "verify": lambda: service.verify_task(leader, task_id, "Đạt"),
        "return": lambda: service.return_task(leader, task_id, "Bổ sung"),
        "extend": lambda: service.extend_deadline(
            leader, task_id, today(store, clock) + timedelta(days=amount), "Gia hạn"),
        "reassign": lambda: service.reassign_task(
            leader, task_id, "YT" if task.unit == "VP" else "VP", "Điều chỉnh"),
        "cancel": lambda: service.cancel_task(leader, task_id, "Không cần nữa"),
        "wait": lambda: clock.advance(hours=amount * 5),
    }
    commands[action]()
