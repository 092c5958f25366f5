"""The overview's queries on both stores: the trend by month, the units ranked, the
target figures with their source task and open linked tasks."""

from __future__ import annotations

from datetime import date

from events import queries
from events.queries.as_of import as_of
from tests.readmodels import assign, commune, report


def verify(store, task_id: str, unit: str = "VP", value: str | None = None) -> None:
    report(store, task_id, unit, value)
    store.service.verify_task("lead", task_id)


def by_month(trend):
    return {row["month"]: (row["due"], row["completed"]) for row in trend}


def test_the_trend_counts_due_by_deadline_month_and_completed_by_vietnam_month(
        store, clock):
    commune(store)
    march = assign(store, "Tháng ba", deadline=date(2025, 3, 31))
    assign(store, "Tháng ba, còn mở", deadline=date(2025, 3, 10))
    cancelled = assign(store, "Đã hủy", deadline=date(2025, 3, 12))
    store.service.cancel_task("lead", cancelled, "Không cần nữa")
    assign(store, "Năm sau", deadline=date(2026, 3, 1))
    assign(store, "Không gắn kế hoạch", deadline=date(2025, 3, 1), target=None)
    clock.advance(days=30, hours=16, minutes=30)  # 31/03 18:30 UTC = 01/04 01:30 in Vietnam
    verify(store, march)
    trend = queries.monthly_trend(store, year=2025)
    assert len(trend) == 12 and {row["year"] for row in trend} == {2025}
    months = by_month(trend)
    assert months[3] == (2, 0)  # the cancelled task, the other year, no plan: not counted
    assert months[4] == (0, 1)  # verified on 01/04 in Vietnam, 31/03 in UTC
    assert sum(due for due, _ in months.values()) == 2


def test_the_trend_is_the_plans_year_by_default_and_empty_without_tasks(store):
    commune(store)
    assert queries.plan_year(store) == 2025
    assert by_month(queries.monthly_trend(store)) == {m: (0, 0) for m in range(1, 13)}


def test_units_are_ranked_by_overdue_then_on_time_rate_units_without_tasks_included(
        store, clock):
    commune(store)
    store.service.add_unit("CNS", "Tổ công nghệ số cộng đồng thôn 1", "team")
    assign(store, "Quá hạn", unit="YT", deadline=date(2025, 3, 2))
    verify(store, assign(store, "Đúng hạn", deadline=date(2025, 3, 2)))
    clock.advance(days=5)
    ranking = queries.unit_ranking(store)
    assert [r["unit"] for r in ranking] == ["YT", "VP", "CNS"]
    assert (ranking[0]["overdue"], ranking[0]["on_time_rate"]) == (1, None)
    assert (ranking[1]["finished"], ranking[1]["on_time_rate"]) == (1, 100)
    assert (ranking[2]["total"], ranking[2]["on_time_rate"]) == (0, None)


def test_a_target_figure_names_its_source_task_and_the_linked_tasks_still_open(
        store, clock):
    commune(store)
    main = assign(store, "Nhiệm vụ chính", target="CT04")
    clock.advance(hours=1)
    small = assign(store, "Nhiệm vụ nhỏ", target="CT04")
    verify(store, small, value="100")
    ct04 = next(t for t in queries.target_progress(store) if t["code"] == "CT04")
    assert (ct04["measured"], ct04["measured_verified"], ct04["measured_band"]) == \
        (100, True, "within")
    assert (ct04["source_task"], ct04["source_title"]) == (small, "Nhiệm vụ nhỏ")
    assert ct04["measured_at"] == clock()
    assert ct04["open_tasks"] == 1
    report(store, main, value="40")
    ct04 = next(t for t in queries.target_progress(store) if t["code"] == "CT04")
    assert ct04["source_task"] == small  # a verified value outranks a newer report
    assert ct04["open_tasks"] == 1  # reported, not yet verified: still open


def test_the_overview_queries_read_the_past_as_it_was(store, clock):
    commune(store)
    task = assign(store, "Tháng ba", deadline=date(2025, 3, 20))
    clock.advance(days=1)
    before = clock()
    clock.advance(days=1)
    verify(store, task)
    with as_of(store, before) as past:
        assert by_month(queries.monthly_trend(past, year=2025))[3] == (1, 0)
        assert queries.target_progress(past)[0]["measured"] is None
        assert [r["finished"] for r in queries.unit_ranking(past)] == [0, 0]
    assert by_month(queries.monthly_trend(store, year=2025))[3] == (1, 1)
