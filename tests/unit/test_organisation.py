"""Units and users through the service: creation, roles, deactivation, sign-in."""

from __future__ import annotations

from datetime import date

import pytest

from events import queries
from tests import commune
from workflow import plan_file
from workflow.errors import DomainError
from workflow.rules import Actor


def _code(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as refused:
        call(*args, **kwargs)
    return refused.value.code


def test_a_unit_or_user_cannot_be_created_twice_whatever_the_case(service):
    service.add_unit("VP", "Văn phòng")
    assert _code(service.add_unit, "vp", "Văn phòng khác") == "unit_exists"
    service.add_user("an.nv", "leader", "mat-khau-1", display_name="Nguyễn Văn An")
    assert _code(service.add_user, "AN.NV", "admin", "mat-khau-1") == "user_exists"
    user = service.get_user("An.Nv")
    assert (user.username, user.display_name, user.role) == ("an.nv", "Nguyễn Văn An",
                                                             "leader")
    assert len(service.history(user.id)) == 1


def test_unit_heads_and_members_need_an_active_unit_and_others_have_none(service):
    service.add_unit("VP", "Văn phòng")
    assert _code(service.add_user, "a", "unit_head", "mat-khau-1") == "unit_required"
    assert _code(service.add_user, "b", "member", "mat-khau-1", unit="XX") == "unknown_unit"
    service.add_unit("CU", "Tổ cũ")
    service.deactivate_unit("CU", "Giải thể")
    assert _code(service.add_user, "c", "member", "mat-khau-1", unit="CU") == "unit_inactive"
    service.add_user("d", "member", "mat-khau-1", unit="vp")
    service.add_user("e", "leader", "mat-khau-1", unit="VP")
    assert service.get_user("d").unit == "VP"  # the unit's code as stored
    assert service.get_user("e").unit is None
    assert _code(service.grant_role, "e", "member", None, "Chuyển") == "unit_required"


def test_a_head_registered_with_a_lower_case_unit_code_acts_on_the_units_tasks(service):
    commune.set_up(service, users=False)
    service.add_user(commune.LEADER, "leader", "mat-khau-1")
    service.add_user("truong", "unit_head", "mat-khau-1", unit="vp")
    task_id = service.assign_task(commune.LEADER, unit="Vp", deadline=commune.DEADLINE,
                                  title="Lắp camera")
    service.start_task("truong", task_id)
    assert service.get_task(task_id).state == "in_progress"


def test_a_deactivated_user_is_refused_on_every_command(service):
    commune.set_up(service)
    started = commune.task_in_state(service, "in_progress")
    reported = commune.task_in_state(service, "reported")
    assigned = commune.task_in_state(service, "assigned")
    for username in [commune.LEADER, commune.HEAD, commune.ADMIN]:
        service.deactivate_user(username, "Nghỉ hưu")
    later = date(2025, 4, 30)
    seed = plan_file.load(plan_file.SEED_PLAN)
    commands = {
        "assign": lambda: service.assign_task(commune.LEADER, unit="VP", deadline=later,
                                              title="Việc"),
        "start": lambda: service.start_task(commune.HEAD, assigned),
        "note": lambda: service.note_progress(commune.HEAD, started, "Ghi"),
        "report": lambda: service.submit_report(commune.HEAD, started, "Xong"),
        "verify": lambda: service.verify_task(commune.LEADER, reported),
        "return": lambda: service.return_task(commune.LEADER, reported, "Lại"),
        "extend": lambda: service.extend_deadline(commune.LEADER, started, later, "Hoãn"),
        "reassign": lambda: service.reassign_task(commune.LEADER, started, "CNS", "Đổi"),
        "cancel": lambda: service.cancel_task(commune.LEADER, started, "Hủy"),
        "unknown task": lambda: service.start_task(commune.HEAD, "0" * 32),
        "import plan": lambda: service.import_plan({**seed, "title": "Mới"},
                                                   actor=commune.LEADER),
        "add unit": lambda: service.add_unit("TN", "Thanh niên", actor=commune.LEADER),
        "deactivate unit": lambda: service.deactivate_unit("CNS", "Gộp", actor=commune.LEADER),
        "rename unit": lambda: service.rename_unit("CNS", "Tổ mới", actor=commune.LEADER),
        "add user": lambda: service.add_user("x", "auditor", "mat-khau-1", actor=commune.ADMIN),
        "grant role": lambda: service.grant_role(commune.MEMBER, "unit_head", "VP", "Lên",
                                                 actor=commune.ADMIN),
        "deactivate user": lambda: service.deactivate_user(commune.MEMBER, "Nghỉ",
                                                           actor=commune.ADMIN),
        "reactivate user": lambda: service.reactivate_user(commune.LEADER, "Quay lại",
                                                           actor=commune.ADMIN),
        "own password": lambda: service.set_password(commune.HEAD, "mật khẩu mới",
                                                     actor=commune.HEAD),
    }
    outcomes = {name: _code(command) for name, command in commands.items()}
    assert outcomes == dict.fromkeys(commands, "user_inactive")
    assert service.allowed_actions(commune.HEAD, started) == []
    assert service.get_user(commune.LEADER).active is False


def test_an_actor_object_is_read_again_so_a_stale_one_gains_nothing(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "assigned")
    cached = service.authenticate(commune.HEAD, commune.PASSWORD)
    service.deactivate_user(commune.HEAD, "Chuyển công tác")
    assert _code(service.start_task, cached, task_id) == "user_inactive"
    forged = Actor(commune.MEMBER, "leader")
    assert _code(service.cancel_task, forged, task_id, "Hủy") == "permission_denied"
    assert _code(service.start_task, Actor("khong.co", "unit_head", "VP"), task_id) == (
        "unknown_user")


def test_a_reactivated_user_may_act_again(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "assigned")
    service.deactivate_user(commune.HEAD, "Nghỉ phép dài")
    service.reactivate_user(commune.HEAD, "Đi làm lại")
    service.start_task(commune.HEAD, task_id)
    assert [type(e).__name__ for e in service.history(service.get_user(commune.HEAD).id)] == [
        "UserRegistered", "UserDeactivated", "UserReactivated"]


def test_granting_a_role_changes_what_the_user_may_do(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    assert _code(service.submit_report, commune.MEMBER, task_id, "Xong") == (
        "permission_denied")
    service.grant_role(commune.MEMBER, "unit_head", "VP", "Trưởng ban nghỉ hưu")
    service.submit_report(commune.MEMBER, task_id, "Xong")
    granted = service.history(service.get_user(commune.MEMBER).id)[-1]
    assert (type(granted).__name__, granted.role, granted.unit, granted.reason,
            granted.actor) == ("RoleGranted", "unit_head", "VP", "Trưởng ban nghỉ hưu",
                               "system")
    # Moved to another unit, the user now acts there and no longer here.
    service.grant_role(commune.MEMBER, "member", "CNS", "Luân chuyển")
    assert service.allowed_actions(commune.MEMBER, task_id) == []
    other = commune.task_in_state(service, "in_progress", unit="CNS")
    assert service.allowed_actions(commune.MEMBER, other) == ["note"]
    assert _code(service.grant_role, commune.MEMBER, "chu_tich", None, "x") == "invalid_role"
    assert _code(service.grant_role, commune.MEMBER, "member", "VP", "") == "reason_required"


def test_authenticate_answers_the_actor_only_for_the_right_password_of_an_active_user(
        service):
    commune.set_up(service)
    actor = service.authenticate(commune.HEAD, commune.PASSWORD)
    assert actor == Actor(commune.HEAD, "unit_head", "VP", True)
    assert service.authenticate(commune.HEAD.upper(), commune.PASSWORD) == actor
    assert service.authenticate(commune.HEAD, "sai") is None
    assert service.authenticate("khong.co", commune.PASSWORD) is None
    service.set_password(commune.HEAD, "mật khẩu mới", actor=commune.HEAD)
    assert service.authenticate(commune.HEAD, commune.PASSWORD) is None
    assert service.authenticate(commune.HEAD, "mật khẩu mới") == actor
    service.deactivate_user(commune.HEAD, "Nghỉ")
    assert service.authenticate(commune.HEAD, "mật khẩu mới") is None
    stored = service.get_user(commune.HEAD).password_hash
    assert "mật khẩu mới" not in stored and stored.startswith("$argon2id$")


def test_users_change_only_their_own_password_unless_admin(service):
    commune.set_up(service)
    assert _code(service.set_password, commune.HEAD, "x", actor=commune.MEMBER) == (
        "permission_denied")
    service.set_password(commune.HEAD, "do-quan-tri-dat", actor=commune.ADMIN)
    assert service.authenticate(commune.HEAD, "do-quan-tri-dat") is not None
    changed = service.history(service.get_user(commune.HEAD).id)[-1]
    assert (type(changed).__name__, changed.actor) == ("PasswordChanged", commune.ADMIN)


def test_a_password_shorter_than_eight_characters_is_refused_by_every_command(service):
    commune.set_up(service)
    head = service.get_user(commune.HEAD)
    assert _code(service.add_user, "moi", "leader", "7-chars") == "password_too_short"
    assert _code(service.set_password, commune.HEAD, "ngắn", actor=commune.HEAD) == (
        "password_too_short")
    assert _code(service.set_password, commune.HEAD, "", actor=commune.ADMIN) == (
        "password_too_short")
    # Nothing was recorded, and the old password still works.
    assert service.get_user(commune.HEAD).version == head.version
    assert service.authenticate(commune.HEAD, commune.PASSWORD) is not None
    assert _code(service.get_user, "moi") == "unknown_user"
    # Eight characters, counted as letters (not bytes): "mật khẩu" is enough.
    service.set_password(commune.HEAD, "mật khẩu", actor=commune.HEAD)
    assert service.authenticate(commune.HEAD, "mật khẩu") is not None
    message = DomainError("password_too_short", minimum=8)
    assert message.message("vi") == "Mật khẩu cần ít nhất 8 ký tự."
    assert message.message("en") == "The password needs at least 8 characters."


def test_a_deactivated_unit_takes_no_new_tasks(service):
    commune.set_up(service)
    service.deactivate_unit("CNS", "Sáp nhập vào thôn 2", actor=commune.LEADER)
    assert _code(service.assign_task, commune.LEADER, unit="CNS", deadline=commune.DEADLINE,
                 title="Việc") == "unit_inactive"
    unit = service.get_unit("cns")
    assert (unit.code, unit.active) == ("CNS", False)
    assert service.history(unit.id)[-1].reason == "Sáp nhập vào thôn 2"


def test_a_leader_renames_a_unit_and_the_lists_and_audit_log_show_the_new_name(store):
    service = store.service
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    service.rename_unit("vp", "  Văn phòng HĐND và UBND xã ", "Theo Quyết định 12/QĐ-UBND",
                        actor=commune.LEADER)
    unit = service.get_unit("VP")
    renamed = service.history(unit.id)[-1]
    assert (type(renamed).__name__, renamed.name, renamed.reason, renamed.actor) == (
        "UnitRenamed", "Văn phòng HĐND và UBND xã", "Theo Quyết định 12/QĐ-UBND",
        commune.LEADER)
    assert (unit.code, unit.name, unit.active) == ("VP", "Văn phòng HĐND và UBND xã", True)
    # The code is the unit: its tasks and its people stay where they were.
    assert service.get_task(task_id).unit == "VP"
    assert service.get_user(commune.HEAD).unit == "VP"
    listed = {u["code"]: u["name"] for u in queries.units(store)}
    assert listed["VP"] == "Văn phòng HĐND và UBND xã"
    logged = queries.audit_log(store, type="UnitRenamed").rows
    assert [(r["actor"], r["unit"], r["summary"]) for r in logged] == [
        (commune.LEADER, "VP",
         "Đổi tên đơn vị thành “Văn phòng HĐND và UBND xã”: Theo Quyết định 12/QĐ-UBND")]
    # Without a reason too: the reason is optional.
    service.rename_unit("CNS", "Tổ công nghệ số cộng đồng", actor=commune.ADMIN)
    assert service.history(service.get_unit("CNS").id)[-1].reason == ""


def test_renaming_a_unit_is_refused_unless_a_manager_gives_a_new_valid_name(service):
    commune.set_up(service)
    unit = service.get_unit("VP")
    refused = {
        "unknown": _code(service.rename_unit, "KHONG-CO", "Tên mới", actor=commune.LEADER),
        "same name": _code(service.rename_unit, "VP", f" {unit.name} ", actor=commune.LEADER),
        "empty": _code(service.rename_unit, "VP", "  ", actor=commune.LEADER),
        "too long": _code(service.rename_unit, "VP", "x" * 201, actor=commune.LEADER),
        "two lines": _code(service.rename_unit, "VP", "Văn\nphòng", actor=commune.LEADER),
        "unit head": _code(service.rename_unit, "VP", "Tên mới", actor=commune.HEAD),
        "unit head, unknown unit": _code(service.rename_unit, "KHONG-CO", "Tên mới",
                                         actor=commune.HEAD),
    }
    assert refused == {
        "unknown": "unknown_unit", "same name": "unit_name_unchanged",
        "empty": "text_required", "too long": "text_too_long",
        "two lines": "text_control_character", "unit head": "permission_denied",
        "unit head, unknown unit": "permission_denied"}
    assert service.get_unit("VP").version == unit.version
    same = DomainError("unit_name_unchanged", unit="VP", name=unit.name)
    assert same.message("vi") == f"Đơn vị “VP” đã có tên “{unit.name}”."
