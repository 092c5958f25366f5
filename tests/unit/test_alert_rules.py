"""The alert rules on their own: which days a deadline is alerted, and who is told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workflow.alerts import (
    AWAITING_VERIFICATION,
    AlertPolicy,
    alert_id,
    awaiting_on,
    due_thresholds,
    next_alert_on,
    recipients,
    retry_delay,
    thresholds,
    verifiers,
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


def test_a_sweep_long_after_the_deadline_raises_only_missed_and_the_latest_reminder():
    # Issue 13: deadline 24/11, nothing swept until 02/12.
    due = due_thresholds(POLICY, date(2026, 11, 24), date(2026, 10, 1), date(2026, 12, 2))
    assert [(t.kind, t.days_left) for t in due] == [("missed", -1), ("still_overdue", -7)]


def test_a_catch_up_before_the_deadline_raises_only_the_latest_threshold_crossed():
    # Issue 13: the same task caught up on 22/11 is told "3 days left", not 7 as well.
    due = due_thresholds(POLICY, date(2026, 11, 24), date(2026, 10, 1), date(2026, 11, 22))
    assert [(t.kind, t.days_left) for t in due] == [("approaching", 3)]


def test_a_catch_up_on_the_deadline_says_due_today_only():
    due = due_thresholds(POLICY, DEADLINE, date(2025, 3, 16), DEADLINE)
    assert [(t.kind, t.days_left) for t in due] == [("due_today", 0)]


def test_a_catch_up_the_day_after_the_deadline_says_missed_only():
    due = due_thresholds(POLICY, DEADLINE, date(2025, 3, 16), date(2025, 3, 21))
    assert [(t.kind, t.days_left) for t in due] == [("missed", -1)]


def test_a_task_armed_two_days_before_its_deadline_is_told_it_is_due_that_day():
    due = due_thresholds(POLICY, DEADLINE, date(2025, 3, 18), date(2025, 3, 20))
    assert [t.days_left for t in due] == [0]


def test_an_extension_re_arms_the_thresholds_of_the_new_deadline_from_its_day():
    # Extended on 22/03 (after the old deadline was missed) to 30/03: nothing of
    # the new deadline is crossed that day; "7 days left" falls on 23/03.
    new = date(2025, 3, 30)
    assert due_thresholds(POLICY, new, date(2025, 3, 22), date(2025, 3, 22)) == []
    assert next_alert_on(POLICY, new, date(2025, 3, 22)) == date(2025, 3, 23)
    due = due_thresholds(POLICY, new, date(2025, 3, 22), date(2025, 3, 28))
    assert [(t.kind, t.days_left) for t in due] == [("approaching", 3)]


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
                                   "NHIEMVU_ALERT_OVERDUE_EVERY_DAYS": "7",
                                   "NHIEMVU_ALERT_VERIFY_AFTER_DAYS": "5"})
    assert policy == AlertPolicy((14, 3, 1), False, 7, 7, 5)
    assert AlertPolicy.from_env({}) == AlertPolicy()


@pytest.mark.parametrize("env", [{"NHIEMVU_ALERT_APPROACHING_DAYS": "bảy"},
                                 {"NHIEMVU_ALERT_APPROACHING_DAYS": "0"},
                                 {"NHIEMVU_ALERT_OVERDUE_EVERY_DAYS": "-1"},
                                 {"NHIEMVU_ALERT_MAIL_FROM_HOUR": "25"},
                                 {"NHIEMVU_ALERT_VERIFY_AFTER_DAYS": "ba"},
                                 {"NHIEMVU_ALERT_VERIFY_AFTER_DAYS": "-3"}])
def test_a_bad_policy_setting_is_refused_naming_the_variable(env):
    with pytest.raises(ValueError, match="NHIEMVU_ALERT_"):
        AlertPolicy.from_env(env)


def test_failed_mail_is_retried_later_and_later_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(20) == timedelta(hours=6)


def test_a_report_waits_the_set_number_of_days_before_its_verifiers_are_reminded():
    reported = date(2025, 3, 1)
    assert awaiting_on(POLICY, reported) == date(2025, 3, 4)
    assert awaiting_on(AlertPolicy(verify_after_days=1), reported) == date(2025, 3, 2)
    assert awaiting_on(AlertPolicy(verify_after_days=0), reported) is None


def test_the_verifiers_are_the_active_leaders_but_never_the_reporter():
    people = [{"username": "a", "role": "leader"}, {"username": "b", "role": "leader"},
              {"username": "c", "role": "leader", "active": False},
              {"username": "d", "role": "unit_head", "unit": "VP"}]
    assert verifiers(people, "b") == ["a"]
    assert verifiers(people, "d") == ["a", "b"]


def test_each_report_has_its_own_reminder_whatever_day_it_is_found():
    task = "0f4c7c3e-53b2-4b5e-a1d2-1c2b3a4d5e6f"
    first = alert_id(task, AWAITING_VERIFICATION, -3, DEADLINE, date(2025, 3, 4))
    assert alert_id(task, AWAITING_VERIFICATION, -8, DEADLINE, date(2025, 3, 4)) == first
    assert alert_id(task, AWAITING_VERIFICATION, -3, DEADLINE, date(2025, 3, 28)) != first
