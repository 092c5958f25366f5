"""One deadline sweep: raise every alert that is due, then queue the mail for it.

Safe to run at any moment, as often as wanted, in several processes at once: each
alert has an identity of its own, so the store records it once whoever raises it,
and each sweep mails only the alerts that it recorded itself.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from events.queries import alerts as alert_queries
from workflow import clock
from workflow.alerts import (
    AWAITING_VERIFICATION,
    AlertPolicy,
    due_thresholds,
    recipients,
    verifiers,
)
from workflow.clock import LOCAL_TZ
from workflow.sentences import digest_line
from workflow.words import DEFAULT

if TYPE_CHECKING:
    from events.system import System

# An alert still without mail this long after it was raised was left by a sweep that
# stopped (or waited for the morning): the next sweep mails it. Longer than a sweep.
ORPHAN_AFTER = timedelta(minutes=10)
# Mail is about the days around a deadline: an alert older than this is not mailed.
MAIL_WITHIN = timedelta(days=2)


@dataclass(frozen=True)
class SweepResult:
    at: datetime
    today: date
    due: int  # alerts due, including any another sweep recorded first
    raised: int  # alerts this sweep recorded
    digests: int  # mails this sweep queued


def now_of(store: System) -> datetime:
    """The store's idea of now: its injected clock if it has one, else the real time."""
    injected = store.service.clock
    return injected().astimezone(LOCAL_TZ) if injected else clock.system_clock()


def sweep(store: System, *, at: datetime | None = None, policy: AlertPolicy | None = None,
          mail: bool | None = None) -> SweepResult:
    """Raise the alerts due at ``at`` (an aware time; default now), queue their mail.

    ``mail=None`` queues mail only from ``policy.mail_from_hour`` (07:00) on: alerts
    found in the night wait for the morning digest.
    """
    policy = policy or AlertPolicy.from_env(os.environ)
    at = at or now_of(store)
    if at.tzinfo is None:
        raise ValueError("the sweep's moment must carry its time zone")
    today = at.astimezone(LOCAL_TZ).date()
    store.projections.catch_up()
    everyone = list(alert_queries.people(store).values())
    told: dict[tuple[str, bool], list[str]] = {}  # the same few units come up again and again
    wanted = []
    for task in alert_queries.due_tasks(store, today):
        if task.reported_on is not None:
            # Waiting on leadership: its verifiers are reminded, not its unit.
            wanted.append({
                "task_id": task.task_id, "title": task.title, "unit": task.unit,
                "kind": AWAITING_VERIFICATION, "deadline": task.deadline,
                "days_left": -(today - task.reported_on).days, "due_on": task.next_alert_on,
                "escalated": False, "recipients": verifiers(everyone, task.reported_by)})
            continue
        for threshold in due_thresholds(policy, task.deadline, task.next_alert_on, today):
            key = (task.unit, threshold.escalated)
            if key not in told:
                told[key] = recipients(everyone, *key)
            wanted.append({
                "task_id": task.task_id, "title": task.title, "unit": task.unit,
                "kind": threshold.kind, "deadline": task.deadline,
                "days_left": threshold.days_left, "due_on": threshold.on,
                "escalated": threshold.escalated, "recipients": list(told[key])})
    raised = store.service.raise_alerts(wanted, at=at)
    if mail is None:
        mail = at.astimezone(LOCAL_TZ).hour >= policy.mail_from_hour
    digests = queue_digests(store, at, {a.id.hex for a in raised}) if mail else 0
    return SweepResult(at, today, len(wanted), len(raised), digests)


def queue_digests(store: System, at: datetime, raised: set[str]) -> int:
    """Queue one mail per person: the alerts ``raised`` now, and any left waiting.

    Alerts raised by another sweep running now are that sweep's to mail; waiting
    ones (from the night, or from a sweep that stopped) are old enough that every
    sweep sees the same set, so the digest's derived id lets only one queue it.
    """
    people = alert_queries.people(store)
    waiting_before = at - ORPHAN_AFTER
    by_person: dict[str, list[Any]] = defaultdict(list)
    for row in alert_queries.undigested(store, since=at - MAIL_WITHIN):
        if row.id in raised or alert_queries.aware(row.raised_at) <= waiting_before:
            by_person[row.username].append(row)
    day = at.astimezone(LOCAL_TZ).date()
    # The lines are recorded as they will be mailed, in Vietnamese: nobody's own
    # language is on record (mail.compose speaks it too).
    digests = []
    for username, rows in sorted(by_person.items()):
        person = people.get(username)
        if not person or not person["active"] or "@" not in person["email"]:
            continue
        digests.append({
            "username": username, "name": person["display_name"], "email": person["email"],
            "alert_ids": [r.id for r in rows], "day": day,
            "lines": [digest_line(r.title, r.unit, r.kind, r.days_left, r.deadline, DEFAULT)
                      for r in rows]})
    return len(store.service.queue_digests(digests, at=at))
