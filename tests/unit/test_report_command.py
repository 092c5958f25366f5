"""Issuing a period report through the service: who may, what is checked, what is recorded.

The content's digest and position are made up here (the service records what it is
told, checking only their shape); computing them is tests/integration's business.
The ``clock`` fixture stands at 09:00 on 01/03/2025 in Vietnam.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests import commune
from workflow.errors import DomainError
from workflow.periods import PeriodError

DIGEST, ROOT = "d" * 64, "a" * 64
FEBRUARY_END = datetime(2025, 2, 28, 16, 59, 59, tzinfo=UTC)


def _issue(service, who: str, **changes):
    arguments = {"period": "2025-02", "cutoff": FEBRUARY_END, "position": 12,
                 "digest": DIGEST, "checkpoint_size": 12, "checkpoint_root": ROOT,
                 "number": "15/BC-UBND"} | changes
    return service.issue_period_report(who, **arguments)


@pytest.fixture
def staffed(service):
    commune.set_up(service)
    return service


@pytest.mark.parametrize("who", [commune.LEADER, commune.AUDITOR])
def test_leaders_and_auditors_issue_period_reports(staffed, who):
    report_id = _issue(staffed, who)
    [issued] = staffed.history(report_id)
    assert type(issued).__name__ == "PeriodReportIssued"
    assert (issued.actor, issued.period, issued.kind, issued.first_day.isoformat(),
            issued.last_day.isoformat(), issued.cutoff, issued.position, issued.digest,
            issued.format, issued.checkpoint_size, issued.checkpoint_root, issued.number) == (
        who, "2025-02", "month", "2025-02-01", "2025-02-28", FEBRUARY_END, 12, DIGEST, 1,
        12, ROOT, "15/BC-UBND")
    assert issued.timestamp == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("who", [commune.HEAD, commune.MEMBER, commune.ADMIN])
def test_unit_heads_members_and_admins_may_not_issue_period_reports(staffed, who):
    with pytest.raises(DomainError) as refused:
        _issue(staffed, who)
    assert refused.value.code == "permission_denied"
    assert "ban hành báo cáo định kỳ" in refused.value.message("vi")
    with pytest.raises(DomainError):
        staffed.check_may_issue_report(who)


def test_an_inactive_leader_is_told_so_before_anything_else(staffed):
    staffed.deactivate_user(commune.LEADER, "Nghỉ hưu", actor=commune.ADMIN)
    with pytest.raises(DomainError) as refused:
        _issue(staffed, commune.LEADER, cutoff=datetime(2030, 1, 1, tzinfo=UTC))
    assert refused.value.code == "user_inactive"


def test_a_cut_off_after_now_is_refused_as_not_yet_known(staffed):
    with pytest.raises(PeriodError) as refused:
        _issue(staffed, commune.LEADER, period="2025-03",
               cutoff=datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC))
    assert "chưa tới" in refused.value.message("vi")
    assert "31/03/2025 23:59:59" in refused.value.message("vi")


def test_a_cut_off_before_the_period_begins_is_refused(staffed):
    with pytest.raises(PeriodError) as refused:
        _issue(staffed, commune.LEADER, cutoff=datetime(2025, 1, 31, 16, 59, 59, tzinfo=UTC))
    assert "trước ngày đầu của kỳ báo cáo (01/02/2025)" in refused.value.message("vi")


def test_a_cut_off_at_the_first_moment_of_the_period_is_taken(staffed):
    first_moment = datetime(2025, 1, 31, 17, 0, tzinfo=UTC)  # 00:00 on 01/02 in Vietnam
    [issued] = staffed.history(_issue(staffed, commune.LEADER, cutoff=first_moment))
    assert issued.cutoff == first_moment


def test_a_period_that_does_not_parse_is_refused(staffed):
    with pytest.raises(PeriodError):
        _issue(staffed, commune.LEADER, period="2025-Q5")


@pytest.mark.parametrize("number", ["x" * 41, "15/BC\x1b[2J"])
def test_a_number_too_long_or_with_control_characters_is_refused(staffed, number):
    with pytest.raises(PeriodError):
        _issue(staffed, commune.LEADER, number=number)


@pytest.mark.parametrize("changes", [
    {"digest": "D" * 64}, {"digest": "d" * 63}, {"checkpoint_root": "xyz"},
    {"position": -1}, {"checkpoint_size": -1}, {"format": 2},
])
def test_a_malformed_digest_position_or_format_is_a_programming_error(staffed, changes):
    with pytest.raises(ValueError):  # noqa: PT011 - the caller's bug, not a person's input
        _issue(staffed, commune.LEADER, **changes)


def test_nothing_is_recorded_when_the_issue_is_refused(staffed):
    head = staffed.recorder.max_notification_id()
    with pytest.raises(DomainError):
        _issue(staffed, commune.HEAD)
    with pytest.raises(PeriodError):
        _issue(staffed, commune.LEADER, period="2025-03",
               cutoff=datetime(2026, 1, 1, tzinfo=UTC))
    assert staffed.recorder.max_notification_id() == head
