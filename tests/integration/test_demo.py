"""``nhiemvu demo``: labelled sample data where every state, due-soon and overdue occur."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from events import queries
from events.demo.sample import demo_users
from events.system import System


def event_count(url: str) -> int:
    with System(url) as store:
        return store.service.recorder.max_notification_id() or 0


def test_demo_fills_an_empty_store_with_every_state_and_due_dates(nhiemvu, database_url):
    result = nhiemvu("demo", "--password", "demo-mat-khau")
    assert result.exit_code == 0, result.output
    with System(database_url) as store:
        counts = queries.counts(store)
        rows = queries.board(store, limit=200).rows
        assert {s for s, n in counts["by_state"].items() if n} == {
            "assigned", "in_progress", "reported", "verified", "cancelled"}
        assert counts["due_soon"] > 0 and counts["overdue"] > 0
        assert {r["target"] for r in rows} >= {f"CT{n:02}" for n in range(1, 12)}
        assert any(r["target"] is None for r in rows)
        assert all("(dữ liệu mẫu)" in r["title"] for r in rows)
        assert all("(mẫu)" in u["name"] for u in queries.units(store))
        assert store.service.authenticate("lanhdao", "demo-mat-khau").role == "leader"
        assert store.service.authenticate("canbo.cns1", "demo-mat-khau").unit == "CNS1"
    assert "demo-mat-khau" not in result.output


def test_demo_gives_one_user_per_role_and_a_head_and_member_per_unit(lite,
                                                                     sqlite_url):
    lite("demo", "--password", "mat-khau-mau")
    with System(sqlite_url) as store:
        users = queries.users(store)
        units = {u["code"] for u in queries.units(store)}
    roles = {u["role"] for u in users}
    assert roles == {"leader", "auditor", "admin", "unit_head", "member"}
    for unit in units:
        assert {u["role"] for u in users if u["unit"] == unit} == {"unit_head", "member"}


def test_demo_history_is_in_the_past_and_in_order(lite, sqlite_url):
    started = datetime.now(UTC)
    lite("demo", "--password", "mat-khau-mau")
    with System(sqlite_url) as store:
        rows = queries.board(store, limit=200).rows
        for row in rows:
            times = [h["at"] for h in queries.task_history(store, row["id"])]
            assert times == sorted(times)
            assert times[-1] < started
    summary = json.loads(lite("summary", "--json").output)
    assert summary["total"] == len(rows)


def test_demo_without_a_password_prints_each_generated_password_once(lite, sqlite_url):
    result = lite("demo")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    by_user = {parts[0]: parts[-1] for parts in lines if parts and "." in parts[0]}
    with System(sqlite_url) as store:
        assert store.service.authenticate("truong.vp", by_user["truong.vp"]) is not None
    assert len(set(by_user.values())) == len(by_user)


def test_demo_if_empty_fills_an_empty_store_then_leaves_it_alone(lite,
                                                                 sqlite_url):
    first = lite("demo", "--if-empty", "--password", "mat-khau-mau")
    before = event_count(sqlite_url)
    again = lite("demo", "--if-empty")
    assert first.exit_code == 0 and before > 0
    assert again.exit_code == 0
    assert again.output == "Kho dữ liệu đã có dữ liệu; không tạo dữ liệu mẫu.\n"
    assert event_count(sqlite_url) == before


def test_demo_refuses_a_store_that_has_data(nhiemvu, database_url):
    nhiemvu("unit", "add", "VP", "Văn phòng UBND xã")
    result = nhiemvu("demo")
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: kho dữ liệu đã có dữ liệu")
    assert event_count(database_url) == 1


def test_demo_with_an_empty_password_is_bad_input(lite, sqlite_url):
    result = lite("demo", "--password", " ")
    assert result.exit_code == 2
    assert event_count(sqlite_url) == 0


def test_demo_with_a_short_password_is_bad_input_and_writes_nothing(lite, sqlite_url):
    result = lite("demo", "--password", "ngan")
    assert result.exit_code == 2
    assert result.output == "Lỗi: Mật khẩu cần ít nhất 8 ký tự.\n"
    assert event_count(sqlite_url) == 0


def test_demo_usernames_are_ascii():
    assert all(user.username.isascii() for user in demo_users("x"))


def test_demo_with_a_chosen_password_leaves_the_account_list_to_user_list(lite):
    # `make run` lists the accounts with `nhiemvu user list`: the demo must not print
    # them a second time.
    filled = lite("demo", "--password", "mat-khau-mau")
    listed = lite("user", "list")
    assert filled.exit_code == 0 and "truong.vp" not in filled.output
    assert "truong.vp" in listed.output and "Trưởng đơn vị" in listed.output
    assert "unit_head" not in listed.output and "member" not in listed.output
