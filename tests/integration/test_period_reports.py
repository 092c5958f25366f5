"""Period reports issued, pinned and read again, on SQLite and PostgreSQL.

A quarter of a commune's work is played through commands under a clock that moves
forward. At each cut-off the test takes what the live queries show then (the clock
standing at the cut-off, nothing recorded after it); the report issued later for that
cut-off must have exactly those figures, keep them (byte for byte, digest and all)
however much is recorded afterwards, and list as "changed since issued" exactly the
later events about its period, which the test writes down as it runs the commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from events.processes import reporting
from events.queries import as_of
from events.queries import reports as report_queries
from events.queries import seal as seal_queries
from events.queries.report_content import canonical, digest_of, report_content
from events.system import System
from tests.commune import PASSWORD
from tests.readmodels import assign, commune
from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError
from workflow.periods import PeriodError, default_cutoff, parse_period

Q2 = parse_period("2025-Q2")
WINDOW = parse_period("2025-04-15..2025-06-14")  # a data window of NĐ 09/2019


def vn(*parts: int) -> datetime:
    """A moment given in Vietnam's time, as aware UTC."""
    return datetime(*parts, tzinfo=LOCAL_TZ).astimezone(UTC)


def live_at(store: System, instant: datetime) -> as_of.Past:
    """The live store read as the queries read a past: what the pages showed at
    ``instant`` while the clock stood there."""
    return as_of.Past(store, instant, as_of.position_at(store, instant), store.engine)


@dataclass
class Quarter:
    store: System
    tasks: dict[str, str]
    snapshots: dict[str, dict[str, Any]]
    # (task, event type) recorded after each cut-off, in order, as the commands ran.
    later: list[tuple[str, str]]


def _play(store: System, clock: Any) -> Quarter:
    def at(moment: datetime) -> None:
        clock.moment = moment

    service = store.service
    commune(store)
    service.add_user("giam.sat", "auditor", PASSWORD, display_name="Trần Thị Giám Sát")
    tasks = {
        "a": assign(store, "Tập huấn kỹ năng số", deadline=date(2025, 4, 30)),
        "b": assign(store, "Số hoá hồ sơ y tế", unit="YT", target="CT02",
                    deadline=date(2025, 5, 15)),
        "c": assign(store, "Cập nhật cổng thông tin", target=None, deadline=date(2025, 6, 20)),
        "d": assign(store, "Thanh toán không tiền mặt", target="CT03",
                    deadline=date(2025, 9, 30)),
        "e": assign(store, "Khảo sát điện thoại thông minh", unit="YT", target=None,
                    deadline=date(2025, 6, 10)),
        "f": assign(store, "Đào tạo cán bộ đợt 1", deadline=date(2025, 3, 20)),
    }
    a, b, c, d, e, f = (tasks[k] for k in "abcdef")
    at(vn(2025, 3, 10, 9))
    service.start_task("head_vp", f)
    service.submit_report("head_vp", f, "Đã đào tạo", value="100")
    at(vn(2025, 3, 15, 9))
    service.verify_task("lead", f)
    at(vn(2025, 4, 10, 9))
    service.start_task("head_yt", b)
    at(vn(2025, 4, 20, 9))
    service.start_task("head_vp", a)
    service.submit_report("head_vp", a, "Đã tập huấn 62 %", value="62")
    at(vn(2025, 4, 25, 9))
    service.verify_task("lead2", a)
    at(vn(2025, 5, 1, 9))
    service.cancel_task("lead", e, "Gộp vào nhiệm vụ khác")
    at(vn(2025, 6, 1, 9))
    service.start_task("head_vp", c)
    snapshots = {}
    at(default_cutoff(WINDOW))
    snapshots[WINDOW.code] = report_content(live_at(store, clock.moment), WINDOW)
    at(vn(2025, 6, 25, 9))
    service.submit_report("head_vp", c, "Đã cập nhật")  # late: overdue by 5 days
    at(default_cutoff(Q2))
    snapshots[Q2.code] = report_content(live_at(store, clock.moment), Q2)
    later = []
    at(vn(2025, 7, 1, 10))
    service.submit_report("head_yt", b, "Đã số hoá", value="65")  # a late report
    later.append((b, "ReportSubmitted"))
    return Quarter(store, tasks, snapshots, later)


def _after_issuing(quarter: Quarter, clock: Any) -> None:
    """More work recorded after the reports were issued: some of it about them."""
    service, tasks = quarter.store.service, quarter.tasks
    clock.moment = vn(2025, 7, 3, 9)
    service.verify_task("lead", tasks["c"])
    quarter.later.append((tasks["c"], "ReportVerified"))
    service.return_task("lead", tasks["b"], "Thiếu số liệu thôn 3")
    quarter.later.append((tasks["b"], "ReportReturned"))
    service.note_progress("head_yt", tasks["b"], "Đang bổ sung", 80)  # changes no figure
    service.extend_deadline("lead", tasks["b"], date(2025, 7, 31), "Bổ sung số liệu")
    quarter.later.append((tasks["b"], "DeadlineExtended"))
    # About a task whose deadline is after the quarter, and one made after it.
    service.extend_deadline("lead", tasks["d"], date(2025, 10, 31), "Chờ ngân hàng")
    g = assign(quarter.store, "Nhiệm vụ mới", deadline=date(2025, 7, 15))
    service.reassign_task("lead", g, "YT", "Đúng chức năng")
    service.cancel_task("lead", g, "Giao nhầm")


@pytest.fixture
def quarter(store, clock) -> Quarter:
    return _play(store, clock)


def _issue(quarter: Quarter, clock: Any) -> dict[str, str]:
    clock.moment = vn(2025, 7, 2, 8)
    return {Q2.code: str(reporting.issue(quarter.store, "lead", "2025-Q2", number="15/BC-UBND")),
            WINDOW.code: str(reporting.issue(quarter.store, "giam.sat", WINDOW.code))}


def test_an_issued_report_has_the_figures_the_live_views_showed_at_its_cut_off(quarter, clock):
    ids = _issue(quarter, clock)
    for code, report_id in ids.items():
        issued = report_queries.issued_report(quarter.store, report_id)
        assert issued["content"] == quarter.snapshots[code]
        assert issued["digest_matches"] and issued["digest"] == digest_of(issued["content"])
    t = quarter.tasks
    q2 = quarter.snapshots[Q2.code]
    assert q2["totals"] == {"done_on_time": 2, "done_late": 0, "open_on_time": 1,
                            "open_overdue": 2, "cancelled": 1, "total": 6}
    assert [(u["unit"], u["total"], u["open_overdue"]) for u in q2["units"]] == [
        ("VP", 4, 1), ("YT", 2, 1)]
    assert [c["task"] for c in q2["completed"]] == [t["a"]]  # f was verified in March
    assert q2["completed"][0] | {"task": None} == {
        "task": None, "title": "Tập huấn kỹ năng số", "unit": "VP",
        "unit_name": "Văn phòng UBND xã", "deadline": "2025-04-30", "reported_on": "2025-04-20",
        "verified_on": "2025-04-25", "grade": "done_on_time", "value": "62"}
    assert [(o["task"], o["state"], o["days_overdue"]) for o in q2["overdue"]] == [
        (t["b"], "in_progress", 46), (t["c"], "reported", 5)]
    ct01 = next(target for target in q2["targets"] if target["code"] == "CT01")
    assert (ct01["value"], ct01["band"], ct01["value_at"]) == (
        "62", "below", vn(2025, 4, 25, 9).isoformat())
    window = quarter.snapshots[WINDOW.code]
    assert (window["cutoff"], window["today"]) == ("2025-06-14T16:59:59+00:00", "2025-06-14")
    assert [(o["task"], o["days_overdue"]) for o in window["overdue"]] == [(t["b"], 30)]


def test_an_issued_report_renders_identically_after_more_events_and_lists_what_changed_since(
        quarter, clock):
    ids = _issue(quarter, clock)
    first = {code: report_queries.issued_report(quarter.store, i) for code, i in ids.items()}
    _after_issuing(quarter, clock)
    for code, report_id in ids.items():
        again = report_queries.issued_report(quarter.store, report_id)
        assert canonical(again["content"]) == canonical(first[code]["content"])
        assert again["digest_matches"]
    q2 = report_queries.issued_report(quarter.store, ids[Q2.code])
    assert [(e["task_id"], e["type"]) for e in q2["changed_since"]] == quarter.later
    # The window's cut-off is 14/06: c's deadline (20/06) is after its last day.
    window = report_queries.issued_report(quarter.store, ids[WINDOW.code])
    assert [(e["task_id"], e["type"]) for e in window["changed_since"]] == [
        entry for entry in quarter.later if entry[0] == quarter.tasks["b"]]
    positions = [e["position"] for e in q2["changed_since"]]
    assert positions == sorted(positions) and positions[0] > q2["content"]["position"]
    assert q2["changed_since"][0]["at"] == vn(2025, 7, 1, 10)
    assert q2["changed_since"][0]["actor"] == "head_yt"
    assert q2["changed_since"][0]["summary"]


def test_issuing_records_the_event_and_a_report_checkpoint_it_names(quarter, clock):
    ids = _issue(quarter, clock)
    issued = report_queries.issued_report(quarter.store, ids[Q2.code])
    [event] = quarter.store.service.history(ids[Q2.code])
    assert (event.actor, event.period, event.position, event.digest, event.number) == (
        "lead", "2025-Q2", issued["content"]["position"], issued["digest"], "15/BC-UBND")
    assert event.cutoff == default_cutoff(Q2)
    recorded = {c.size: c for c in seal_queries.checkpoints(quarter.store)}
    checkpoint = recorded[issued["checkpoint"]["size"]]
    assert issued["checkpoint"] == checkpoint.as_json()
    assert "report" in {c.reason for c in recorded.values()}
    assert (issued["issued_by"], issued["issued_by_name"], issued["number"]) == (
        "lead", "Nguyễn Văn Lãnh", "15/BC-UBND")
    assert issued["issued_at"] == vn(2025, 7, 2, 8).isoformat()


def test_issued_reports_are_listed_newest_first(quarter, clock):
    ids = _issue(quarter, clock)
    listed = report_queries.issued_reports(quarter.store)
    assert [r["id"] for r in listed] == [ids[WINDOW.code], ids[Q2.code]]
    assert [r["issued_by_name"] for r in listed] == ["Trần Thị Giám Sát", "Nguyễn Văn Lãnh"]
    assert listed[1]["period"] == Q2.as_json()


def test_a_unit_head_is_refused_before_any_figure_is_computed(quarter, clock, monkeypatch):
    clock.moment = vn(2025, 7, 2, 8)
    head = quarter.store.projections.head()

    def never(*args: Any) -> None:
        raise AssertionError("the figures were computed for a refused actor")

    monkeypatch.setattr(reporting, "report_content", never)
    with pytest.raises(DomainError) as refused:
        reporting.issue(quarter.store, "head_vp", "2025-Q2")
    assert refused.value.code == "permission_denied"
    with pytest.raises(PeriodError):
        reporting.issue(quarter.store, "lead", "2025-Q4")  # not begun: nothing to report
    assert quarter.store.projections.head() == head


def test_a_report_issued_with_an_earlier_cut_off_stands_at_that_moment(quarter, clock):
    clock.moment = vn(2025, 7, 2, 8)
    cutoff = vn(2025, 6, 24, 12)
    report_id = reporting.issue(quarter.store, "lead", "2025-Q2", cutoff)
    content = report_queries.issued_report(quarter.store, report_id)["content"]
    # c was reported on 25/06: at noon on 24/06 it was in progress, 4 days overdue.
    assert [(o["task"], o["state"], o["days_overdue"]) for o in content["overdue"]] == [
        (quarter.tasks["b"], "in_progress", 40), (quarter.tasks["c"], "in_progress", 4)]
    assert content["cutoff"] == cutoff.isoformat()
    assert content["position"] == as_of.position_at(quarter.store, cutoff)
    assert content["position"] < as_of.position_at(quarter.store, cutoff + timedelta(days=2))


def test_a_running_period_without_a_cut_off_is_reported_as_of_now(store, clock):
    commune(store)
    assign(store)
    clock.advance(days=3)
    report_id = reporting.issue(store, "lead", f"{clock.moment.year}-Q1")
    issued = report_queries.issued_report(store, report_id)
    assert datetime.fromisoformat(issued["cutoff"]) == clock.moment
