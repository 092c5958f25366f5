"""The read-model queries the CLI and the web use: board, counts, lookups."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from events import queries
from tests.readmodels import assign, commune, report
from workflow.errors import DomainError


def titles(page):
    return [r["title"] for r in page.rows]


def test_search_ignores_case_and_vietnamese_diacritics(store):
    commune(store)
    assign(store, "Triển khai Chuyển đổi số tại xã")
    assign(store, "Đào tạo kỹ năng số", description="chuyển đổi số cho cán bộ")
    assign(store, "Khám sức khỏe", unit="YT", target="CT10")
    found = [set(titles(queries.board(store, q=q)))
             for q in ("chuyen doi so", "Chuyển đổi số", "CHUYEN DOI SO")]
    assert found[0] == found[1] == found[2] == {"Triển khai Chuyển đổi số tại xã",
                                                "Đào tạo kỹ năng số"}
    assert titles(queries.board(store, q="dao tao")) == ["Đào tạo kỹ năng số"]
    assert titles(queries.board(store, q="100%")) == []


def test_the_board_filters_by_state_unit_pillar_target_and_deadline(store):
    commune(store)
    first = assign(store, "A", deadline=date(2025, 3, 5))
    assign(store, "B", unit="YT", target="CT10", deadline=date(2025, 3, 20))
    assign(store, "C", target=None, deadline=date(2025, 4, 1))
    store.service.start_task("head_vp", first)
    assert titles(queries.board(store, state="in_progress")) == ["A"]
    assert titles(queries.board(store, state=["assigned"])) == ["B", "C"]
    assert titles(queries.board(store, unit="YT")) == ["B"]
    assert titles(queries.board(store, pillar="XHS")) == ["B"]
    assert titles(queries.board(store, target="CT01")) == ["A"]
    assert titles(queries.board(store, deadline_from=date(2025, 3, 6),
                                deadline_to=date(2025, 4, 1))) == ["B", "C"]
    assert titles(queries.board(store, unit="VP", state="assigned")) == ["C"]


def test_the_board_rows_carry_what_the_lists_show(store):
    commune(store)
    task_id = assign(store, "A")
    row = queries.board(store).rows[0]
    assert row["id"] == task_id
    assert (row["unit"], row["unit_name"], row["pillar"], row["target"]) == (
        "VP", "Văn phòng UBND xã", "CQS", "CT01")
    assert row["last_activity"].utcoffset().total_seconds() == 0


def test_pages_follow_each_other_without_gaps_or_repeats(store):
    commune(store)
    made = [assign(store, f"T{n}", deadline=date(2025, 3, 10 + n % 3)) for n in range(7)]
    seen, after = [], None
    while True:
        page = queries.board(store, limit=3, after=after)
        seen += [r["id"] for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(made)
    assert len(seen) == 7
    deadlines = [queries.board(store, limit=50).rows[i]["deadline"] for i in range(7)]
    assert deadlines == sorted(deadlines)


def test_the_dashboard_counts_states_grades_due_soon_and_overdue(store):
    commune(store)
    assign(store, "soon", deadline=date(2025, 3, 7))
    assign(store, "later", deadline=date(2025, 3, 8), unit="YT", target="CT10")
    done = assign(store, "done", deadline=date(2025, 3, 2))
    report(store, done)
    store.service.verify_task("lead", done)
    counts = queries.counts(store, today=date(2025, 3, 1))
    assert counts["total"] == 3
    assert counts["by_state"]["assigned"] == 2
    assert counts["by_state"]["verified"] == 1
    assert counts["by_grade"]["done_on_time"] == 1
    assert counts["due_soon"] == 1
    assert counts["overdue"] == 0
    assert [(u["unit"], u["total"]) for u in counts["by_unit"]] == [("VP", 2), ("YT", 1)]
    later = queries.counts(store, today=date(2025, 3, 8))
    assert (later["overdue"], later["due_soon"]) == (1, 1)
    assert [r["title"] for r in queries.due_soon(store, today=date(2025, 3, 1))] == ["soon"]
    assert [r["title"] for r in queries.overdue(store, today=date(2025, 3, 9))] == [
        "soon", "later"]


def test_a_unit_whose_tasks_all_moved_away_is_listed_with_no_counts(store):
    """Its emptied running totals stay, at zero (events/readmodels/tally.py); no
    reader lists them."""
    commune(store)
    moved = assign(store, "moved", target="CT01")
    store.service.reassign_task("lead", moved, "YT", "Chuyển đơn vị")
    day = date(2025, 3, 1)
    assert [(u["unit"], u["total"]) for u in queries.counts(store, today=day)["by_unit"]] \
        == [("YT", 1)]
    assert [(u["unit"], u["total"]) for u in queries.unit_progress(store, today=day)] \
        == [("YT", 1)]


def test_a_task_is_found_by_its_full_id_or_a_short_prefix(store):
    commune(store)
    task_id = assign(store)
    assert queries.resolve_task_id(store, task_id) == UUID(task_id)
    assert queries.resolve_task_id(store, task_id[:8].upper()) == UUID(task_id)
    assert queries.resolve_task_id(store, task_id[:13]) == UUID(task_id)  # with a dash


@pytest.mark.parametrize("text", ["abc", "zzzzzzzz", "", "00000000-0000"])
def test_an_unknown_or_too_short_task_id_is_refused(store, text):
    commune(store)
    assign(store)
    with pytest.raises(DomainError) as refused:
        queries.resolve_task_id(store, text)
    assert refused.value.code == "unknown_task"


def test_plans_units_and_users_are_listed(store):
    commune(store)
    assert queries.default_plan_code(store) == "KH-CDS-2025"
    assert queries.plans(store)[0]["adopted_on"] == date(2025, 2, 13)
    store.service.deactivate_unit("YT", "Sáp nhập")
    assert [(u["code"], u["active"]) for u in queries.units(store)] == [
        ("VP", True), ("YT", False)]
    lead = [u for u in queries.users(store) if u["username"] == "lead"][0]
    assert (lead["display_name"], lead["role"], lead["unit"], lead["active"]) == (
        "Nguyễn Văn Lãnh", "leader", None, True)


def test_an_empty_store_has_no_default_plan(store):
    assert queries.default_plan_code(store) is None
    assert queries.target_progress(store) == []


def test_a_task_history_lists_its_events_in_order_with_summaries(store, clock):
    commune(store)
    task_id = assign(store, "Số hóa dữ liệu")
    clock.advance(days=1)
    store.service.note_progress("member_vp", task_id, "Đã nhập 40 hộ", percent=40)
    history = queries.task_history(store, task_id)
    assert [(h["version"], h["type"], h["actor"]) for h in history] == [
        (1, "TaskAssigned", "lead"), (2, "ProgressNoted", "member_vp")]
    assert history[0]["summary"].startswith("Giao nhiệm vụ “Số hóa dữ liệu”")
    assert history[1]["data"]["percent"] == 40
    assert history[1]["at"] > history[0]["at"]


def test_target_progress_shows_the_latest_values_and_their_band(store, clock):
    commune(store)
    first = assign(store, "Đợt 1")
    report(store, first, value="60")
    store.service.verify_task("lead", first)
    clock.advance(days=1)
    second = assign(store, "Đợt 2")
    report(store, second, value="100")
    ct01 = queries.target_progress(store)[0]
    assert ct01["code"] == "CT01"
    assert (ct01["latest_verified_value"], ct01["band"]) == (60, "below")
    assert ct01["latest_reported_value"] == 100
    assert ct01["by_state"]["verified"] == 1
    assert ct01["by_grade"]["done_on_time"] == 1
    pillars = queries.pillar_progress(store)
    assert [p["code"] for p in pillars] == ["CQS", "KTS", "XHS"]
    assert pillars[0]["total"] == 2
    assert pillars[0]["bands"]["below"] == 1
    assert queries.unit_progress(store)[0]["total"] == 2
