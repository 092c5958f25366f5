"""The audit log's time filters on a log whose times do not rise with its positions
(events recorded under a clock set back, as an import or a backdated batch would):
the same entries as filtering every event by its time, page after page, on SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from events import queries
from events.queries import audit
from events.queries.audit import audit_rows
from events.queries.reading import end_of, start_of
from tests.readmodels import assign, commune, statements_sent

# Days the clock is set to, in this order: back and forth across two months.
DAYS = [date(2025, 3, 1), date(2025, 1, 10), date(2025, 3, 5), date(2025, 2, 1),
        date(2025, 1, 10), date(2025, 3, 20), date(2025, 2, 14)]


def _jumping_log(store, clock) -> None:
    commune(store)
    tasks = [assign(store, f"Việc {n}") for n in range(2)]
    for n, day in enumerate(DAYS):
        clock.moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=3)
        for task in tasks:
            store.service.note_progress("head_vp", task, f"Ghi chú {n}", percent=n * 10)


def _expected(store, since=None, until=None, **filters):
    every = queries.audit_log(store, limit=1000, **filters).rows
    return [e["position"] for e in every
            if (since is None or e["at"] >= start_of(since))
            and (until is None or e["at"] < end_of(until))]


WINDOWS = [
    {"since": date(2025, 2, 1)}, {"until": date(2025, 2, 1)},
    {"since": date(2025, 1, 10), "until": date(2025, 1, 10)},
    {"since": date(2025, 2, 2), "until": date(2025, 3, 4)},
    {"since": date(2025, 4, 1)}, {"until": date(2024, 12, 31)},
]


@pytest.fixture(params=["merged", "apart"])
def gap(request, monkeypatch):
    """Day ranges read as one (as on a real log), or each apart, newest first."""
    if request.param == "apart":
        monkeypatch.setattr(audit, "_GAP", 0)


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: "-".join(map(str, w.values())))
def test_a_time_filter_finds_exactly_the_events_recorded_then(store, clock, gap, window):
    _jumping_log(store, clock)
    expected = _expected(store, **window)
    assert [e["position"] for e in queries.audit_log(store, limit=1000, **window).rows] \
        == expected
    assert [e["position"] for e in audit_rows(store, batch=3, **window)] == expected


def test_pages_of_a_time_filter_follow_each_other_without_a_gap_or_a_repeat(store, clock,
                                                                           gap):
    _jumping_log(store, clock)
    window = {"since": date(2025, 1, 10), "until": date(2025, 3, 5), "actor": "head_vp"}
    seen, cursor = [], None
    while True:
        page = queries.audit_log(store, limit=2, before=cursor, **window)
        seen.extend(e["position"] for e in page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == _expected(store, **window)


def test_a_time_filter_on_instants_keeps_its_inclusive_end(store, clock):
    _jumping_log(store, clock)
    moment = datetime(2025, 2, 1, 3, 0, tzinfo=UTC)
    rows = queries.audit_log(store, since=moment, until=moment).rows
    assert rows and {e["at"] for e in rows} == {moment}


def _day_writes(store, run) -> list[str]:
    return [sql for sql in statements_sent(store.engine, run)
            if re.search(r"(INSERT INTO|UPDATE) \"?rm_audit_day", sql)]


def test_a_command_on_the_log_s_newest_day_writes_no_day_range(store, clock):
    """The newest day's range is open at its end: its commands leave it alone, and the
    next day's first command closes it. The filters still find every event."""
    clock.moment = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    commune(store)
    task = assign(store)
    assert _day_writes(store, lambda: store.service.start_task("head_vp", task)) == []
    assert _day_writes(store, lambda: store.service.note_progress(
        "head_vp", task, "Một nửa", percent=50)) == []
    clock.moment += timedelta(days=1)
    # The new day's range, and the day before closed: on PostgreSQL parts of one statement.
    written = " ".join(_day_writes(store, lambda: store.service.note_progress(
        "head_vp", task, "Gần xong", percent=90)))
    assert "INSERT INTO rm_audit_day" in written and "UPDATE rm_audit_day" in written
    assert _day_writes(store, lambda: store.service.submit_report("head_vp", task, "Xong")) \
        == []
    for window in ({"until": date(2025, 3, 1)}, {"since": date(2025, 3, 2)},
                   {"since": date(2025, 3, 1), "until": date(2025, 3, 2)}):
        assert [e["position"] for e in queries.audit_log(store, limit=1000, **window).rows] \
            == _expected(store, **window)
    assert [e["type"] for e in queries.audit_log(store, since=date(2025, 3, 2)).rows] \
        == ["ReportSubmitted", "ProgressNoted"]
