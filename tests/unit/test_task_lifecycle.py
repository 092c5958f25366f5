"""A task's life through the service: the events it records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests import commune
from workflow.errors import DomainError


def test_a_task_lives_from_assignment_to_verification_and_every_event_says_who_and_when(
        service, clock):
    commune.set_up(service)
    task_id = service.assign_task(commune.LEADER, unit="vp", deadline=commune.DEADLINE,
                                  title="Tập huấn kỹ năng số", target="CT01",
                                  plan="kh-cds-2025", description="Cho toàn bộ cán bộ")
    clock.advance(days=1)
    service.start_task(commune.MEMBER, task_id)
    clock.advance(hours=3)
    service.note_progress(commune.MEMBER, task_id, "Đã tập huấn 10/16 người", percent=60,
                          value="62,5")
    clock.advance(days=2)
    evidence = [{"name": "danh-sach.pdf", "media_type": "application/pdf", "size": 2048,
                 "sha256": "ab" * 32}, {"url": "https://x.vn/a"}]
    service.submit_report(commune.HEAD, task_id, "Đã tập huấn 16/16 người", value="100",
                          evidence=evidence)
    clock.advance(days=1)
    service.return_task(commune.LEADER, task_id, "Thiếu chữ ký")
    service.submit_report(commune.HEAD, task_id, "Đã bổ sung chữ ký", value="100")
    service.verify_task(commune.LEADER, task_id, "Đạt")

    events = service.history(task_id)
    assert [(type(e).__name__, e.actor) for e in events] == [
        ("TaskAssigned", commune.LEADER), ("WorkStarted", commune.MEMBER),
        ("ProgressNoted", commune.MEMBER), ("ReportSubmitted", commune.HEAD),
        ("ReportReturned", commune.LEADER), ("ReportSubmitted", commune.HEAD),
        ("ReportVerified", commune.LEADER)]
    start = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    assert [e.timestamp for e in events] == [
        start, start + timedelta(days=1), start + timedelta(days=1, hours=3),
        start + timedelta(days=3, hours=3), start + timedelta(days=4, hours=3),
        start + timedelta(days=4, hours=3), start + timedelta(days=4, hours=3)]
    assert all(e.timestamp.utcoffset() == timedelta(0) for e in events)
    assigned, _, noted, reported, returned, _, verified = events
    assert (assigned.unit, assigned.plan, assigned.target) == ("VP", commune.PLAN, "CT01")
    assert assigned.description == "Cho toàn bộ cán bộ"
    assert (noted.percent, noted.value) == (60, Decimal("62.5"))
    assert reported.evidence == evidence
    assert returned.reason == "Thiếu chữ ký"
    assert verified.comment == "Đạt"
    task = service.get_task(task_id)
    assert (task.state, task.verified_value, task.percent) == ("verified", Decimal("100"), 60)
    assert task.reported_by == commune.HEAD


def test_reassigning_moves_the_task_to_the_new_units_people(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    service.reassign_task(commune.LEADER, task_id, "cns", "Tổ CNSCĐ có máy")
    event = service.history(task_id)[-1]
    assert (event.unit, event.previous_unit, event.reason) == ("CNS", "VP", "Tổ CNSCĐ có máy")
    with pytest.raises(DomainError) as refused:
        service.submit_report(commune.HEAD, task_id, "Xong")
    assert refused.value.code == "other_unit"
    service.submit_report(commune.OTHER_HEAD, task_id, "Xong")
    assert service.get_task(task_id).state == "reported"


def test_an_extension_and_a_cancellation_record_their_reasons(service, clock):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "assigned")
    service.extend_deadline(commune.LEADER, task_id, date(2025, 4, 30), "Chờ thiết bị")
    clock.advance(days=40)  # now 10/04/2025, past the original deadline
    with pytest.raises(DomainError) as refused:
        service.extend_deadline(commune.LEADER, task_id, date(2025, 4, 9), "Lùi")
    assert refused.value.code == "deadline_in_past"
    service.cancel_task(commune.LEADER, task_id, "Gộp vào nhiệm vụ khác")
    extended, cancelled = service.history(task_id)[1:]
    assert (extended.deadline, extended.previous_deadline) == (date(2025, 4, 30),
                                                               commune.DEADLINE)
    assert cancelled.reason == "Gộp vào nhiệm vụ khác"
    task = service.get_task(task_id)
    assert (task.state, task.deadline, task.original_deadline, task.extensions) == (
        "cancelled", date(2025, 4, 30), commune.DEADLINE, 1)
    assert service.allowed_actions(commune.LEADER, task_id) == []


def test_allowed_actions_tell_each_person_what_they_may_do_now(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    assert service.allowed_actions(commune.HEAD, task_id) == ["note", "report"]
    assert service.allowed_actions(commune.MEMBER, task_id) == ["note"]
    assert service.allowed_actions(commune.OTHER_HEAD, task_id) == []
    assert service.allowed_actions(commune.LEADER, task_id) == ["extend", "reassign", "cancel"]
    assert service.allowed_actions(commune.AUDITOR, task_id) == []


def test_a_task_id_may_be_given_as_text_and_a_wrong_one_is_unknown(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "assigned")
    service.start_task(commune.HEAD, str(task_id))
    unit_id = service.get_unit("VP").id
    for wrong in ["", "abc", unit_id]:
        with pytest.raises(DomainError) as refused:
            service.get_task(wrong)
        assert refused.value.code == "unknown_task"
