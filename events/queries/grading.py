"""Deadline grades as Vietnamese government reports count them.

Final grades are stored in the task row when the task is verified or cancelled.
Open tasks are graded against *today*, so their grade is computed in SQL at query
time from the deadline; the rows never need rewriting at midnight.

- ``done_on_time`` (hoàn thành đúng hạn): verified, and the report that was verified
  was submitted on or before the deadline in force, by its date in Asia/Ho_Chi_Minh.
- ``done_late`` (hoàn thành quá hạn): verified, that report submitted after it.
- ``open_overdue`` (quá hạn chưa hoàn thành): open and the deadline has passed. A task
  waiting for verification counts by its report's date, not by today: a report sent
  on time is not made late by a slow verifier.
- ``open_on_time`` (đang thực hiện trong hạn): every other open task.
- ``cancelled`` (đã hủy): counted apart.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, literal, or_

from events.readmodels.tables import tasks as T

GRADES = ("done_on_time", "done_late", "open_on_time", "open_overdue", "cancelled")
FINAL_GRADES = frozenset({"done_on_time", "done_late", "cancelled"})
STATES = ("assigned", "in_progress", "reported", "verified", "cancelled")
OPEN_STATES = ("assigned", "in_progress", "reported")

GRADE_NAMES = {
    "done_on_time": ("Hoàn thành đúng hạn", "Done on time"),
    "done_late": ("Hoàn thành quá hạn", "Done late"),
    "open_on_time": ("Đang thực hiện trong hạn", "Open, within deadline"),
    "open_overdue": ("Quá hạn chưa hoàn thành", "Open, overdue"),
    "cancelled": ("Đã hủy", "Cancelled"),
}


def is_overdue(today: date) -> ColumnElement[bool]:
    """True for open tasks past their deadline as of ``today``."""
    return and_(
        T.c.grade.is_(None),
        or_(
            and_(T.c.state == "reported", T.c.reported_on > T.c.deadline),
            and_(T.c.state != "reported", T.c.deadline < today),
        ),
    )


def grade_of(today: date) -> ColumnElement[str]:
    """Each task's grade as of ``today``."""
    return case(
        (T.c.grade.is_not(None), T.c.grade),
        (is_overdue(today), literal("open_overdue")),
        else_=literal("open_on_time"),
    )


def has_grade(grade: str, today: date) -> ColumnElement[bool]:
    """A filter for one grade that can use the indexes (no CASE in WHERE)."""
    if grade in FINAL_GRADES:
        return T.c.grade == grade
    if grade == "open_overdue":
        return is_overdue(today)
    if grade == "open_on_time":
        return and_(T.c.grade.is_(None), ~is_overdue(today))
    return false()


def is_due_within(today: date, last_day: date) -> ColumnElement[bool]:
    """Open, not overdue, deadline between today and ``last_day`` (both included)."""
    return and_(T.c.grade.is_(None), ~is_overdue(today),
                T.c.deadline >= today, T.c.deadline <= last_day)
