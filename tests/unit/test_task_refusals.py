"""Every refusal has a stable code and a filled-in message in Vietnamese and English.

Each error code is provoked here through the service or the queries (SQLite and
PostgreSQL), the way a person would meet it, and its messages are checked.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from events import queries
from events.queries.as_of import as_of
from tests import commune
from workflow import plan_file
from workflow.errors import MESSAGES, DomainError
from workflow.task import Task

VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]")

# Two task ids sharing their first 8 hex digits, so that a short id typed by a person
# names both. Random ids among a test's few tasks practically never do: these are chosen.
TWINS = (UUID("3f2a9c1e-5b7d-4e21-9a0c-7d41e8b2c3f5"),
         UUID("3f2a9c1e-d402-4b6f-8e13-29c5a7f0b816"))


def _scenarios(store, monkeypatch) -> dict[str, object]:
    """For each error code, a command that meets it (run in this order)."""
    service = store.service
    _tasks_with_ids(service, monkeypatch, TWINS)
    reported = commune.task_in_state(service, "reported")
    started = commune.task_in_state(service, "in_progress")
    untargeted = commune.task_in_state(service, "in_progress", target=None)
    verified = commune.task_in_state(service, "verified")
    damaged = commune.task_in_state(service, "in_progress")
    snapshotted = commune.task_in_state(service, "in_progress")
    later = date(2025, 4, 30)

    def report_with(evidence):
        return service.submit_report(commune.HEAD, started, "Có minh chứng", evidence=evidence)

    return {
        "transition_not_allowed": lambda: service.start_task(commune.HEAD, verified),
        "permission_denied": lambda: service.submit_report(commune.MEMBER, started, "Xong"),
        "other_unit": lambda: service.note_progress(commune.OTHER_HEAD, started, "Xem"),
        "user_inactive": lambda: (
            service.deactivate_user(commune.OTHER_MEMBER, "Nghỉ việc"),
            service.note_progress(commune.OTHER_MEMBER, started, "Vẫn làm")),
        "unknown_user": lambda: service.start_task("khong.ai", started),
        "unknown_unit": lambda: service.assign_task(
            commune.LEADER, unit="KHONG-CO", deadline=later, title="Việc"),
        "unit_inactive": lambda: (
            service.add_unit("CU", "Tổ cũ"), service.deactivate_unit("CU", "Giải thể"),
            service.reassign_task(commune.LEADER, started, "CU", "Chuyển")),
        "unknown_task": lambda: service.start_task(commune.HEAD, "không-phải-mã"),
        "ambiguous_task": lambda: queries.resolve_task_id(store, "3F2A9C1E"),
        "unknown_plan": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=later, title="Việc", target="CT01",
            plan="KH-KHAC"),
        "plan_required": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=later, title="Việc", target="CT01"),
        "unknown_target": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=later, title="Việc", target="CT99",
            plan=commune.PLAN),
        "unit_exists": lambda: service.add_unit("vp", "Văn phòng (lần hai)"),
        "unit_name_unchanged": lambda: service.rename_unit(
            "vp", service.get_unit("VP").name, actor=commune.LEADER),
        "user_exists": lambda: service.add_user("Lanh.Dao", "leader", "mat-khau-1"),
        "unit_required": lambda: service.add_user("ai.do", "member", "mat-khau-1"),
        "invalid_role": lambda: service.add_user("ai.do", "chu_tich", "mat-khau-1"),
        "password_too_short": lambda: service.set_password(commune.HEAD, "ngắn"),
        "password_invalid": lambda: service.set_password(commune.HEAD, "dài" * 400),
        "reason_required": lambda: service.cancel_task(commune.LEADER, started, " "),
        "text_required": lambda: service.note_progress(commune.HEAD, started, ""),
        "text_too_long": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=later, title="t" * 201),
        "deadline_in_past": lambda: service.extend_deadline(
            commune.LEADER, started, date(2025, 2, 1), "Lùi về trước hôm nay"),
        "due_date_in_past": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=date(2025, 2, 1), title="Việc"),
        "deadline_unchanged": lambda: service.extend_deadline(
            commune.LEADER, started, commune.DEADLINE, "Như cũ"),
        "deadline_not_later": lambda: service.extend_deadline(
            commune.LEADER, started, date(2025, 3, 15), "Làm gấp"),
        "same_unit": lambda: service.reassign_task(commune.LEADER, started, "VP", "Như cũ"),
        "invalid_percent": lambda: service.note_progress(
            commune.HEAD, started, "Tiến độ", percent="120"),
        "invalid_value": lambda: service.submit_report(
            commune.HEAD, started, "Xong", value="abc"),
        "value_without_target": lambda: service.submit_report(
            commune.HEAD, untargeted, "Xong", value="50"),
        "invalid_plan": lambda: service.import_plan(
            plan_file.parse({**_raw_seed(), "targets": [{"code": "X", "pillar": "CQS",
                                                         "range": "nhiều", "text": "x"}]})),
        "text_control_character": lambda: service.note_progress(
            commune.HEAD, started, "Tiến độ\x1b]0;tiêu đề\x07"),
        "invalid_identifier": lambda: service.add_user("a|b", "leader", "mat-khau-1"),
        "invalid_date": lambda: service.extend_deadline(
            commune.LEADER, started, "30/04/2025", "Chưa chuyển thành ngày"),
        "date_out_of_range": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=date(9999, 12, 28), title="Gõ nhầm năm"),
        "deadline_too_far": lambda: service.assign_task(
            commune.LEADER, unit="VP", deadline=date(2045, 12, 31), title="Quá xa"),
        "invalid_cursor": lambda: service.mark_alerts_read(commune.HEAD, up_to="²"),
        "instant_in_future": lambda: as_of(store, datetime(2100, 1, 1, tzinfo=UTC)).__enter__(),
        "record_damaged": lambda: (
            _garble(service, service.recorder, damaged), service.get_task(damaged)),
        "record_damaged_unlocated": lambda: (
            service.take_snapshot(snapshotted),
            _garble(service, service.snapshots.recorder, snapshotted),
            service.get_task(snapshotted)),
        "evidence_invalid": lambda: report_with([{"name": "a.pdf", "url": "https://x.vn"}]),
        "evidence_too_many": lambda: report_with(
            [{"url": f"https://xa.gov.vn/{n}"} for n in range(21)]),
        "evidence_name_invalid": lambda: report_with([_file(name="../bien-ban.pdf")]),
        "evidence_name_too_long": lambda: report_with([_file(name="a" * 201 + ".pdf")]),
        "evidence_media_type_invalid": lambda: report_with([_file(media_type="pdf")]),
        "evidence_digest_invalid": lambda: report_with([_file(sha256="abc")]),
        "evidence_empty": lambda: report_with([_file(size=0)]),
        "evidence_too_large": lambda: report_with([_file(size=101 * 1024 * 1024)]),
        "evidence_link_invalid": lambda: report_with([{"url": "javascript:alert(1)"}]),
        "evidence_link_too_long": lambda: report_with(
            [{"url": "https://xa.gov.vn/" + "a" * 2000}]),
        "unknown_token": lambda: service.revoke_token(commune.HEAD, "0badc0de"),
        "ambiguous_token": lambda: (
            service.create_token(commune.HEAD, "máy chủ huyện"),
            service.create_token(commune.LEADER, "máy chủ huyện"),
            service.resolve_token("máy chủ huyện", [commune.HEAD, commune.LEADER])),
        "concurrent_change": lambda: service.note_progress(
            commune.HEAD, started, "Cũ", expected_version=1),
        # Last: the head becomes a leader, which changes what they may do.
        "reporter_cannot_verify": lambda: (
            service.grant_role(commune.HEAD, "leader", None, "Bầu bổ sung"),
            service.verify_task(commune.HEAD, reported)),
    }


def _file(**changed) -> dict:
    return {"name": "bien-ban.pdf", "media_type": "application/pdf", "size": 1024,
            "sha256": "ab" * 32, **changed}


def _tasks_with_ids(service, monkeypatch, ids) -> None:
    """Tasks assigned as usual, but given ``ids`` instead of random ones."""
    chosen = iter(ids)
    with monkeypatch.context() as patched:
        patched.setattr(Task, "create_id", staticmethod(lambda *_, **__: next(chosen)))
        for _ in ids:
            commune.task_in_state(service, "assigned")


def _garble(service, recorder, aggregate_id) -> None:
    # Damage behind the app's back (a bad restore): no command can make it.
    table = recorder.events_record_cls.__table__
    with service.recorder.datastore.engine.begin() as conn:
        conn.execute(table.update().where(table.c.originator_id == aggregate_id)
                     .values(state=b"{"))
    # As a process opening the store after the damage finds it (test_damaged_records.py).
    service.forget_loaded()


def _raw_seed() -> dict:
    return tomllib.loads(plan_file.SEED_PLAN.read_text(encoding="utf-8"))


def test_every_error_code_is_met_through_the_service_with_full_messages(store, monkeypatch):
    service = store.service
    commune.set_up(service)
    scenarios = _scenarios(store, monkeypatch)
    assert set(scenarios) == set(MESSAGES), "each error code needs a scenario here"
    met = {}
    for expected_code, command in scenarios.items():
        with pytest.raises(DomainError) as refused:
            command()
        met[expected_code] = refused.value
    assert {code: error.code for code, error in met.items()} == {c: c for c in scenarios}
    for code, error in met.items():
        vi, en = error.message("vi"), error.message("en")
        assert vi and en and vi != en, code
        assert "?" not in vi and "?" not in en, (code, vi, en)
        assert "{" not in vi + en and "}" not in vi + en, (code, vi, en)
        assert VIETNAMESE_LETTERS.search(vi.lower()), (code, vi)
        assert str(error) == en


def test_the_default_message_is_vietnamese():
    error = DomainError("unknown_unit", unit="XYZ")
    assert error.message() == "Không tìm thấy đơn vị “XYZ”."
    assert error.message("en-GB") == "No unit with code 'XYZ'."


def test_an_unknown_error_code_is_a_programming_error():
    with pytest.raises(KeyError):
        DomainError("no_such_code")
