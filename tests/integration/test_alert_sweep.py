"""The deadline sweep on a real store (SQLite and PostgreSQL), with the clock injected.

State is set up through the service's commands; the assertions read the recorded
alert events through the alerts' read models.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from events.processes.sweep import sweep
from events.queries import alerts as alert_queries
from events.readmodels import alert_tables
from tests import commune
from tests.commune import HEAD, LEADER, MEMBER, OTHER_MEMBER
from workflow.alerts import AlertInbox
from workflow.clock import LOCAL_TZ


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ)


def sweep_daily(store, first: date, last: date) -> None:
    day = first
    while day <= last:
        sweep(store, at=at(day))
        day += timedelta(days=1)


def alerts_of(store, task_id) -> list[tuple[str, int, date]]:
    """(kind, days left, day raised in Vietnam) of each alert of the task, in order."""
    return [(a["data"]["kind"], a["data"]["days_left"], a["at"].astimezone(LOCAL_TZ).date())
            for a in alert_queries.task_alerts(store, task_id)]


def alert_events(store) -> list[str]:
    recorder = store.service.recorder
    return [n.originator_id for n in recorder.select_notifications(start=1, limit=100_000)
            if n.topic == "nhiemvu.alerts.DeadlineAlertRaised"]


@pytest.fixture
def commune_store(store):
    commune.set_up(store.service)
    return store


def assign(store, deadline: date, unit: str = "VP", title: str = "Tập huấn kỹ năng số"):
    return store.service.assign_task(LEADER, unit=unit, deadline=deadline, title=title)


def test_an_open_task_is_alerted_at_each_threshold_on_its_day_and_when_missed(commune_store):
    task = assign(commune_store, date(2025, 3, 20))
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 3, 22))
    assert alerts_of(commune_store, task) == [
        ("approaching", 7, date(2025, 3, 13)),
        ("approaching", 3, date(2025, 3, 17)),
        ("approaching", 1, date(2025, 3, 19)),
        ("due_today", 0, date(2025, 3, 20)),
        ("missed", -1, date(2025, 3, 21)),
    ]


def test_an_overdue_task_is_reminded_every_three_days_and_leadership_is_told(commune_store):
    task = assign(commune_store, date(2025, 3, 2))
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 3, 12))
    found = alert_queries.task_alerts(commune_store, task)
    assert [(a["data"]["kind"], a["data"]["days_left"]) for a in found] == [
        ("approaching", 1), ("due_today", 0), ("missed", -1), ("still_overdue", -4),
        ("still_overdue", -7), ("still_overdue", -10)]
    told = {a["data"]["kind"]: a["data"]["recipients"] for a in found}
    assert told["approaching"] == sorted([HEAD, MEMBER])
    assert told["missed"] == told["still_overdue"] == sorted([HEAD, LEADER, MEMBER])
    assert [a["summary"] for a in found][:3] == [
        "Sắp đến hạn, còn 1 ngày (hạn 02/03/2025)", "Đến hạn hôm nay (02/03/2025)",
        "Đã quá hạn (hạn 02/03/2025)"]


def test_a_task_assigned_two_days_before_its_deadline_gets_no_seven_or_three_days(
        commune_store):
    task = assign(commune_store, date(2025, 3, 3))
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 3, 3))
    assert alerts_of(commune_store, task) == [("approaching", 1, date(2025, 3, 2)),
                                              ("due_today", 0, date(2025, 3, 3))]


def test_extending_the_deadline_re_arms_the_alerts_for_the_new_date(commune_store, clock):
    task = assign(commune_store, date(2025, 3, 4))
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 3, 6))
    clock.advance(days=6)  # 07/03: the leader extends the overdue task
    commune_store.service.extend_deadline(LEADER, task, date(2025, 3, 16), "Chờ thiết bị")
    sweep_daily(commune_store, date(2025, 3, 7), date(2025, 3, 16))
    assert alerts_of(commune_store, task) == [
        ("approaching", 3, date(2025, 3, 1)),
        ("approaching", 1, date(2025, 3, 3)),
        ("due_today", 0, date(2025, 3, 4)),
        ("missed", -1, date(2025, 3, 5)),
        # the old deadline's "still overdue" (08/03) is gone; the new one counts down
        ("approaching", 7, date(2025, 3, 9)),
        ("approaching", 3, date(2025, 3, 13)),
        ("approaching", 1, date(2025, 3, 15)),
        ("due_today", 0, date(2025, 3, 16)),
    ]


@pytest.mark.parametrize("state", ["verified", "cancelled"])
def test_a_verified_or_cancelled_task_is_never_alerted(commune_store, state):
    task = commune.task_in_state(commune_store.service, state)
    for day in (date(2025, 3, 24), date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 30)):
        result = sweep(commune_store, at=at(day))
        assert (result.due, result.raised) == (0, 0)
    assert alert_queries.task_alerts(commune_store, task) == []


def test_a_reported_task_is_still_open_and_alerted(commune_store):
    task = commune.task_in_state(commune_store.service, "reported")
    sweep(commune_store, at=at(commune.DEADLINE))
    assert [a["data"]["kind"] for a in alert_queries.task_alerts(commune_store, task)] == [
        "approaching", "approaching", "approaching", "due_today"]


def test_a_sweep_after_two_days_of_downtime_alerts_each_missed_threshold_once(commune_store):
    task = assign(commune_store, date(2025, 3, 12))
    sweep(commune_store, at=at(date(2025, 3, 8)))  # 4 days left: "7 days" caught up
    first = sweep(commune_store, at=at(date(2025, 3, 11), hour=8))  # nothing ran 9th, 10th
    again = sweep(commune_store, at=at(date(2025, 3, 11), hour=18))
    assert (first.raised, again.due, again.raised) == (2, 0, 0)
    assert alerts_of(commune_store, task) == [("approaching", 7, date(2025, 3, 8)),
                                              ("approaching", 3, date(2025, 3, 11)),
                                              ("approaching", 1, date(2025, 3, 11))]
    assert len(alert_events(commune_store)) == 3


def test_reassigning_a_task_alerts_its_new_unit(commune_store, clock):
    task = assign(commune_store, date(2025, 3, 10))
    commune_store.service.reassign_task(LEADER, task, "CNS", "Đúng chuyên môn")
    sweep(commune_store, at=at(date(2025, 3, 3)))
    (alert,) = alert_queries.task_alerts(commune_store, task)
    assert alert["data"]["unit"] == "CNS"
    assert alert["data"]["recipients"] == sorted([commune.OTHER_HEAD, OTHER_MEMBER])


def test_the_feed_lists_a_persons_alerts_newest_first_with_the_unread_count(commune_store):
    first = assign(commune_store, date(2025, 3, 8), title="Số hóa hồ sơ")
    second = assign(commune_store, date(2025, 3, 4), title="Mở tài khoản ngân hàng")
    sweep(commune_store, at=at(date(2025, 3, 1)))
    feed = alert_queries.inbox(commune_store, MEMBER)
    assert [(r["title"], r["summary"]) for r in feed] == [
        ("Mở tài khoản ngân hàng", "Sắp đến hạn, còn 3 ngày (hạn 04/03/2025)"),
        ("Số hóa hồ sơ", "Sắp đến hạn, còn 7 ngày (hạn 08/03/2025)")]
    assert {r["task_id"] for r in feed} == {first.hex, second.hex}
    assert all(r["unread"] for r in feed)
    assert alert_queries.unread_count(commune_store, MEMBER) == 2
    assert alert_queries.unread_count(commune_store, OTHER_MEMBER) == 0
    assert alert_queries.inbox(commune_store, MEMBER, before=feed[0]["position"]) == feed[1:]


def test_marking_alerts_as_read_is_recorded_and_clears_the_count(commune_store):
    assign(commune_store, date(2025, 3, 8))
    sweep(commune_store, at=at(date(2025, 3, 1)))
    newest = alert_queries.inbox(commune_store, HEAD)[0]["position"]
    assert commune_store.service.mark_alerts_read(HEAD, newest) is True
    assert commune_store.service.mark_alerts_read(HEAD, newest) is False
    assert alert_queries.unread_count(commune_store, HEAD) == 0
    assert alert_queries.unread_count(commune_store, MEMBER) == 1
    assert not alert_queries.inbox(commune_store, HEAD)[0]["unread"]
    history = commune_store.service.history(AlertInbox.create_id(HEAD))
    assert [(type(e).__name__, getattr(e, "up_to", None)) for e in history] == [
        ("AlertInboxOpened", None), ("AlertsRead", newest)]
    sweep(commune_store, at=at(date(2025, 3, 5)))  # "3 days left" arrives later
    assert alert_queries.unread_count(commune_store, HEAD) == 1
    assert commune_store.service.mark_alerts_read(HEAD) is True  # everything until now
    assert alert_queries.unread_count(commune_store, HEAD) == 0


def test_rebuilding_the_alert_read_models_gives_the_same_rows(commune_store, clock):
    task = assign(commune_store, date(2025, 3, 5))
    assign(commune_store, date(2025, 3, 9), unit="CNS")
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 3, 4))
    commune_store.service.extend_deadline(LEADER, task, date(2025, 3, 20), "Thêm thời gian")
    commune_store.service.mark_alerts_read(HEAD, 5)
    sweep_daily(commune_store, date(2025, 3, 5), date(2025, 3, 14))

    def rows() -> dict[str, list[tuple]]:
        with commune_store.engine.connect() as conn:
            return {t.name: sorted(tuple(r) for r in conn.execute(select(t)))
                    for t in (alert_tables.schedule, alert_tables.alerts, alert_tables.inbox,
                              alert_tables.reads)}

    built = rows()
    assert built["rm_alert"] and built["rm_alert_schedule"]
    for name in ("alert_schedule", "alert_feed"):
        commune_store.projections.rebuild(name)
    assert rows() == built


def test_marking_as_read_beyond_the_end_of_the_log_still_leaves_later_alerts_unread(
        commune_store):
    assign(commune_store, date(2025, 3, 8))
    head = commune_store.service.recorder.max_notification_id()
    assert commune_store.service.mark_alerts_read(HEAD, head + 1_000_000) is True
    sweep(commune_store, at=at(date(2025, 3, 1)))  # "7 days left", raised afterwards
    assert alert_queries.unread_count(commune_store, HEAD) == 1
