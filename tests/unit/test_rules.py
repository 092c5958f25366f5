"""The task's state machine and the order of refusals, on the Task aggregate itself.

The expected tables are written out here from DOMAIN.md, not computed from
``workflow.rules.TRANSITIONS``, so a wrong table in the code fails these tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests import commune
from workflow import rules
from workflow.clock import FixedClock, use_clock
from workflow.errors import DomainError
from workflow.rules import Actor, State
from workflow.task import Task

ACTIONS = ["start", "note", "report", "verify", "return", "extend", "reassign", "cancel"]

# DOMAIN.md, "The task's life": (state, action) -> the state after it. Absent = refused.
ALLOWED = {
    ("assigned", "start"): "in_progress",
    ("assigned", "note"): "assigned",
    ("assigned", "extend"): "assigned",
    ("assigned", "reassign"): "assigned",
    ("assigned", "cancel"): "cancelled",
    ("in_progress", "note"): "in_progress",
    ("in_progress", "report"): "reported",
    ("in_progress", "extend"): "in_progress",
    ("in_progress", "reassign"): "in_progress",
    ("in_progress", "cancel"): "cancelled",
    ("reported", "verify"): "verified",
    ("reported", "return"): "in_progress",
    ("reported", "note"): "reported",
    ("reported", "extend"): "reported",
    ("reported", "reassign"): "reported",
    ("reported", "cancel"): "cancelled",
}

# The event each allowed action records (docs/events.md).
EVENTS = {
    "start": "WorkStarted", "note": "ProgressNoted", "report": "ReportSubmitted",
    "verify": "ReportVerified", "return": "ReportReturned", "extend": "DeadlineExtended",
    "reassign": "TaskReassigned", "cancel": "TaskCancelled",
}

LEADER = Actor("lanh.dao", "leader")
HEAD = Actor("truong.vp", "unit_head", "VP")
MOMENT = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _task_in(state: str) -> Task:
    task = Task.assign(LEADER, title="Số hóa hồ sơ", unit="VP", deadline=date(2025, 3, 31),
                       plan="KH-CDS-2025", target="CT03")
    if state == "cancelled":
        task.cancel(LEADER, "Không còn cần thiết")
    if state in ("in_progress", "reported", "verified"):
        task.start(HEAD)
    if state in ("reported", "verified"):
        task.submit_report(HEAD, "Đã xong", value="50")
    if state == "verified":
        task.verify(LEADER)
    assert task.state == state
    return task


def _act(task: Task, action: str) -> None:
    """Take ``action`` as someone whose role and unit allow it, so only the state decides."""
    if action == "start":
        task.start(HEAD)
    elif action == "note":
        task.note_progress(HEAD, "Đã họp triển khai", percent=30)
    elif action == "report":
        task.submit_report(HEAD, "Đã hoàn thành", value="62,5")
    elif action == "verify":
        task.verify(LEADER, "Đạt yêu cầu")
    elif action == "return":
        task.return_for_rework(LEADER, "Thiếu minh chứng")
    elif action == "extend":
        task.extend_deadline(LEADER, date(2025, 4, 30), "Chờ kinh phí")
    elif action == "reassign":
        task.reassign(LEADER, "CNS", "Tổ CNSCĐ phụ trách")
    elif action == "cancel":
        task.cancel(LEADER, "Trùng nhiệm vụ khác")
    else:
        raise AssertionError(action)


def test_the_test_tables_name_every_state_and_action_of_the_rules():
    assert {s.value for s in State} == {
        "assigned", "in_progress", "reported", "verified", "cancelled"}
    assert set(rules.TRANSITIONS) == set(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", [s.value for s in State])
def test_each_action_in_each_state_is_allowed_exactly_as_domain_md_says(state, action):
    with use_clock(FixedClock(MOMENT)):
        task = _task_in(state)
        version = task.version
        if (state, action) in ALLOWED:
            _act(task, action)
            assert task.state == ALLOWED[state, action]
            assert task.version == version + 1
            assert type(task.collect_events()[-1]).__name__ == EVENTS[action]
        else:
            with pytest.raises(DomainError) as refused:
                _act(task, action)
            assert refused.value.code == "transition_not_allowed"
            assert task.state == state
            assert task.version == version


@pytest.mark.parametrize("state", [s.value for s in State])
def test_allowed_actions_lists_what_each_role_may_do_in_each_state(state):
    by_table = {action for (s, action) in ALLOWED if s == state}
    leader_may = {"verify", "return", "extend", "reassign", "cancel"}
    head_may = {"start", "note", "report"}
    member_may = {"start", "note"}
    with use_clock(FixedClock(MOMENT)):
        task = _task_in(state)
    assert set(task.allowed_actions(LEADER)) == by_table & leader_may
    assert set(task.allowed_actions(HEAD)) == by_table & head_may
    assert set(task.allowed_actions(Actor("canbo.vp", "member", "VP"))) == by_table & member_may
    assert task.allowed_actions(Actor("truong.cns", "unit_head", "CNS")) == []
    assert task.allowed_actions(Actor("giam.sat", "auditor")) == []
    assert task.allowed_actions(Actor("quan.tri", "admin")) == []
    assert task.allowed_actions(Actor("lanh.dao.cu", "leader", active=False)) == []


# -- which refusal a person sees when several apply ---------------------------------

def _refusal(actor: Actor, action: str, state: str, unit: str = "VP",
             reported_by: str | None = None) -> str:
    with pytest.raises(DomainError) as refused:
        rules.check(actor, action, state=state, unit=unit, reported_by=reported_by)
    return refused.value.code


def test_an_inactive_account_is_told_so_before_anything_else():
    gone = Actor("truong.vp", "unit_head", "VP", active=False)
    assert _refusal(gone, "verify", "verified", unit="CNS") == "user_inactive"


def test_the_role_is_checked_before_the_unit_and_the_state():
    member = Actor("canbo.cns", "member", "CNS")
    assert _refusal(member, "report", "verified", unit="VP") == "permission_denied"


def test_the_unit_is_checked_before_the_state():
    other_head = Actor("truong.cns", "unit_head", "CNS")
    assert _refusal(other_head, "report", "verified", unit="VP") == "other_unit"


def test_the_state_is_checked_before_the_reporter():
    assert _refusal(LEADER, "verify", "in_progress", reported_by="lanh.dao") == (
        "transition_not_allowed")


def test_verify_is_refused_when_the_actor_reported_the_task():
    assert _refusal(LEADER, "verify", "reported", reported_by="lanh.dao") == (
        "reporter_cannot_verify")


def test_returning_a_report_is_not_limited_by_who_reported_it():
    rules.check(LEADER, "return", state="reported", unit="VP", reported_by="lanh.dao")


def test_the_console_operator_may_not_act_on_tasks():
    assert _refusal(rules.SYSTEM, "start", "assigned") == "permission_denied"


def test_an_unknown_role_is_refused_with_its_own_code():
    with pytest.raises(DomainError) as refused:
        rules.parse_role("chairman")
    assert refused.value.code == "invalid_role"
    assert "chairman" in refused.value.message("vi")


# -- the same table, through the service, on SQLite and PostgreSQL ------------------

SERVICE_ACTOR = {"start": commune.HEAD, "note": commune.HEAD, "report": commune.HEAD}


def _act_through(service, task_id, action: str) -> None:
    who = SERVICE_ACTOR.get(action, commune.LEADER)
    calls = {
        "start": lambda: service.start_task(who, task_id),
        "note": lambda: service.note_progress(who, task_id, "Đã họp", percent="40"),
        "report": lambda: service.submit_report(who, task_id, "Xong", value="70"),
        "verify": lambda: service.verify_task(who, task_id),
        "return": lambda: service.return_task(who, task_id, "Thiếu minh chứng"),
        "extend": lambda: service.extend_deadline(who, task_id, date(2025, 4, 30), "Mưa bão"),
        "reassign": lambda: service.reassign_task(who, task_id, "CNS", "Đổi đầu mối"),
        "cancel": lambda: service.cancel_task(who, task_id, "Trùng lặp"),
    }
    calls[action]()


def test_the_service_enforces_the_state_machine_on_stored_tasks(service):
    commune.set_up(service)
    outcomes, expected = {}, {}
    for state in [s.value for s in State]:
        task_id = None  # reused for as long as refusals leave it as it is
        for action in ACTIONS:
            task_id = task_id or commune.task_in_state(service, state)
            before = len(service.history(task_id))
            try:
                _act_through(service, task_id, action)
            except DomainError as refused:
                outcomes[state, action] = refused.code
                assert len(service.history(task_id)) == before
            else:
                outcomes[state, action] = service.get_task(task_id).state
                assert commune.event_types(service, task_id)[-1] == EVENTS[action]
                task_id = None
            expected[state, action] = ALLOWED.get((state, action), "transition_not_allowed")
    assert outcomes == expected
