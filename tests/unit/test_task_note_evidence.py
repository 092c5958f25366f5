"""A progress note may carry evidence (ProgressNoted version 2); notes stored before it
read back with none."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent

from tests import commune
from workflow.evidence import Evidence


def record_note_as_version_1(service, task_id, clock) -> None:
    """A ProgressNoted as the release before version 2 stored it: no ``class_version``,
    no ``evidence``, the same topic. Today's code cannot record it, so the library
    writes it, as the older release did."""
    state = service.mapper.transcoder.encode({
        "timestamp": clock(), "actor": commune.HEAD, "text": "Đã họp triển khai",
        "percent": 30, "value": None})
    service.recorder.insert_events([StoredEvent(
        originator_id=task_id, originator_version=len(service.history(task_id)) + 1,
        topic="nhiemvu.task.ProgressNoted", state=state)])


def test_a_note_stored_before_version_2_reads_back_with_no_evidence(service, clock):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    record_note_as_version_1(service, task_id, clock)
    noted = service.history(task_id)[-1]
    assert type(noted).__name__ == "ProgressNoted"
    assert (noted.text, noted.percent, noted.evidence) == ("Đã họp triển khai", 30, [])
    assert service.get_task(task_id).percent == 30


def test_a_note_records_its_evidence_in_the_reports_shape(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    service.note_progress(commune.HEAD, task_id, "Đã tập huấn 20 người", percent="40",
                          evidence=[Evidence.link("https://dichvucong.gov.vn/tap-huan")])
    stored = service.recorder.select_events(task_id)[-1]
    assert stored.topic == "nhiemvu.task.ProgressNoted"
    assert service.history(task_id)[-1].evidence == [
        {"url": "https://dichvucong.gov.vn/tap-huan"}]


def test_a_note_without_evidence_records_an_empty_list(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    service.note_progress(commune.HEAD, task_id, "Tiến độ")
    assert service.history(task_id)[-1].evidence == []
