"""Reading through the command line: task list, task show, summary (from read models)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from events.system import System
from workflow import plan_file
from workflow.clock import local_today


@pytest.fixture
def tasks(database_url):
    return make_tasks(database_url)


@pytest.fixture
def lite_tasks(sqlite_url):
    return make_tasks(sqlite_url)


def make_tasks(url: str) -> dict[str, str]:
    """Three tasks: one started in VP due in 3 days, one in CNS1, one verified."""
    today = local_today()
    with System(url) as store:
        service = store.service
        service.import_plan(plan_file.load(plan_file.SEED_PLAN))
        service.add_unit("VP", "Văn phòng UBND xã")
        service.add_unit("CNS1", "Tổ công nghệ số cộng đồng xóm 1")
        service.add_user("lanhdao", "leader", "mat-khau-1")
        service.add_user("truong.vp", "unit_head", "mat-khau-1", unit="VP")
        soon = service.assign_task("lanhdao", unit="VP", title="Số hóa hồ sơ lưu trữ",
                                   deadline=today + timedelta(days=3), target="CT02",
                                   plan="KH-CDS-2025")
        service.start_task("truong.vp", soon)
        later = service.assign_task("lanhdao", unit="CNS1", title="Tuyên truyền chuyển đổi số",
                                    deadline=today + timedelta(days=40))
        done = service.assign_task("lanhdao", unit="VP", title="Tập huấn kỹ năng số",
                                   deadline=today + timedelta(days=20))
        service.start_task("truong.vp", done)
        service.submit_report("truong.vp", done, "Xong")
        service.verify_task("lanhdao", done)
    return {"soon": str(soon), "later": str(later), "done": str(done)}


def listed(nhiemvu, *args: str) -> dict:
    result = nhiemvu("task", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_task_list_json_has_the_promised_shape(nhiemvu, tasks):
    page = listed(nhiemvu)
    soon = next(t for t in page["tasks"] if t["id"] == tasks["soon"])
    assert page["next_cursor"] is None
    assert {"id", "title", "state", "unit", "deadline", "version"} <= set(soon)
    assert soon["state"] == "in_progress" and soon["unit"] == "VP"
    assert soon["version"] == 2 and soon["target"] == "CT02"
    assert date.fromisoformat(soon["deadline"]) == local_today() + timedelta(days=3)
    assert datetime.fromisoformat(soon["last_activity"]).utcoffset() is not None


@pytest.mark.parametrize("args, expected", [
    (("--state", "verified"), {"done"}),
    (("--unit", "cns1"), {"later"}),
    (("--grade", "done_on_time"), {"done"}),
    (("--pillar", "CQS"), {"soon"}),
    (("--q", "so hoa"), {"soon"}),
    (("--q", "CHUYỂN ĐỔI"), {"later"}),
    (("--due-before", (local_today() + timedelta(days=21)).isoformat()), {"soon", "done"}),
    (("--overdue",), set()),
])
def test_task_list_filters(nhiemvu, tasks, args, expected):
    found = {t["id"] for t in listed(nhiemvu, *args)["tasks"]}
    assert found == {tasks[name] for name in expected}


def test_task_list_pages_with_a_cursor(nhiemvu, tasks):
    first = listed(nhiemvu, "--limit", "2")
    second = listed(nhiemvu, "--limit", "2", "--after", first["next_cursor"])
    ids = [t["id"] for t in first["tasks"] + second["tasks"]]
    assert sorted(ids) == sorted(tasks.values())
    assert second["next_cursor"] is None


def test_task_list_table_shows_dates_day_first(lite, lite_tasks):
    result = lite("task", "list", "--state", "in_progress")
    assert result.exit_code == 0
    assert (local_today() + timedelta(days=3)).strftime("%d/%m/%Y") in result.output
    assert "Đang thực hiện" in result.output and lite_tasks["soon"][:8] in result.output


def test_task_list_with_an_unknown_state_is_a_usage_error(lite, lite_tasks):
    assert lite("task", "list", "--state", "done").exit_code == 2


def test_task_show_json_includes_the_history(nhiemvu, tasks):
    result = nhiemvu("task", "show", tasks["done"][:8], "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["id"], shown["state"], shown["version"]) == (tasks["done"], "verified", 4)
    assert [h["version"] for h in shown["history"]] == [1, 2, 3, 4]
    assert [h["actor"] for h in shown["history"]] == ["lanhdao", "truong.vp", "truong.vp",
                                                      "lanhdao"]
    assert all(datetime.fromisoformat(h["at"]).utcoffset() is not None
               for h in shown["history"])
    assert {h["type"] for h in shown["history"]} >= {"TaskAssigned", "ReportVerified"}


def test_task_show_prints_the_task_and_its_history(lite, lite_tasks):
    result = lite("task", "show", lite_tasks["soon"], "--history")
    assert result.exit_code == 0, result.output
    assert "Số hóa hồ sơ lưu trữ" in result.output and "CT02" in result.output
    assert "truong.vp" in result.output
    assert "Giao nhiệm vụ “Số hóa hồ sơ lưu trữ”" in result.output
    english = lite("--lang", "en", "task", "show", lite_tasks["soon"], "--history")
    assert "Assigned “Số hóa hồ sơ lưu trữ” to VP" in english.output
    assert "Giao nhiệm vụ" not in english.output


def test_task_show_of_a_too_short_prefix_is_refused(lite, lite_tasks):
    result = lite("task", "show", lite_tasks["soon"][:3])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Không tìm thấy nhiệm vụ")


def test_summary_counts_by_state_and_lists_what_is_due_soon(nhiemvu, tasks):
    table = nhiemvu("summary")
    counted = json.loads(nhiemvu("summary", "--json").output)
    assert table.exit_code == 0 and "Sắp đến hạn" in table.output
    assert counted["total"] == 3
    assert counted["by_state"]["verified"] == 1 and counted["by_state"]["assigned"] == 1
    assert counted["due_soon"] == 1 and counted["overdue"] == 0
    assert [t["id"] for t in counted["due_soon_tasks"]] == [tasks["soon"]]
