"""A task's whole life through the command line, and how refusals are reported."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from events.system import System
from workflow import plan_file
from workflow.clock import local_today


@pytest.fixture
def commune(database_url):
    return make_commune(database_url)


@pytest.fixture
def lite_commune(sqlite_url):
    return make_commune(sqlite_url)


def make_commune(url: str) -> str:
    """Two units, a leader, a head and a member of VP, a head of CNS1, the seed plan."""
    with System(url) as store:
        service = store.service
        service.import_plan(plan_file.load(plan_file.SEED_PLAN))
        service.add_unit("VP", "Văn phòng UBND xã")
        service.add_unit("CNS1", "Tổ công nghệ số cộng đồng xóm 1")
        service.add_user("lanhdao", "leader", "mat-khau-1")
        service.add_user("truong.vp", "unit_head", "mat-khau-1", unit="VP")
        service.add_user("canbo.vp", "member", "mat-khau-1", unit="VP")
        service.add_user("truong.cns1", "unit_head", "mat-khau-1", unit="CNS1")
    return url


def recorded(url: str, task_id: str) -> list:
    with System(url) as store:
        return store.service.history(task_id)


def in_days(days: int) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def assign(nhiemvu, *extra: str) -> str:
    result = nhiemvu("task", "assign", "--as", "lanhdao", "--unit", "VP",
                     "--deadline", in_days(30), "--title", "Tập huấn kỹ năng số", *extra)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_task_lives_its_whole_life_through_the_cli(nhiemvu, commune, tmp_path):
    evidence = tmp_path / "danh-sach.pdf"
    evidence.write_bytes(b"%PDF-1.4 sample")
    task_id = assign(nhiemvu, "--target", "ct01", "--description", "Đợt 1")
    steps = [
        ("start", task_id, "--as", "canbo.vp"),
        ("note", task_id, "--as", "canbo.vp", "--text", "Đã tập huấn 12/20", "--percent",
         "60", "--value", "60"),
        ("report", task_id, "--as", "truong.vp", "--summary", "Đã tập huấn 18/20",
         "--value", "90", "--evidence", str(evidence)),
        ("return", task_id, "--as", "lanhdao", "--reason", "Chưa đủ 100%"),
        ("report", task_id[:8], "--as", "truong.vp", "--summary", "Đủ 20/20",
         "--value", "100"),
        ("verify", task_id, "--as", "lanhdao", "--comment", "Đạt"),
    ]
    for step in steps:
        result = nhiemvu("task", *step)
        assert result.exit_code == 0, (step, result.output)
    events = recorded(commune, task_id)
    assert [type(e).__name__ for e in events] == [
        "TaskAssigned", "WorkStarted", "ProgressNoted", "ReportSubmitted", "ReportReturned",
        "ReportSubmitted", "ReportVerified"]
    assert (events[0].target, events[0].plan) == ("CT01", "KH-CDS-2025")
    assert events[3].evidence == [{
        "name": "danh-sach.pdf", "size": 15,
        "sha256": hashlib.sha256(b"%PDF-1.4 sample").hexdigest(),
        "media_type": "application/pdf"}]
    assert [e.actor for e in events[1:]] == ["canbo.vp", "canbo.vp", "truong.vp",
                                             "lanhdao", "truong.vp", "lanhdao"]


def test_extend_reassign_and_cancel_are_recorded_with_their_reasons(nhiemvu, commune):
    task_id = assign(nhiemvu)
    results = [
        nhiemvu("task", "extend", task_id, "--as", "lanhdao", "--deadline",
                (local_today() + timedelta(days=45)).strftime("%d/%m/%Y"),
                "--reason", "Chờ kinh phí"),
        nhiemvu("task", "reassign", task_id, "--as", "lanhdao", "--unit", "cns1",
                "--reason", "Theo địa bàn"),
        nhiemvu("task", "cancel", task_id, "--as", "lanhdao", "--reason", "Trùng việc"),
    ]
    assert [r.exit_code for r in results] == [0, 0, 0]
    extended, reassigned, cancelled = recorded(commune, task_id)[1:]
    assert (extended.deadline.isoformat(), extended.reason) == (in_days(45), "Chờ kinh phí")
    assert (reassigned.unit, reassigned.previous_unit) == ("CNS1", "VP")
    assert cancelled.reason == "Trùng việc"


@pytest.mark.parametrize("step, message", [
    (("start", "--as", "truong.cns1"), "Bạn chỉ được thao tác trên nhiệm vụ của đơn vị mình"),
    (("report", "--as", "truong.vp", "--summary", "x"), "Không thể báo cáo kết quả"),
    (("verify", "--as", "canbo.vp"), "không được phép xác nhận hoàn thành"),
    (("cancel", "--as", "lanhdao", "--reason", " "), "Cần nêu lý do."),
    (("start", "--as", "nobody"), "Không tìm thấy người dùng “nobody”."),
])
def test_what_the_rules_refuse_exits_with_1_and_one_line(lite, lite_commune, step, message):
    task_id = assign(lite)
    result = lite("task", step[0], task_id, *step[1:])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert len(recorded(lite_commune, task_id)) == 1


def test_the_reporter_may_not_verify_even_as_leader_later(lite, lite_commune):
    task_id = assign(lite)
    lite("task", "start", task_id, "--as", "truong.vp")
    lite("task", "report", task_id, "--as", "truong.vp", "--summary", "Xong")
    lite("user", "grant", "truong.vp", "--role", "leader", "--reason", "Bổ nhiệm")
    result = lite("task", "verify", task_id, "--as", "truong.vp")
    assert result.exit_code == 1
    assert "không được tự xác nhận" in result.output


@pytest.mark.parametrize("args", [
    ("--deadline", "31/02/2030"),
    ("--deadline", "ngày mai"),
])
def test_a_date_that_is_not_a_date_is_bad_input(lite, lite_commune, args):
    result = lite("task", "assign", "--as", "lanhdao", "--unit", "VP", "--title", "T",
                     *args)
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: ngày")


def test_a_deadline_in_the_past_is_refused_by_the_rules(lite, lite_commune):
    result = lite("task", "assign", "--as", "lanhdao", "--unit", "VP", "--title", "T",
                     "--deadline", in_days(-1))
    assert result.exit_code == 1
    assert "không được trước hôm nay" in result.output


def test_a_missing_evidence_file_is_bad_input_and_records_nothing(lite, lite_commune,
                                                                  tmp_path):
    task_id = assign(lite)
    lite("task", "start", task_id, "--as", "truong.vp")
    result = lite("task", "report", task_id, "--as", "truong.vp", "--summary", "Xong",
                     "--evidence", str(tmp_path / "missing.pdf"))
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: không đọc được tệp minh chứng")
    assert len(recorded(lite_commune, task_id)) == 2


@pytest.mark.parametrize("args, code", [
    (("--percent", "150"), 2),
    (("--value", "nhiều"), 2),
    (("--value", "150"), 1),
])
def test_progress_numbers_are_checked(lite, lite_commune, args, code):
    task_id = assign(lite, "--target", "CT01")
    lite("task", "start", task_id, "--as", "truong.vp")
    result = lite("task", "note", task_id, "--as", "truong.vp", "--text", "x", *args)
    assert result.exit_code == code


def test_an_unknown_task_id_is_refused(lite, lite_commune):
    result = lite("task", "start", "00000000-0000-4000-8000-000000000000",
                     "--as", "truong.vp")
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Không tìm thấy nhiệm vụ")


def test_a_stale_expected_version_is_a_conflict(nhiemvu, commune):
    task_id = assign(nhiemvu)
    nhiemvu("task", "start", task_id, "--as", "truong.vp")
    stale = nhiemvu("task", "note", task_id, "--as", "truong.vp", "--text", "x",
                    "--expected-version", "1")
    fresh = nhiemvu("task", "note", task_id, "--as", "truong.vp", "--text", "x",
                    "--expected-version", "2")
    assert stale.exit_code == 1 and "vừa được người khác cập nhật" in stale.output
    assert fresh.exit_code == 0


def test_a_target_needs_a_plan_in_the_store(lite, sqlite_url):
    with System(sqlite_url) as store:
        store.service.add_unit("VP", "Văn phòng UBND xã")
        store.service.add_user("lanhdao", "leader", "mat-khau-1")
    result = lite("task", "assign", "--as", "lanhdao", "--unit", "VP", "--title", "T",
                     "--deadline", in_days(3), "--target", "CT01")
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Không tìm thấy kế hoạch")


def test_an_unknown_target_is_refused(lite, lite_commune):
    result = lite("task", "assign", "--as", "lanhdao", "--unit", "VP", "--title", "T",
                     "--deadline", in_days(3), "--target", "CT99")
    assert result.exit_code == 1
    assert "không có chỉ tiêu “CT99”" in result.output
