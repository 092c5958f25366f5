"""The audit log: one row per event, filtered and paged without replaying the log."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import inspect, text

from events import queries
from events.demo.sample import LEADER, fill
from events.system import System
from tests.readmodels import assign, commune, report


def test_every_event_has_one_audit_row_newest_first(store):
    commune(store)
    assign(store)
    rows = queries.audit_log(store, limit=1000).rows
    positions = [r["position"] for r in rows]
    assert positions == sorted(positions, reverse=True)
    assert len(rows) == store.projections.head()
    assert rows[-1]["type"] == "PlanAdopted"


def test_the_audit_log_filters_by_actor_unit_task_and_type(store):
    commune(store)
    vp_task = assign(store, unit="VP")
    yt_task = assign(store, unit="YT", target="CT10")
    report(store, yt_task, unit="YT")
    by_head = queries.audit_log(store, actor="head_yt").rows
    assert [r["type"] for r in by_head] == ["ReportSubmitted", "WorkStarted"]
    assert {r["task_id"] for r in queries.audit_log(store, unit="YT").rows if r["task_id"]} == {
        yt_task}
    assert [r["type"] for r in queries.audit_log(store, task=vp_task).rows] == ["TaskAssigned"]
    assert len(queries.audit_log(store, type="TaskAssigned").rows) == 2


def test_a_reassigned_task_is_filed_under_its_new_unit_from_then_on(store):
    commune(store)
    task_id = assign(store, unit="VP")
    store.service.reassign_task("lead", task_id, "YT", "Đúng chuyên môn")
    store.service.start_task("head_yt", task_id)
    rows = queries.audit_log(store, task=task_id).rows
    assert [(r["type"], r["unit"]) for r in rows] == [
        ("WorkStarted", "YT"), ("TaskReassigned", "YT"), ("TaskAssigned", "VP")]


def test_the_audit_log_filters_by_vietnam_dates(store, clock):
    commune(store)
    clock.advance(days=2)  # 03/03/2025
    assign(store, "Sau")
    on_third = queries.audit_log(store, since=date(2025, 3, 3), until=date(2025, 3, 3)).rows
    assert [r["type"] for r in on_third] == ["TaskAssigned"]
    assert queries.audit_log(store, until=date(2025, 3, 2), type="TaskAssigned").rows == []


def test_audit_pages_follow_each_other(store):
    commune(store)
    everything = [r["position"] for r in queries.audit_log(store, limit=1000).rows]
    seen, before = [], None
    while True:
        page = queries.audit_log(store, limit=2, before=before)
        seen += [r["position"] for r in page.rows]
        if page.next_cursor is None:
            break
        before = page.next_cursor
    assert seen == everything


def test_passwords_never_reach_the_audit_log(store):
    commune(store)
    store.service.set_password("lead", "mật khẩu mới")
    rows = queries.audit_log(store, type="PasswordChanged").rows
    assert rows[0]["summary"] == "Đổi mật khẩu"
    with store.engine.connect() as conn:
        data = conn.execute(text("SELECT data FROM rm_audit")).scalars().all()
    assert not any("password_hash" in d or "argon2" in d for d in data)


def test_every_audit_line_is_said_from_the_stored_data_in_vietnamese_or_english(database_url):
    fill(database_url, password="mat-khau-mau")
    with System(database_url) as store:
        service = store.service
        service.add_unit("TN", "Đoàn Thanh niên")
        service.deactivate_unit("TN", "Sáp nhập")
        service.grant_role(LEADER, "auditor", None, "Chuyển công tác")
        service.deactivate_user(LEADER, "Nghỉ phép")
        service.reactivate_user(LEADER, "Đi làm lại")
        service.set_password(LEADER, "mat-khau-moi")
        vi = queries.audit_log(store, limit=1000).rows
        en = queries.audit_log(store, limit=1000, locale="en").rows
        columns = {c["name"] for c in inspect(store.engine).get_columns("rm_audit")}
    assert [r["position"] for r in vi] == [r["position"] for r in en]
    types = {r["type"] for r in vi}
    assert types >= {"TaskAssigned", "WorkStarted", "ProgressNoted", "ReportSubmitted",
                     "ReportVerified", "ReportReturned", "DeadlineExtended", "TaskCancelled",
                     "UnitCreated", "UnitDeactivated", "UserRegistered", "RoleGranted",
                     "UserDeactivated", "UserReactivated", "PasswordChanged", "PlanAdopted"}
    for vi_row, en_row in zip(vi, en, strict=True):
        assert en_row["summary"] != vi_row["summary"], vi_row
        # No Vietnamese words of our own in the English line (typed text may have them).
        assert not re.match(r"(Giao|Bắt|Ghi|Báo|Xác|Trả|Gia|Hủy|Tạo|Ngừng|Cấp|Vô|Kích|Đổi|"
                            r"Ban)\b", en_row["summary"]), en_row
    # No line is stored: both languages are said from the stored data when read.
    assert "summary" not in columns and "data" in columns
    vi_by_type = {r["type"]: r["summary"] for r in vi}
    assert re.fullmatch(r"Giao nhiệm vụ “.+” cho \w+, hạn \d\d/\d\d/\d{4}",
                        vi_by_type["TaskAssigned"])
    assert re.fullmatch(r"Gia hạn từ \d\d/\d\d/\d{4} đến \d\d/\d\d/\d{4}: .+",
                        vi_by_type["DeadlineExtended"])
    assert vi_by_type["ReportReturned"].startswith("Trả lại báo cáo để làm lại: ")
    assert vi_by_type["RoleGranted"] == "Cấp vai trò Giám sát: Chuyển công tác"
    assert vi_by_type["PasswordChanged"] == "Đổi mật khẩu"
    by_type = {r["type"]: r["summary"] for r in en}
    assert re.fullmatch(r"Assigned “.+” to \w+, due \d\d/\d\d/\d{4}", by_type["TaskAssigned"])
    assert re.fullmatch(r"Extended the deadline from \d\d/\d\d/\d{4} to "
                        r"\d\d/\d\d/\d{4}: .+", by_type["DeadlineExtended"])
    assert by_type["RoleGranted"] == "Granted the role auditor: Chuyển công tác"
    assert by_type["PasswordChanged"] == "Changed the password"
