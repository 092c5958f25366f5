"""The alerts' read models: the sweep's schedule, and the feed with the mail outbox.

Both follow ``events.readmodels.projection.Projection``: the runner applies a batch of
events and moves the position in one transaction (exactly once, rebuildable).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, bindparam, delete, insert, update

from events.readmodels import alert_tables
from events.readmodels.projection import Logged, Projection
from workflow.alerts import AlertPolicy, next_alert_on

S = alert_tables.schedule


def _hex(value: Any) -> str:
    return UUID(str(value)).hex


class AlertSchedule(Projection):
    """When each open task is next due an alert (``rm_alert_schedule``).

    ``next_alert_on`` depends on the alert policy: after ``NHIEMVU_ALERT_*`` changed,
    the next store opened rebuilds this projection (see ``definition``).
    """

    name = "alert_schedule"
    tables = (S,)
    areas = frozenset({"task", "alerts"})

    def __init__(self, policy: AlertPolicy | None = None):
        self.policy = policy or AlertPolicy.from_env(os.environ)

    def definition(self) -> str:
        # The days a task is next due an alert follow these settings (not the mail hour).
        p = self.policy
        days = ",".join(str(d) for d in p.approaching_days)
        return (f"{super().definition()} approaching={days} due_day={int(p.due_day)} "
                f"overdue_every={p.overdue_every_days}")

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        # Tasks first seen in this batch stay in memory until the end (a rebuild
        # inserts them with one statement); raised alerts only ever move a task's
        # next day later, so their updates can wait for the end of the batch too.
        new: dict[str, dict[str, Any]] = {}
        advanced: list[dict[str, Any]] = []
        for event in events:
            d = event.data
            if event.type == "DeadlineAlertRaised":
                task = _hex(d["task_id"])
                after = next_alert_on(self.policy, d["deadline"], d["due_on"] + timedelta(1))
                if task in new:
                    row = new[task]
                    if row["deadline"] == d["deadline"]:
                        row["next_alert_on"] = _later(row["next_alert_on"], after)
                else:
                    advanced.append({"b_task": task, "b_deadline": d["deadline"],
                                     "b_next": after})
                continue
            task = event.key
            changes = self._changes(event)
            if changes is None:
                continue
            if task in new and changes == "gone":
                del new[task]
            elif task in new:
                new[task].update(changes)
            elif event.type == "TaskAssigned":
                new[task] = {"task_id": task, **changes}
            else:
                self._advance(conn, advanced)
                advanced = []
                if changes == "gone":
                    conn.execute(delete(S).where(S.c.task_id == task))
                else:
                    conn.execute(update(S).where(S.c.task_id == task).values(**changes))
        if new:
            conn.execute(insert(S), list(new.values()))
        self._advance(conn, advanced)

    def _changes(self, event: Logged) -> dict[str, Any] | str | None:
        d = event.data
        if event.type in ("TaskAssigned", "DeadlineExtended"):
            armed = event.local_day
            changes = {"deadline": d["deadline"], "armed_on": armed,
                       "next_alert_on": next_alert_on(self.policy, d["deadline"], armed)}
            if event.type == "TaskAssigned":
                changes.update(title=d["title"], unit=d["unit"])
            return changes
        if event.type == "TaskReassigned":
            return {"unit": d["unit"]}
        if event.type in ("ReportVerified", "TaskCancelled"):
            return "gone"
        return None

    @staticmethod
    def _advance(conn: Connection, advanced: list[dict[str, Any]]) -> None:
        # An alert about a deadline the task no longer has changes nothing.
        later = [a for a in advanced if a["b_next"] is not None]
        done = [a for a in advanced if a["b_next"] is None]
        match = and_(S.c.task_id == bindparam("b_task"), S.c.deadline == bindparam("b_deadline"))
        if later:
            conn.execute(update(S).where(match, S.c.next_alert_on.is_not(None),
                                         S.c.next_alert_on < bindparam("b_next"))
                         .values(next_alert_on=bindparam("b_next")), later)
        if done:
            conn.execute(update(S).where(match).values(next_alert_on=None),
                         [{"b_task": a["b_task"], "b_deadline": a["b_deadline"]} for a in done])


def _later(current: date | None, candidate: date | None) -> date | None:
    # None means "no alert left", which is later than any day.
    if current is None or candidate is None:
        return None
    return max(current, candidate)
