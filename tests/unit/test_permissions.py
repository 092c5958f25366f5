"""DOMAIN.md's permission table, role × action × own/other unit, through the service.

The expected outcomes are written out here by hand from DOMAIN.md ("Who may do
what"); each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests import commune
from workflow import plan_file
from workflow.errors import DomainError

OK, DENIED, OTHER_UNIT = "ok", "permission_denied", "other_unit"

# The state in which each action is allowed, so only the role and unit decide.
READY_STATE = {
    "start": "assigned", "note": "in_progress", "report": "in_progress",
    "verify": "reported", "return": "reported", "extend": "in_progress",
    "reassign": "in_progress", "cancel": "in_progress",
}

LEADER_ROW = {"start": DENIED, "note": DENIED, "report": DENIED, "verify": OK,
              "return": OK, "extend": OK, "reassign": OK, "cancel": OK}
NOBODY_ROW = dict.fromkeys(READY_STATE, DENIED)

TASK_TABLE = {
    ("leader", "own"): LEADER_ROW,
    ("leader", "other"): LEADER_ROW,
    ("unit_head", "own"): {**NOBODY_ROW, "start": OK, "note": OK, "report": OK},
    ("unit_head", "other"): {**NOBODY_ROW, "start": OTHER_UNIT, "note": OTHER_UNIT,
                             "report": OTHER_UNIT},
    ("member", "own"): {**NOBODY_ROW, "start": OK, "note": OK},
    ("member", "other"): {**NOBODY_ROW, "start": OTHER_UNIT, "note": OTHER_UNIT},
    ("auditor", "own"): NOBODY_ROW,
    ("auditor", "other"): NOBODY_ROW,
    ("admin", "own"): NOBODY_ROW,
    ("admin", "other"): NOBODY_ROW,
}

# Who plays each role: a VP user, so "own" is a VP task and "other" a CNS task.
PLAYER = {"leader": commune.LEADER, "unit_head": commune.HEAD, "member": commune.MEMBER,
          "auditor": commune.AUDITOR, "admin": commune.ADMIN}

EVENTS = {"start": "WorkStarted", "note": "ProgressNoted", "report": "ReportSubmitted",
          "verify": "ReportVerified", "return": "ReportReturned",
          "extend": "DeadlineExtended", "reassign": "TaskReassigned",
          "cancel": "TaskCancelled"}


def _act(service, who: str, task_id, action: str, task_unit: str) -> None:
    elsewhere = "CNS" if task_unit == "VP" else "VP"
    calls = {
        "start": lambda: service.start_task(who, task_id),
        "note": lambda: service.note_progress(who, task_id, "Đã tập huấn 12 người", 40),
        "report": lambda: service.submit_report(who, task_id, "Hoàn thành", value="100"),
        "verify": lambda: service.verify_task(who, task_id, "Đạt"),
        "return": lambda: service.return_task(who, task_id, "Thiếu danh sách"),
        "extend": lambda: service.extend_deadline(who, task_id, date(2025, 4, 15), "Lũ"),
        "reassign": lambda: service.reassign_task(who, task_id, elsewhere, "Đổi đầu mối"),
        "cancel": lambda: service.cancel_task(who, task_id, "Gộp nhiệm vụ"),
    }
    calls[action]()


def test_each_role_may_take_exactly_the_task_actions_domain_md_gives_it(service):
    commune.set_up(service)
    ready = {}  # (unit, state) -> a task, reused for as long as refusals leave it as it is
    outcomes, expected = {}, {}
    for (role, side), row in TASK_TABLE.items():
        who = PLAYER[role]
        task_unit = "VP" if side == "own" else "CNS"
        for action, state in READY_STATE.items():
            if (task_unit, state) not in ready:
                ready[task_unit, state] = commune.task_in_state(service, state, unit=task_unit)
            task_id = ready[task_unit, state]
            before = commune.event_types(service, task_id)
            try:
                _act(service, who, task_id, action, task_unit)
            except DomainError as refused:
                outcomes[role, side, action] = refused.code
                assert commune.event_types(service, task_id) == before
            else:
                outcomes[role, side, action] = OK
                del ready[task_unit, state]
                last = service.history(task_id)[-1]
                assert type(last).__name__ == EVENTS[action]
                assert last.actor == who
            expected[role, side, action] = row[action]
    assert outcomes == expected


# -- actions that are not transitions of a task -------------------------------------

ADMIN_TABLE = {  # action -> roles allowed (DOMAIN.md rows "create plan..." and "manage users")
    "assign": {"leader"},
    "revise_plan": {"leader", "admin"},
    "add_unit": {"leader", "admin"},
    "add_user": {"admin"},
    "grant_role": {"admin"},
    "deactivate_user": {"admin"},
    "reactivate_user": {"admin"},
    "set_other_password": {"admin"},
    "deactivate_unit": {"leader", "admin"},
}


def _admin_act(service, who: str, action: str) -> None:
    if action == "assign":
        service.assign_task(who, unit="VP", deadline=commune.DEADLINE, title="Lắp wifi")
    elif action == "revise_plan":
        content = plan_file.load(plan_file.SEED_PLAN)
        content["title"] = "Kế hoạch chuyển đổi số năm 2025 (sửa đổi)"
        service.import_plan(content, actor=who)
    elif action == "add_unit":
        service.add_unit(f"TN-{who}", "Đoàn Thanh niên", actor=who)
    elif action == "deactivate_unit":
        service.deactivate_unit("CNS", "Sáp nhập", actor=who)
    elif action == "add_user":
        service.add_user(f"moi.{who}", "member", "mat-khau-1", unit="VP", actor=who)
    elif action == "grant_role":
        service.grant_role(commune.OTHER_MEMBER, "unit_head", "CNS", "Bổ nhiệm", actor=who)
    elif action == "deactivate_user":
        service.deactivate_user(commune.OTHER_MEMBER, "Nghỉ hưu", actor=who)
    elif action == "reactivate_user":
        service.reactivate_user(commune.OTHER_MEMBER, "Đi làm lại", actor=who)
    elif action == "set_other_password":
        service.set_password(commune.OTHER_MEMBER, "mật khẩu mới", actor=who)
    else:
        raise AssertionError(action)


def test_each_role_may_manage_plans_units_users_only_as_domain_md_says(service):
    commune.set_up(service)
    outcomes, expected = {}, {}
    # The admin and the leader go last: their successes change what the others meet.
    for role in ["member", "unit_head", "auditor", "admin", "leader"]:
        for action, roles in ADMIN_TABLE.items():
            try:
                _admin_act(service, PLAYER[role], action)
            except DomainError as refused:
                outcomes[role, action] = refused.code
            else:
                outcomes[role, action] = OK
            expected[role, action] = OK if role in roles else DENIED
    assert outcomes == expected


def test_a_refused_assignment_records_nothing(service):
    commune.set_up(service)
    with pytest.raises(DomainError, match="may not"):
        service.assign_task(commune.HEAD, unit="VP", deadline=commune.DEADLINE, title="X")
    plan = service.get_plan(commune.PLAN)
    assert service.get_unit("VP").version == 1 and plan.version == 1


def test_a_refused_permission_is_told_before_an_unknown_unit(service):
    commune.set_up(service)
    with pytest.raises(DomainError) as refused:
        service.assign_task(commune.MEMBER, unit="KHONG-CO", deadline=commune.DEADLINE,
                            title="X")
    assert refused.value.code == DENIED
    task_id = commune.task_in_state(service, "in_progress")
    with pytest.raises(DomainError) as refused:
        service.reassign_task(commune.HEAD, task_id, "KHONG-CO", "Đổi")
    assert refused.value.code == DENIED


# -- the reporter never verifies -----------------------------------------------------

def test_verify_is_refused_when_the_actor_reported_it_even_after_becoming_leader(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "reported")
    service.grant_role(commune.HEAD, "leader", None, "Được bầu làm phó chủ tịch xã")
    with pytest.raises(DomainError) as refused:
        service.verify_task(commune.HEAD, task_id)
    assert refused.value.code == "reporter_cannot_verify"
    assert "báo cáo" in refused.value.message("vi")
    assert service.get_task(task_id).state == "reported"
    # Another leader may verify it, and the former reporter may still return it.
    service.return_task(commune.HEAD, task_id, "Cần bổ sung số liệu")
    assert service.get_task(task_id).state == "in_progress"


def test_a_new_report_by_someone_else_may_be_verified_by_the_first_reporter(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "reported")
    service.return_task(commune.LEADER, task_id, "Thiếu minh chứng")
    service.add_user("truong.vp.moi", "unit_head", "mat-khau-1", unit="VP")
    service.submit_report("truong.vp.moi", task_id, "Đã bổ sung")
    service.grant_role(commune.HEAD, "leader", None, "Bổ nhiệm")
    service.verify_task(commune.HEAD, task_id)
    assert service.get_task(task_id).state == "verified"
