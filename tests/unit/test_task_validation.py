"""What people type is checked before anything is recorded (Task aggregate, validate)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from workflow import validate
from workflow.clock import FixedClock, use_clock
from workflow.errors import DomainError
from workflow.rules import Actor
from workflow.task import Task

LEADER = Actor("lanh.dao", "leader")
HEAD = Actor("truong.vp", "unit_head", "VP")
TODAY = date(2025, 3, 1)  # 09:00 in Vietnam, 02:00 UTC
CLOCK = FixedClock(datetime(2025, 3, 1, 2, 0, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _fixed_clock():
    with use_clock(CLOCK):
        yield


def _assign(**changes) -> Task:
    fields = {"title": "Tập huấn kỹ năng số", "unit": "VP", "deadline": date(2025, 3, 31),
              "plan": "KH-CDS-2025", "target": "CT01"}
    return Task.assign(LEADER, **{**fields, **changes})


def _started(**changes) -> Task:
    task = _assign(**changes)
    task.start(HEAD)
    return task


def _code(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as refused:
        call(*args, **kwargs)
    return refused.value.code


# -- text ---------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["", "   ", None])
def test_a_task_needs_a_title(title):
    assert _code(_assign, title=title) == "text_required"


def test_a_title_longer_than_200_characters_is_refused_and_200_are_accepted():
    assert _code(_assign, title="x" * 201) == "text_too_long"
    assert _assign(title="ệ" * 200).title == "ệ" * 200


def test_text_is_stored_without_surrounding_spaces():
    task = _assign(title="  Số hóa hồ sơ  ", description="\n mô tả \n")
    assert (task.title, task.description) == ("Số hóa hồ sơ", "mô tả")


def test_a_description_may_be_empty_but_not_longer_than_5000_characters():
    assert _assign(description="").description == ""
    assert _code(_assign, description="d" * 5001) == "text_too_long"


def test_a_progress_note_and_a_report_need_text():
    task = _started()
    assert _code(task.note_progress, HEAD, "  ") == "text_required"
    assert _code(task.submit_report, HEAD, "") == "text_required"
    assert _code(task.submit_report, HEAD, "s" * 5001) == "text_too_long"
    assert task.version == 2


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_return_extend_reassign_and_cancel_require_a_reason(reason):
    task = _started()
    task.submit_report(HEAD, "Xong")
    assert _code(task.return_for_rework, LEADER, reason) == "reason_required"
    assert _code(task.extend_deadline, LEADER, date(2025, 4, 30), reason) == "reason_required"
    assert _code(task.reassign, LEADER, "CNS", reason) == "reason_required"
    assert _code(task.cancel, LEADER, reason) == "reason_required"
    assert task.version == 3


def test_a_reason_longer_than_1000_characters_is_refused():
    assert _code(_started().cancel, LEADER, "r" * 1001) == "text_too_long"


# -- percent and measured value -----------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("0", 0), ("100", 100), (" 45 ", 45), (70, 70), ("", None), (None, None),
])
def test_a_completion_percent_is_a_whole_number_from_0_to_100(typed, stored):
    task = _started()
    task.note_progress(HEAD, "Tiến độ", percent=typed)
    assert task.collect_events()[-1].percent == stored


@pytest.mark.parametrize("typed", ["-1", "101", -5, 250, "abc", "50.5", "4 5", "1e2", "٥٠",
                                   True, 12.5])
def test_a_completion_percent_outside_0_to_100_or_not_a_whole_number_is_refused(typed):
    assert _code(_started().note_progress, HEAD, "Tiến độ", percent=typed) == "invalid_percent"


@pytest.mark.parametrize(("typed", "stored"), [
    ("62,5", Decimal("62.5")), ("62.5", Decimal("62.5")), ("62,50", Decimal("62.5")),
    ("0", Decimal("0")), ("100", Decimal("100")), ("100,0", Decimal("100")),
    (" 7,25 ", Decimal("7.25")), (Decimal("80.0"), Decimal("80")), (50, Decimal("50")),
    ("", None), ("  ", None), (None, None),
])
def test_a_measured_value_is_a_number_from_0_to_100_with_a_comma_or_point(typed, stored):
    value = validate.measured_value(typed)
    assert value == stored
    assert str(value) == str(stored)  # stored plainly: "62.5", not "62.50" or "1E+2"


@pytest.mark.parametrize("typed", ["-1", "-0,5", "100,01", "101", "abc", "6_2", "1e2",
                                   "62,5%", "1.000,5", "NaN", "Infinity", "٣", True, 150])
def test_a_measured_value_that_is_not_a_plain_number_from_0_to_100_is_refused(typed):
    assert _code(validate.measured_value, typed) == "invalid_value"


def test_a_report_records_the_measured_value_of_the_linked_target():
    task = _started()
    task.submit_report(HEAD, "Đã đào tạo 62,5% cán bộ", value="62,5")
    assert task.reported_value == Decimal("62.5")
    assert task.collect_events()[-1].value == Decimal("62.5")


def test_a_value_on_a_task_without_a_target_is_refused():
    task = _started(target=None, plan=None)
    assert _code(task.submit_report, HEAD, "Xong", value="50") == "value_without_target"
    assert _code(task.note_progress, HEAD, "Đang làm", value="20") == "value_without_target"
    task.submit_report(HEAD, "Xong")  # without a value it is fine
    assert task.reported_value is None


def test_an_invalid_value_is_refused_before_the_missing_target_is_mentioned():
    task = _started(target=None, plan=None)
    assert _code(task.submit_report, HEAD, "Xong", value="200") == "invalid_value"


# -- deadlines (today is 01/03/2025 by the injected clock) --------------------------

def test_a_task_due_today_may_be_assigned_but_not_one_due_yesterday():
    assert _assign(deadline=TODAY).deadline == TODAY
    assert _code(_assign, deadline=date(2025, 2, 28)) == "due_date_in_past"


def test_today_follows_the_vietnamese_calendar_not_utc():
    # 23:30 UTC on 28/02 is already 06:30 on 01/03 in Vietnam.
    with use_clock(FixedClock(datetime(2025, 2, 28, 23, 30, tzinfo=UTC))):
        assert _code(_assign, deadline=date(2025, 2, 28)) == "due_date_in_past"
        assert _assign(deadline=TODAY).deadline == TODAY


def test_an_extension_moves_the_deadline_later_and_keeps_the_original():
    task = _started()
    task.extend_deadline(LEADER, date(2025, 4, 30), "Chờ thiết bị")
    task.extend_deadline(LEADER, date(2025, 5, 15), "Chờ kinh phí")
    assert task.deadline == date(2025, 5, 15)
    assert task.original_deadline == date(2025, 3, 31)
    assert task.extensions == 2
    last = task.collect_events()[-1]
    assert (last.deadline, last.previous_deadline, last.reason) == (
        date(2025, 5, 15), date(2025, 4, 30), "Chờ kinh phí")


def test_an_extension_to_an_earlier_date_is_refused():
    task = _started()
    assert _code(task.extend_deadline, LEADER, date(2025, 3, 20), "Làm gấp") == (
        "deadline_not_later")
    assert task.deadline == date(2025, 3, 31)


def test_an_extension_to_the_same_date_is_refused():
    task = _started()
    assert _code(task.extend_deadline, LEADER, date(2025, 3, 31), "Giữ nguyên") == (
        "deadline_unchanged")


def test_an_overdue_task_may_be_extended_from_today_on_but_not_into_the_past():
    task = _started(deadline=TODAY)
    CLOCK.advance(days=10)
    try:
        assert _code(task.extend_deadline, LEADER, date(2025, 3, 5), "Trễ") == (
            "deadline_in_past")
        task.extend_deadline(LEADER, date(2025, 3, 11), "Bổ sung hạn")
        assert task.deadline == date(2025, 3, 11)
    finally:
        CLOCK.advance(days=-10)


def test_reassigning_to_the_same_unit_is_refused():
    assert _code(_started().reassign, LEADER, "VP", "Không đổi") == "same_unit"
