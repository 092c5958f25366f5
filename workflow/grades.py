"""Deadline grades as Vietnamese government reports count them: codes and names.

- ``done_on_time`` (hoàn thành đúng hạn): verified, and the report that was verified
  was submitted on or before the deadline in force, by its date in Asia/Ho_Chi_Minh.
- ``done_late`` (hoàn thành quá hạn): verified, that report submitted after it.
- ``open_on_time`` (đang thực hiện trong hạn): every open task not overdue.
- ``open_overdue`` (quá hạn chưa hoàn thành): open and the deadline has passed. A task
  waiting for verification counts by its report's date, not by today: a report sent
  on time is not made late by a slow verifier.
- ``cancelled`` (đã hủy): counted apart.

Final grades never change once given; open ones depend on today, so the read models
compute them when asked (``events.queries.grading``).
"""

from __future__ import annotations

from enum import StrEnum

from workflow.words import NP_, Msg


class Grade(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_ON_TIME = "open_on_time"
    OPEN_OVERDUE = "open_overdue"
    CANCELLED = "cancelled"


# The codes as plain text, in the order reports list them.
GRADES: tuple[str, ...] = tuple(grade.value for grade in Grade)
FINAL_GRADES = frozenset({Grade.DONE_ON_TIME.value, Grade.DONE_LATE.value,
                          Grade.CANCELLED.value})

GRADE_NAMES: dict[Grade, Msg] = {
    Grade.DONE_ON_TIME: NP_("grade", "Hoàn thành đúng hạn"),
    Grade.DONE_LATE: NP_("grade", "Hoàn thành quá hạn"),
    Grade.OPEN_ON_TIME: NP_("grade", "Đang thực hiện trong hạn"),
    Grade.OPEN_OVERDUE: NP_("grade", "Quá hạn chưa hoàn thành"),
    Grade.CANCELLED: NP_("grade", "Đã hủy"),
}


def grade_name(grade: str) -> Msg:
    """The grade's name to show (the code itself for a grade this version lacks)."""
    try:
        return GRADE_NAMES[Grade(grade)]
    except ValueError:
        return Msg(grade)
