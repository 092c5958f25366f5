"""The audit log: one row per event, filtered and paged without replaying the log."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from events import queries
from tests.test_projections_support import assign, commune, report


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
