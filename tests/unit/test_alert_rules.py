"""The alert rules on their own: which days a deadline is alerted, and who is told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workflow.alerts import (
    AlertPolicy,
    alert_id,
    due_thresholds,
    next_alert_on,
    recipients,
    retry_delay,
    thresholds,
)

DEADLINE = date(2025, 3, 20)
POLICY = AlertPolicy()


def test_a_deadline_is_alerted_7_3_1_days_before_on_the_day_and_after_it():
    found = thresholds(POLICY, DEADLINE, date(2025, 3, 1), date(2025, 3, 27))
    assert [(t.kind, t.days_left, t.on) for t in found] == [
        ("approaching", 7, date(2025, 3, 13)),
        ("approaching", 3, date(2025, 3, 17)),
        ("approaching", 1, date(2025, 3, 19)),
        ("due_today", 0, date(2025, 3, 20)),
        ("missed", -1, date(2025, 3, 21)),
        ("still_overdue", -4, date(2025, 3, 24)),
        ("still_overdue", -7, date(2025, 3, 27)),
    ]


def test_only_overdue_alerts_are_escalated():
    found = thresholds(POLICY, DEADLINE, date(2025, 3, 1), date(2025, 3, 24))
    assert [t.escalated for t in found] == [False, False, False, False, True, True]


def test_a_policy_without_repetition_says_missed_once():
    policy = AlertPolicy(approaching_days=(2,), due_day=False, overdue_every_days=0)
    found = thresholds(policy, DEADLINE, date(2025, 3, 1), date(2025, 5, 1))
    assert [(t.kind, t.on) for t in found] == [("approaching", date(2025, 3, 18)),
                                               ("missed", date(2025, 3, 21))]
    assert next_alert_on(policy, DEADLINE, date(2025, 3, 22)) is None


def test_the_next_alert_day_is_the_first_threshold_on_or_after_a_day():
    assert next_alert_on(POLICY, DEADLINE, date(2025, 3, 1)) == date(2025, 3, 13)
    assert next_alert_on(POLICY, DEADLINE, date(2025, 3, 13)) == date(2025, 3, 13)
    assert next_alert_on(POLICY, DEADLINE, date(2025, 3, 14)) == date(2025, 3, 17)
    assert next_alert_on(POLICY, DEADLINE, date(2025, 3, 22)) == date(2025, 3, 24)
    assert next_alert_on(POLICY, DEADLINE, date(2025, 5, 31)) == date(2025, 6, 1)


def test_a_late_sweep_catches_up_each_fixed_threshold_and_the_latest_reminder():
    due = due_thresholds(POLICY, DEADLINE, date(2025, 3, 16), date(2025, 3, 28))
    assert [(t.kind, t.days_left) for t in due] == [
        ("approaching", 3), ("approaching", 1), ("due_today", 0), ("missed", -1),
        ("still_overdue", -7)]


def test_a_task_armed_two_days_before_its_deadline_skips_the_earlier_thresholds():
    due = due_thresholds(POLICY, DEADLINE, date(2025, 3, 18), date(2025, 3, 20))
    assert [t.days_left for t in due] == [1, 0]


def test_the_unit_is_told_and_leadership_only_when_overdue():
    users = [
        {"username": "lanh.dao", "role": "leader", "unit": None, "active": True},
        {"username": "truong.vp", "role": "unit_head", "unit": "VP", "active": True},
        {"username": "canbo.vp", "role": "member", "unit": "VP", "active": True},
        {"username": "nghi.viec", "role": "member", "unit": "VP", "active": False},
        {"username": "canbo.cns", "role": "member", "unit": "CNS", "active": True},
        {"username": "giam.sat", "role": "auditor", "unit": None, "active": True},
    ]
    assert recipients(users, "VP", escalated=False) == ["canbo.vp", "truong.vp"]
    assert recipients(users, "VP", escalated=True) == ["canbo.vp", "lanh.dao", "truong.vp"]


def test_an_alert_identity_depends_on_task_threshold_and_deadline_only():
    task = "6c06c9b3-1c27-4c4e-af42-1ab7ef71a834"
    same = alert_id(task, "approaching", 3, DEADLINE)
    assert alert_id(task.replace("-", ""), "approaching", 3, DEADLINE) == same
    assert alert_id(task, "approaching", 1, DEADLINE) != same
    assert alert_id(task, "approaching", 3, DEADLINE + timedelta(days=1)) != same


def test_the_policy_is_read_from_the_environment():
    policy = AlertPolicy.from_env({"NHIEMVU_ALERT_APPROACHING_DAYS": "1, 14,3",
                                   "NHIEMVU_ALERT_DUE_DAY": "off",
                                   "NHIEMVU_ALERT_OVERDUE_EVERY_DAYS": "7"})
    assert policy == AlertPolicy((14, 3, 1), False, 7, 7)
    assert AlertPolicy.from_env({}) == AlertPolicy()


@pytest.mark.parametrize("env", [{"NHIEMVU_ALERT_APPROACHING_DAYS": "bảy"},
                                 {"NHIEMVU_ALERT_APPROACHING_DAYS": "0"},
                                 {"NHIEMVU_ALERT_OVERDUE_EVERY_DAYS": "-1"},
                                 {"NHIEMVU_ALERT_MAIL_FROM_HOUR": "25"}])
def test_a_bad_policy_setting_is_refused_naming_the_variable(env):
    with pytest.raises(ValueError, match="NHIEMVU_ALERT_"):
        AlertPolicy.from_env(env)


def test_failed_mail_is_retried_later_and_later_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(20) == timedelta(hours=6)
