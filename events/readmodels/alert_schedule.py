"""The alerts' read models: the sweep's schedule, and the feed with the mail outbox.

Both follow ``events.readmodels.projection.Projection``: the runner applies a batch of
events and moves the position in one transaction (exactly once, rebuildable).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update

from events.readmodels import alert_tables
from events.readmodels.bulk import execute_many
from events.readmodels.projection import Logged, Projection
from workflow.alerts import AWAITING_VERIFICATION, AlertPolicy, awaiting_on, next_alert_on

S = alert_tables.schedule


def _hex(value: Any) -> str:
    return UUID(str(value)).hex


class AlertSchedule(Projection):
    """When each open task is next due an alert (``rm_alert_schedule``).

    ``next_alert_on`` depends on the alert policy: after ``NHIEMVU_ALERT_*`` changed,
    the next store opened rebuilds this projection (see ``definition``).
    """

    name = "alert_schedule"
    version = 2  # v2: a reported task waits on its verifiers, not its unit
    tables = (S,)
    areas = frozenset({"task", "alerts"})

    def __init__(self, policy: AlertPolicy | None = None):
        self.policy = policy or AlertPolicy.from_env(os.environ)

    def definition(self) -> str:
        # The days a task is next due an alert follow these settings (not the mail hour).
        p = self.policy
        days = ",".join(str(d) for d in p.approaching_days)
        return (f"{super().definition()} approaching={days} due_day={int(p.due_day)} "
                f"overdue_every={p.overdue_every_days} verify_after={p.verify_after_days}")

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
                # A report's reminder is made once; the unit's thresholds follow on.
                after = (None if d["kind"] == AWAITING_VERIFICATION else
                         next_alert_on(self.policy, d["deadline"], d["due_on"] + timedelta(1)))
                if task in new:
                    row = new[task]
                    if row["deadline"] == d["deadline"]:
                        row["next_alert_on"] = _later(row["next_alert_on"], after)
                else:
                    advanced.append({"b_task": task, "b_deadline": d["deadline"],
                                     "b_next": after})
                continue
            task = event.key
            if event.type not in _CHANGING:
                continue
            if task not in new and event.type != "TaskAssigned":
                # Earlier alerts of this batch first: they may move the same row.
                self._advance(conn, advanced)
                advanced = []
            row = new.get(task) if task in new else self._stored(conn, event)
            changes = self._changes(event, row)
            if changes is None:
                continue
            if task in new and changes == "gone":
                del new[task]
            elif task in new:
                new[task].update(changes)
            elif event.type == "TaskAssigned":
                new[task] = {"task_id": task, "reported_on": None, "reported_by": None,
                             **changes}
            elif changes == "gone":
                execute_many(conn, _GONE, [{"b_task": task}])
            else:
                columns = tuple(sorted(changes))
                execute_many(conn, _changing(columns), [
                    {"b_task": task, **{f"b_{c}": changes[c] for c in columns}}])
        execute_many(conn, _ADD, list(new.values()))
        self._advance(conn, advanced)

    @staticmethod
    def _stored(conn: Connection, event: Logged) -> dict[str, Any] | None:
        # Only a return and an extension need what the row holds (its deadline, and
        # whether a report waits); a task without a row is closed.
        if event.type not in ("ReportReturned", "DeadlineExtended"):
            return None
        found = conn.execute(select(S.c.deadline, S.c.reported_on)
                             .where(S.c.task_id == event.key)).first()
        return dict(found._mapping) if found is not None else None

    def _changes(self, event: Logged, row: dict[str, Any] | None
                 ) -> dict[str, Any] | str | None:
        d = event.data
        day = event.local_day
        if event.type == "TaskAssigned":
            return {"deadline": d["deadline"], "armed_on": day, "title": d["title"],
                    "unit": d["unit"],
                    "next_alert_on": next_alert_on(self.policy, d["deadline"], day)}
        if event.type == "DeadlineExtended":
            if row is None:
                return None
            changes = {"deadline": d["deadline"], "armed_on": day}
            if row["reported_on"] is None:  # while a report waits, it keeps its day
                changes["next_alert_on"] = next_alert_on(self.policy, d["deadline"], day)
            return changes
        if event.type == "ReportSubmitted":
            return {"reported_on": day, "reported_by": event.actor,
                    "next_alert_on": awaiting_on(self.policy, day)}
        if event.type == "ReportReturned":
            if row is None:
                return None
            # Back with the unit: its thresholds count again from the day of the return.
            return {"reported_on": None, "reported_by": None, "armed_on": day,
                    "next_alert_on": next_alert_on(self.policy, row["deadline"], day)}
        if event.type == "TaskReassigned":
            return {"unit": d["unit"]}
        return "gone"  # verified or cancelled

    @staticmethod
    def _advance(conn: Connection, advanced: list[dict[str, Any]]) -> None:
        # An alert about a deadline the task no longer has changes nothing.
        execute_many(conn, _LATER, [a for a in advanced if a["b_next"] is not None])
        execute_many(conn, _DONE, [{"b_task": a["b_task"], "b_deadline": a["b_deadline"]}
                                   for a in advanced if a["b_next"] is None])


_MATCH = and_(S.c.task_id == bindparam("b_task"), S.c.deadline == bindparam("b_deadline"))
# Built once (``events.sql.compiled``): they run on most commands' batches.
_LATER = (update(S).where(_MATCH, S.c.next_alert_on.is_not(None),
                          S.c.next_alert_on < bindparam("b_next"))
          .values(next_alert_on=bindparam("b_next")))
_DONE = update(S).where(_MATCH).values(next_alert_on=None)
_ADD = insert(S)
_GONE = delete(S).where(S.c.task_id == bindparam("b_task"))


_CHANGING = frozenset({"TaskAssigned", "DeadlineExtended", "ReportSubmitted", "ReportReturned",
                       "TaskReassigned", "ReportVerified", "TaskCancelled"})


def _later(current: date | None, candidate: date | None) -> date | None:
    # None means "no alert left", which is later than any day.
    if current is None or candidate is None:
        return None
    return max(current, candidate)


@cache
def _changing(columns: tuple[str, ...]) -> Any:
    """The row's ``columns`` set: built once per set of columns (a handful)."""
    return (update(S).where(S.c.task_id == bindparam("b_task"))
            .values({c: bindparam(f"b_{c}") for c in columns}))
