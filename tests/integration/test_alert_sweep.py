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
from events.system import System
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


def recipients_of(store, task_id) -> list[list[str]]:
    return [a["data"]["recipients"] for a in alert_queries.task_alerts(store, task_id)]


def test_a_reported_task_reminds_its_verifiers_once_and_never_its_unit(commune_store):
    task = commune.task_in_state(commune_store.service, "reported")  # reported on 01/03
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 4, 10))  # past its deadline
    assert alerts_of(commune_store, task) == [("awaiting_verification", -3, date(2025, 3, 4))]
    told = recipients_of(commune_store, task)[0]
    assert LEADER in told and not {HEAD, MEMBER} & set(told)


def test_a_catch_up_says_how_long_the_report_has_waited(commune_store):
    task = commune.task_in_state(commune_store.service, "reported")
    sweep(commune_store, at=at(date(2025, 3, 9)))  # nothing ran for eight days
    assert alerts_of(commune_store, task) == [("awaiting_verification", -8, date(2025, 3, 9))]
    assert alert_queries.inbox(commune_store, LEADER, limit=5)[0]["summary"].startswith(
        "Chờ xác nhận 8 ngày")


def test_a_returned_task_is_the_units_again_and_its_next_report_waits_anew(
        commune_store, clock):
    svc = commune_store.service
    task = commune.task_in_state(svc, "reported")
    sweep_daily(commune_store, date(2025, 3, 1), date(2025, 3, 10))
    clock.advance(days=9)  # 10/03
    svc.return_task(LEADER, task, "Thiếu biên bản")
    sweep_daily(commune_store, date(2025, 3, 10), date(2025, 3, 24))
    clock.advance(days=15)  # 25/03
    svc.submit_report(HEAD, task, "Đã bổ sung biên bản")
    sweep_daily(commune_store, date(2025, 3, 25), date(2025, 4, 5))
    assert alerts_of(commune_store, task) == [
        ("awaiting_verification", -3, date(2025, 3, 4)),
        ("approaching", 7, date(2025, 3, 24)),
        ("awaiting_verification", -3, date(2025, 3, 28))]
    assert HEAD in recipients_of(commune_store, task)[1]


def test_an_extension_while_a_report_waits_keeps_the_unit_quiet(commune_store, clock):
    svc = commune_store.service
    task = assign(commune_store, date(2025, 3, 3))
    svc.start_task(HEAD, task)
    svc.submit_report(HEAD, task, "Đã hoàn thành")
    clock.advance(days=1)
    svc.extend_deadline(LEADER, task, date(2025, 3, 6), "Chờ họp xét duyệt")
    sweep_daily(commune_store, date(2025, 3, 2), date(2025, 3, 12))
    assert alerts_of(commune_store, task) == [("awaiting_verification", -3, date(2025, 3, 4))]


@pytest.mark.parametrize(("days", "expected"), [
    ("0", []), ("1", [("awaiting_verification", -1, date(2025, 3, 2))])])
def test_the_verification_reminder_follows_its_setting(
        database_url, clock, monkeypatch, days, expected):
    monkeypatch.setenv("NHIEMVU_ALERT_VERIFY_AFTER_DAYS", days)
    with System(database_url, clock=clock) as opened:
        commune.set_up(opened.service)
        task = commune.task_in_state(opened.service, "reported")
        sweep_daily(opened, date(2025, 3, 1), date(2025, 3, 10))
        assert alerts_of(opened, task) == expected


def test_a_sweep_after_two_days_of_downtime_raises_only_the_latest_threshold(commune_store):
    task = assign(commune_store, date(2025, 3, 12))
    sweep(commune_store, at=at(date(2025, 3, 8)))  # 4 days left: "7 days" caught up
    first = sweep(commune_store, at=at(date(2025, 3, 11), hour=8))  # nothing ran 9th, 10th
    again = sweep(commune_store, at=at(date(2025, 3, 11), hour=18))
    assert (first.raised, again.due, again.raised) == (1, 0, 0)
    assert alerts_of(commune_store, task) == [("approaching", 7, date(2025, 3, 8)),
                                              ("approaching", 1, date(2025, 3, 11))]
    assert len(alert_events(commune_store)) == 2


def test_a_sweep_long_after_the_deadline_says_missed_and_the_latest_reminder(commune_store):
    task = assign(commune_store, date(2025, 3, 12))
    sweep(commune_store, at=at(date(2025, 3, 20)))
    again = sweep(commune_store, at=at(date(2025, 3, 20), hour=18))
    assert alerts_of(commune_store, task) == [("missed", -1, date(2025, 3, 20)),
                                              ("still_overdue", -7, date(2025, 3, 20))]
    assert again.raised == 0


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
