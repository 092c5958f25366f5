"""The deadline grades (``workflow.grades``) as SQL over the task board.

Final grades are stored in the task row when the task is verified or cancelled.
Open tasks are graded against *today*, so their grade is computed in SQL at query
time from the deadline; the rows never need rewriting at midnight.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, literal, or_

from events.readmodels.tables import tasks as T
from workflow.grades import FINAL_GRADES, Grade
from workflow.rules import State


def is_overdue(today: date) -> ColumnElement[bool]:
    """True for open tasks past their deadline as of ``today``."""
    return and_(
        T.c.grade.is_(None),
        or_(
            and_(T.c.state == State.REPORTED.value, T.c.reported_on > T.c.deadline),
            and_(T.c.state != State.REPORTED.value, T.c.deadline < today),
        ),
    )


def grade_of(today: date) -> ColumnElement[str]:
    """Each task's grade as of ``today``."""
    return case(
        (T.c.grade.is_not(None), T.c.grade),
        (is_overdue(today), literal(Grade.OPEN_OVERDUE.value)),
        else_=literal(Grade.OPEN_ON_TIME.value),
    )


def has_grade(grade: str, today: date) -> ColumnElement[bool]:
    """A filter for one grade that can use the indexes (no CASE in WHERE)."""
    if grade in FINAL_GRADES:
        return T.c.grade == grade
    if grade == Grade.OPEN_OVERDUE:
        return is_overdue(today)
    if grade == Grade.OPEN_ON_TIME:
        return and_(T.c.grade.is_(None), ~is_overdue(today))
    return false()


def is_due_within(today: date, last_day: date) -> ColumnElement[bool]:
    """Open, not overdue, deadline between today and ``last_day`` (both included)."""
    return and_(T.c.grade.is_(None), ~is_overdue(today),
                T.c.deadline >= today, T.c.deadline <= last_day)
