"""Deadline grades at their boundaries, as the board and the dashboard count them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from events import queries
from tests.readmodels import assign, commune, report

DEADLINE = date(2025, 3, 10)


def grade(store, task_id, today=None):
    rows = [r for r in queries.board(store, today=today, limit=500).rows if r["id"] == task_id]
    return rows[0]["grade"]


def at_vietnam(clock, day: date, hour: int, minute: int = 0) -> None:
    # Vietnam is UTC+7 all year.
    clock.moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    clock.advance(hours=-7)


def test_a_report_sent_late_on_the_deadline_day_in_vietnam_is_on_time(store, clock):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    at_vietnam(clock, DEADLINE, 23, 30)  # 16:30 UTC, still 10/03 in Vietnam
    report(store, task_id)
    at_vietnam(clock, date(2025, 3, 14), 9)
    store.service.verify_task("lead", task_id)
    assert grade(store, task_id) == "done_on_time"


def test_a_report_sent_just_after_midnight_in_vietnam_is_late(store, clock):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    at_vietnam(clock, date(2025, 3, 11), 0, 30)  # still 10/03 in UTC
    report(store, task_id)
    store.service.verify_task("lead", task_id)
    assert grade(store, task_id) == "done_late"


def test_an_extension_moves_the_deadline_used_for_grading_and_keeps_the_original(store, clock):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    at_vietnam(clock, date(2025, 3, 9), 9)
    store.service.extend_deadline("lead", task_id, date(2025, 3, 20), "Chờ số liệu")
    at_vietnam(clock, date(2025, 3, 18), 9)
    report(store, task_id)
    store.service.verify_task("lead", task_id)
    row = queries.board(store).rows[0]
    assert (row["grade"], row["deadline"], row["original_deadline"], row["extensions"]) == (
        "done_on_time", date(2025, 3, 20), DEADLINE, 1)


def test_a_report_returned_and_sent_again_after_the_deadline_is_late(store, clock):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    at_vietnam(clock, date(2025, 3, 8), 9)
    report(store, task_id)
    store.service.return_task("lead", task_id, "Thiếu minh chứng")
    at_vietnam(clock, date(2025, 3, 12), 9)
    report(store, task_id)
    store.service.verify_task("lead", task_id)
    assert grade(store, task_id) == "done_late"


def test_an_open_task_becomes_overdue_the_day_after_its_deadline(store):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    assert grade(store, task_id, today=DEADLINE) == "open_on_time"
    assert grade(store, task_id, today=date(2025, 3, 11)) == "open_overdue"


def test_a_report_sent_in_time_is_not_overdue_while_it_waits_for_verification(store, clock):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    at_vietnam(clock, date(2025, 3, 9), 9)
    report(store, task_id)
    assert grade(store, task_id, today=date(2025, 3, 20)) == "open_on_time"
    at_vietnam(clock, date(2025, 3, 20), 9)
    store.service.verify_task("lead", task_id)
    assert grade(store, task_id) == "done_on_time"


def test_a_task_returned_after_its_deadline_is_overdue_again(store, clock):
    commune(store)
    task_id = assign(store, deadline=DEADLINE)
    at_vietnam(clock, date(2025, 3, 9), 9)
    report(store, task_id)
    at_vietnam(clock, date(2025, 3, 12), 9)
    store.service.return_task("lead", task_id, "Chưa đạt")
    assert grade(store, task_id) == "open_overdue"


def test_cancelled_tasks_are_counted_apart(store, clock):
    commune(store)
    kept = assign(store, deadline=DEADLINE)
    dropped = assign(store, deadline=DEADLINE)
    store.service.cancel_task("lead", dropped, "Trùng nhiệm vụ")
    counts = queries.counts(store, today=date(2025, 3, 11))
    assert grade(store, dropped) == "cancelled"
    assert counts["by_grade"] == {"done_on_time": 0, "done_late": 0, "open_on_time": 0,
                                  "open_overdue": 1, "cancelled": 1}
    assert counts["overdue"] == 1
    assert queries.overdue(store, today=date(2025, 3, 11))[0]["id"] == kept
