"""When a task is due a deadline alert, and who is told: pure rules, no storage.

Dates are the commune's (Asia/Ho_Chi_Minh). See docs/alerts.md for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow.rules import Role

APPROACHING, DUE_TODAY, MISSED, STILL_OVERDUE = (
    "approaching", "due_today", "missed", "still_overdue")
# A reported task waits on leadership, not on its unit: its verifiers are reminded.
AWAITING_VERIFICATION = "awaiting_verification"
ESCALATED_KINDS = frozenset({MISSED, STILL_OVERDUE})


@dataclass(frozen=True)
class AlertPolicy:
    """Which days before and after its deadline an open task is alerted."""

    approaching_days: tuple[int, ...] = (7, 3, 1)
    due_day: bool = True
    overdue_every_days: int = 3  # 0: "deadline missed" once, no repetition
    mail_from_hour: int = 7  # mail found before this hour waits for the morning digest
    verify_after_days: int = 3  # 0: a report waiting for verification reminds no one

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AlertPolicy:
        """Read ``NHIEMVU_ALERT_*``; a bad value raises ValueError naming the variable."""
        def number(name: str, default: int, low: int, high: int) -> int:
            raw = env.get(name, "").strip()
            try:
                value = int(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a whole number") from None
            if not low <= value <= high:
                raise ValueError(f"{name}={value} is outside {low}..{high}")
            return value

        raw_days = env.get("NHIEMVU_ALERT_APPROACHING_DAYS", "").strip()
        try:
            days = tuple(sorted({int(d) for d in raw_days.split(",") if d.strip()},
                                reverse=True)) if raw_days else cls.approaching_days
        except ValueError:
            raise ValueError(f"NHIEMVU_ALERT_APPROACHING_DAYS={raw_days!r} is not "
                             "a list of days such as 7,3,1") from None
        if any(d < 1 or d > 365 for d in days):
            raise ValueError("NHIEMVU_ALERT_APPROACHING_DAYS must be days from 1 to 365")
        due_day = env.get("NHIEMVU_ALERT_DUE_DAY", "1").strip().lower() not in (
            "0", "no", "off", "false")
        return cls(days, due_day, number("NHIEMVU_ALERT_OVERDUE_EVERY_DAYS", 3, 0, 365),
                   number("NHIEMVU_ALERT_MAIL_FROM_HOUR", 7, 0, 23),
                   number("NHIEMVU_ALERT_VERIFY_AFTER_DAYS", 3, 0, 365))


@dataclass(frozen=True)
class Threshold:
    """One moment a task is alerted: ``on`` that day, ``days_left`` to its deadline."""

    kind: str
    on: date
    days_left: int

    @property
    def escalated(self) -> bool:
        return self.kind in ESCALATED_KINDS


def thresholds(policy: AlertPolicy, deadline: date, start: date, end: date) -> list[Threshold]:
    """The thresholds of ``deadline`` falling on days ``start``..``end``, oldest first."""
    found = [Threshold(APPROACHING, on, d) for d in policy.approaching_days
             if (on := _shifted(deadline, -d)) is not None]
    if policy.due_day:
        found.append(Threshold(DUE_TODAY, deadline, 0))
    missed = _shifted(deadline, 1)
    if missed is not None:
        found.append(Threshold(MISSED, missed, -1))
    step = policy.overdue_every_days
    if step and missed is not None and end > missed:
        # Repetitions are endless: only those that can fall inside the window.
        first = max(1, ((start - deadline).days - 1) // step)
        last = ((end - deadline).days - 1) // step
        found += [Threshold(STILL_OVERDUE, on, -(1 + k * step)) for k in range(first, last + 1)
                  if (on := _shifted(deadline, 1 + k * step)) is not None]
    return sorted((t for t in found if start <= t.on <= end), key=lambda t: t.on)


def next_alert_on(policy: AlertPolicy, deadline: date, start: date) -> date | None:
    """The first threshold day on or after ``start``; None when no alert is left."""
    end = _shifted(max(start, _shifted(deadline, 1) or date.max),
                   policy.overdue_every_days) or date.max
    upcoming = thresholds(policy, deadline, start, end)
    return upcoming[0].on if upcoming else None


def _shifted(day: date, days: int) -> date | None:
    """``day`` moved by ``days``, or None past the calendar's ends (year 1 or 9999):
    a deadline stored before dates were bounded must not stop the alert schedule."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def due_thresholds(policy: AlertPolicy, deadline: date, start: date,
                   today: date) -> list[Threshold]:
    """What a sweep on ``today`` raises for a task not alerted since ``start``.

    A catch-up after downtime says what is true today, not everything it missed:
    of the thresholds before the deadline ("N days left", "due today") only the
    latest crossed, and only while the deadline still lies ahead; "deadline missed"
    once; of the repeated "still overdue" reminders only the latest.
    """
    due = thresholds(policy, deadline, start, today)
    ahead = [t for t in due if t.kind in (APPROACHING, DUE_TODAY) and deadline >= today]
    missed = [t for t in due if t.kind == MISSED]
    repeats = [t for t in due if t.kind == STILL_OVERDUE]
    return ahead[-1:] + missed + repeats[-1:]


def awaiting_on(policy: AlertPolicy, reported_on: date) -> date | None:
    """The day a report still waiting for verification reminds its verifiers (None: off)."""
    if not policy.verify_after_days:
        return None
    return _shifted(reported_on, policy.verify_after_days)


def verifiers(users: Iterable[Mapping[str, Any]], reporter: str | None) -> list[str]:
    """Usernames who may verify a report: active leaders, never the one who reported it."""
    return sorted(user["username"] for user in users
                  if user.get("active", True) and user.get("role") == Role.LEADER
                  and user["username"] != reporter)


def recipients(users: Iterable[Mapping[str, Any]], unit: str, escalated: bool) -> list[str]:
    """Usernames to tell: the unit's head and members; leadership too when overdue."""
    told = set()
    for user in users:
        if not user.get("active", True):
            continue
        role = user.get("role")
        if (role in (Role.UNIT_HEAD, Role.MEMBER) and user.get("unit") == unit) or (
                escalated and role == Role.LEADER):
            told.add(user["username"])
    return sorted(told)
