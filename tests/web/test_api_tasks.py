"""The task endpoints of /api/v1 over a task's whole life, through the API only: assign,
start, progress, report, return, report again, verify; extend, reassign and cancel;
the list with each filter and its pages; a task as it was; its history in both
languages. Time moves with the app's clock (``clock``), never the wall's."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from tests.api import *  # noqa: F403
from tests.webapp import *  # noqa: F403
from workflow.clock import LOCAL_TZ

pytestmark = pytest.mark.both_stores

SHAPE = {"id", "title", "description", "state", "unit", "target", "deadline",
         "original_deadline", "grade", "returned", "version"}


def _local(clock) -> str:
    """The clock's instant as ``as_of`` takes it: Vietnam time, no offset."""
    return clock().astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _assign(api, clock, title: str, unit: str, deadline: str, target: str | None = None,
            description: str = "") -> dict:
    body = {"title": title, "unit": unit, "deadline": deadline, "description": description}
    if target:
        body["target"] = target
    clock.advance(minutes=1)
    return _ok(api.post("/tasks", "lanhdao", body), 201)


def _act(api, clock, task: dict, action: str, who: str, body: dict | None = None) -> dict:
    clock.advance(minutes=1)
    return _ok(api.post(f"/tasks/{task['id']}/{action}", who,
                        {**(body or {}), "expected_version": task["version"]}))


def test_a_task_lives_its_whole_life_through_the_api(api, clock):
    created = _assign(api, clock, "Số hóa hồ sơ một cửa", "VP", "2025-03-31", target="CT02",
                      description="Toàn bộ hồ sơ năm 2024")
    assert set(created) >= SHAPE
    expected = {"title": "Số hóa hồ sơ một cửa", "description": "Toàn bộ hồ sơ năm 2024",
                "state": "assigned", "unit": "VP", "target": "CT02", "pillar": "CQS",
                "deadline": "2025-03-31", "original_deadline": "2025-03-31",
                "grade": "open_on_time", "returned": False, "version": 1}
    assert {key: created[key] for key in expected} == expected
    assert created["id"] == str(UUID(created["id"]))
    assigned_at = _local(clock)

    started = _act(api, clock, created, "start", "truongvp")
    assert (started["state"], started["version"]) == ("in_progress", 2)
    started_at = _local(clock)

    noted = _act(api, clock, started, "progress", "canbovp",
                 {"note": "Đã số hóa 40 % hồ sơ", "percent": 40,
                  "links": ["https://drive.example.vn/hoso-2024"]})
    assert (noted["state"], noted["percent"], noted["version"]) == ("in_progress", 40, 3)

    reported = _act(api, clock, noted, "report", "truongvp",
                    {"summary": "Hoàn thành số hóa", "value": 55})
    assert (reported["state"], reported["reported_value"], reported["reported_by"]) == (
        "reported", 55.0, "truongvp")
    assert reported["returned"] is False

    returned = _act(api, clock, reported, "return", "lanhdao",
                    {"reason": "Thiếu biên bản nghiệm thu"})
    assert (returned["state"], returned["returned"], returned["returns"]) == (
        "in_progress", True, 1)

    again = _act(api, clock, returned, "report", "truongvp",
                 {"summary": "Đã bổ sung biên bản", "value": 60})
    assert again["state"] == "reported"

    verified = _act(api, clock, again, "verify", "lanhdao", {"note": "Đạt yêu cầu"})
    assert (verified["state"], verified["version"], verified["grade"]) == (
        "verified", 7, "done_on_time")
    assert verified["verified_by"] == "lanhdao"
    assert verified["actions"] == []
    assert _ok(api.get(f"/tasks/{created['id']}", "giamsat")) == verified | {"actions": []}

    # As it was: just after it started, and before it existed.
    then = _ok(api.get(f"/tasks/{created['id']}?as_of={started_at}"))
    assert (then["state"], then["version"], then["returned"]) == ("in_progress", 2, False)
    assert then["actions"] == []  # the past is never acted on
    first = _ok(api.get(f"/tasks/{created['id']}?as_of={assigned_at}"))
    assert (first["state"], first["version"]) == ("assigned", 1)
    before = (clock() - timedelta(minutes=30)).astimezone(LOCAL_TZ)
    gone = api.get(f"/tasks/{created['id']}?as_of={before:%Y-%m-%dT%H:%M}")
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "unknown_task"

    history = _ok(api.get(f"/tasks/{created['id']}/history", "canboyt"))
    events = history["events"]
    assert history["task"] == created["id"]
    assert [e["version"] for e in events] == list(range(1, 8))
    assert [e["type"] for e in events] == [
        "TaskAssigned", "WorkStarted", "ProgressNoted", "ReportSubmitted", "ReportReturned",
        "ReportSubmitted", "ReportVerified"]
    assert [e["actor"] for e in events] == [
        "lanhdao", "truongvp", "canbovp", "truongvp", "lanhdao", "truongvp", "lanhdao"]
    assert {e["via"] for e in events} == {"api"}
    ats = [e["at"] for e in events]
    assert ats == sorted(ats) and len(set(ats)) == 7
    assert events[4]["data"]["reason"] == "Thiếu biên bản nghiệm thu"
    assert events[2]["data"]["percent"] == 40
    sentences_vi = [e["sentence"] for e in events]
    assert "Số hóa hồ sơ một cửa" in sentences_vi[0]
    assert "Thiếu biên bản nghiệm thu" in sentences_vi[4]
    english = _ok(api.get(f"/tasks/{created['id']}/history", lang="en"))["events"]
    assert [e["version"] for e in english] == list(range(1, 8))
    assert english[0]["sentence"].startswith("Assigned")
    assert english[1]["sentence"] == "Started work"
    assert all(en["sentence"] != vi for en, vi in zip(english, sentences_vi, strict=True))


def test_extend_reassign_and_cancel_change_their_own_tasks(api, clock):
    extended = _assign(api, clock, "Mở rộng wifi công cộng", "VP", "2025-03-31")
    moved = _assign(api, clock, "Tập huấn chữ ký số", "VP", "2025-04-15")
    dropped = _assign(api, clock, "Khảo sát cũ", "YT", "2025-04-20")

    after = _act(api, clock, extended, "extend", "lanhdao",
                 {"deadline": "2025-04-30", "reason": "Chờ thiết bị"})
    assert (after["deadline"], after["original_deadline"], after["extensions"]) == (
        "2025-04-30", "2025-03-31", 1)
    assert (after["state"], after["version"]) == ("assigned", 2)

    after = _act(api, clock, moved, "reassign", "lanhdao",
                 {"unit": "yt", "reason": "Trạm y tế phụ trách"})
    assert (after["unit"], after["unit_name"], after["state"]) == ("YT", "Trạm y tế", "assigned")
    # The new unit may now act on it, the old one no longer.
    assert "start" in _ok(api.get(f"/tasks/{moved['id']}", "truongyt"))["actions"]
    assert _ok(api.get(f"/tasks/{moved['id']}", "truongvp"))["actions"] == []

    after = _act(api, clock, dropped, "cancel", "lanhdao", {"reason": "Không còn cần thiết"})
    assert (after["state"], after["grade"], after["actions"]) == ("cancelled", "cancelled", [])

    types = [e["type"] for e in _ok(api.get(f"/tasks/{dropped['id']}/history"))["events"]]
    assert types == ["TaskAssigned", "TaskCancelled"]


def _ids(api, query: str, who: str = "lanhdao") -> set[str]:
    page = _ok(api.get(f"/tasks?{query}", who))
    assert page["next_cursor"] is None  # every answer here fits on one page
    return {task["id"] for task in page["tasks"]}


def test_the_list_filters_by_each_parameter(api, clock):
    paper = _assign(api, clock, "Số hóa hồ sơ địa chính", "VP", "2025-03-10", target="CT02")
    skills = _assign(api, clock, "Tập huấn kỹ năng số", "YT", "2025-03-20", target="CT05")
    early = _local(clock)  # paper and skills exist, both assigned
    data = _assign(api, clock, "Cập nhật dữ liệu y tế", "YT", "2025-04-30",
                   description="Danh sách tiêm chủng")
    spare = _assign(api, clock, "Nhiệm vụ dự phòng", "VP", "2025-05-31")
    _act(api, clock, skills, "start", "truongyt")
    before_cancel = _local(clock)
    _act(api, clock, spare, "cancel", "lanhdao", {"reason": "Trùng lặp"})
    every = {t["id"] for t in (paper, skills, data, spare)}

    assert _ids(api, "") == every
    assert _ids(api, "state=in_progress") == {skills["id"]}
    assert _ids(api, "state=cancelled") == {spare["id"]}
    assert _ids(api, "state=assigned") == {paper["id"], data["id"]}
    assert _ids(api, "unit=YT") == {skills["id"], data["id"]}
    assert _ids(api, "unit=vp") == {paper["id"], spare["id"]}
    assert _ids(api, "pillar=CQS") == {paper["id"]}
    assert _ids(api, "pillar=KTS") == {skills["id"]}
    assert _ids(api, "grade=cancelled") == {spare["id"]}
    assert _ids(api, "grade=open_on_time") == {paper["id"], skills["id"], data["id"]}
    # Words of the title or the description, with or without their diacritics.
    assert _ids(api, "q=số hóa") == {paper["id"]}
    assert _ids(api, "q=so hoa") == {paper["id"]}
    assert _ids(api, "q=tiêm chủng") == {data["id"]}
    assert _ids(api, "q=TIEM CHUNG") == {data["id"]}
    assert _ids(api, "q=không có từ này") == set()
    # Deadlines strictly before the day given.
    assert _ids(api, "due_before=2025-03-20") == {paper["id"]}
    assert _ids(api, "due_before=2025-03-21") == {paper["id"], skills["id"]}
    assert _ids(api, "overdue=true") == set()

    # The clock moves past the first two deadlines: paper is overdue (skills, started,
    # too); the cancelled one never is.
    clock.moment = clock.moment + timedelta(days=20)  # 21/03/2025
    assert _ids(api, "overdue=true") == {paper["id"], skills["id"]}
    assert _ids(api, "grade=open_overdue") == {paper["id"], skills["id"]}
    assert _ids(api, "overdue=true&unit=VP") == {paper["id"]}
    assert _ids(api, "overdue=false") == every

    # As the list stood earlier: tasks not yet assigned are absent, states as they were.
    assert _ids(api, f"as_of={early}") == {paper["id"], skills["id"]}
    assert _ids(api, f"as_of={early}&state=in_progress") == set()
    assert _ids(api, f"as_of={before_cancel}&state=cancelled") == set()
    assert _ids(api, f"as_of={before_cancel}&state=assigned") == {
        paper["id"], data["id"], spare["id"]}
    past = _ok(api.get(f"/tasks?as_of={before_cancel}"))["tasks"]
    assert all(task["actions"] == [] for task in past)


def test_the_list_comes_a_page_at_a_time_and_every_task_once(api, clock):
    # Shared deadlines, so the pages must order by id within a day too.
    days = ["2025-04-01", "2025-04-01", "2025-04-01", "2025-03-15", "2025-05-01",
            "2025-04-01", "2025-03-15"]
    made = [_assign(api, clock, f"Nhiệm vụ {n}", "VP", day)["id"]
            for n, day in enumerate(days)]
    whole = _ok(api.get("/tasks?limit=200"))
    assert whole["total"] == len(made)
    assert [t["id"] for t in whole["tasks"]] == [
        t["id"] for t in sorted(whole["tasks"], key=lambda t: (t["deadline"], t["id"]))]

    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = _ok(api.get(f"/tasks?{query}", "giamsat"))
        assert len(page["tasks"]) <= 3
        seen += [task["id"] for task in page["tasks"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages < 10
    assert pages == 3
    assert seen == [t["id"] for t in whole["tasks"]]
    assert sorted(seen) == sorted(made)
