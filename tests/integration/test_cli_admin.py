"""The operator's commands: init, plan import, units, users (exit codes included)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

import pytest

from events import queries
from events.system import System
from workflow.plan_file import SEED_PLAN


def event_count(url: str) -> int:
    with System(url) as store:
        return store.service.recorder.max_notification_id() or 0


def test_init_creates_the_store_and_can_run_again(nhiemvu, database_url):
    first = nhiemvu("init")
    second = nhiemvu("init")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "0 sự kiện" in second.output
    assert event_count(database_url) == 0


def test_importing_the_seed_plan_twice_records_it_once(nhiemvu, database_url):
    first = nhiemvu("plan", "import", str(SEED_PLAN))
    after_first = event_count(database_url)
    second = nhiemvu("plan", "import", str(SEED_PLAN))
    assert first.exit_code == 0 and "KH-CDS-2025 (11 chỉ tiêu)" in first.output
    assert second.exit_code == 0 and "không thay đổi" in second.output
    assert after_first == 1 and event_count(database_url) == after_first


def test_a_plan_file_that_is_not_valid_is_bad_input(lite, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan]\ncode = 'X'\n", encoding="utf-8")
    result = lite("plan", "import", str(broken))
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Tệp kế hoạch không hợp lệ")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("path", ["missing.toml", "."])
def test_a_plan_file_that_cannot_be_read_is_bad_input(lite, tmp_path, path):
    result = lite("plan", "import", str(tmp_path / path))
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: ")


def test_unit_add_creates_a_unit_and_refuses_a_second_with_the_same_code(nhiemvu):
    created = nhiemvu("unit", "add", "vp", "Văn phòng UBND xã")
    again = nhiemvu("unit", "add", "VP", "Văn phòng khác")
    assert created.exit_code == 0 and "VP" in created.output
    assert again.exit_code == 1
    assert again.output == "Lỗi: Đơn vị “VP” đã tồn tại.\n"


def test_unit_list_shows_the_units(lite):
    lite("unit", "add", "VP", "Văn phòng UBND xã", "--kind", "office")
    table = lite("unit", "list")
    listed = lite("unit", "list", "--json")
    assert table.exit_code == 0 and "Văn phòng UBND xã" in table.output
    assert '"code": "VP"' in listed.output


def test_unit_rename_gives_a_new_name_that_the_list_and_the_audit_log_show(nhiemvu,
                                                                          database_url):
    nhiemvu("unit", "add", "VP", "Văn phòng UBND xã")
    result = nhiemvu("unit", "rename", "vp", "Văn phòng HĐND và UBND xã",
                     "--reason", "Quyết định 12/QĐ-UBND")
    assert result.exit_code == 0, result.output
    assert result.output == "Đã đổi tên đơn vị VP thành “Văn phòng HĐND và UBND xã”.\n"
    listed = nhiemvu("unit", "list").output
    assert "Văn phòng HĐND và UBND xã" in listed and "Văn phòng UBND xã" not in listed
    with System(database_url) as store:
        renamed = store.service.history(store.service.get_unit("VP").id)[-1]
        logged = queries.audit_log(store, type="UnitRenamed").rows
    assert (type(renamed).__name__, renamed.name, renamed.reason, renamed.actor) == (
        "UnitRenamed", "Văn phòng HĐND và UBND xã", "Quyết định 12/QĐ-UBND", "system")
    assert [(r["unit"], r["summary"]) for r in logged] == [
        ("VP", "Đổi tên đơn vị thành “Văn phòng HĐND và UBND xã”: Quyết định 12/QĐ-UBND")]


def test_unit_rename_refuses_an_unknown_unit_or_the_name_it_already_has(lite, sqlite_url):
    unknown = lite("unit", "rename", "XX", "Tên mới")
    assert (unknown.exit_code, unknown.output) == (1, "Lỗi: Không tìm thấy đơn vị “XX”.\n")
    lite("unit", "add", "VP", "Văn phòng UBND xã")
    same = lite("unit", "rename", "VP", " Văn phòng UBND xã ")
    assert (same.exit_code, same.output) == (
        1, "Lỗi: Đơn vị “VP” đã có tên “Văn phòng UBND xã”.\n")
    english = lite("--lang", "en", "unit", "rename", "VP", "Văn phòng UBND xã")
    assert english.output == "Error: Unit “VP” is already named “Văn phòng UBND xã”.\n"
    assert lite("unit", "rename", "VP").exit_code == 2  # no NAME: a usage error
    with System(sqlite_url) as store:
        assert len(store.service.history(store.service.get_unit("VP").id)) == 1


def test_user_add_reads_the_password_from_stdin(nhiemvu, database_url):
    nhiemvu("unit", "add", "VP", "Văn phòng UBND xã")
    result = nhiemvu("user", "add", "Truong.VP", "--role", "unit_head", "--unit", "VP",
                     "--name", "Nguyễn Văn An", "--email", "an@example.org",
                     input="bi mat 1\nnot this line\n")
    assert result.exit_code == 0, result.output
    with System(database_url) as store:
        user = store.service.get_user("truong.vp")
        assert (user.role, user.unit, user.display_name) == ("unit_head", "VP",
                                                             "Nguyễn Văn An")
        assert store.service.authenticate("truong.vp", "bi mat 1") is not None
        assert store.service.authenticate("truong.vp", "not this line") is None


def test_user_add_without_a_password_is_bad_input(lite):
    result = lite("user", "add", "lanhdao", "--role", "leader", input="\n")
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: chưa có mật khẩu")


def test_a_short_password_is_refused_by_user_add_and_user_password(lite, sqlite_url):
    added = lite("user", "add", "lanhdao", "--role", "leader", input="ngan\n")
    assert added.exit_code == 1
    assert added.output == "Lỗi: Mật khẩu cần ít nhất 8 ký tự.\n"
    lite("user", "add", "lanhdao", "--role", "leader", input="mat-khau-1\n")
    changed = lite("--lang", "en", "user", "password", "lanhdao", input="short\n")
    assert changed.exit_code == 1
    assert changed.output == "Error: The password needs at least 8 characters.\n"
    with System(sqlite_url) as store:
        assert store.service.authenticate("lanhdao", "mat-khau-1") is not None
        assert len(store.service.history(store.service.get_user("lanhdao").id)) == 1


def test_user_add_refuses_a_member_without_a_unit(lite):
    result = lite("user", "add", "canbo", "--role", "member", input="mat-khau-1\n")
    assert result.exit_code == 1
    assert result.output == "Lỗi: Vai trò “Cán bộ” cần thuộc một đơn vị.\n"


def test_user_add_with_an_unknown_role_is_a_usage_error(lite):
    result = lite("user", "add", "x", "--role", "boss", input="mat-khau-1\n")
    assert result.exit_code == 2


def test_user_add_twice_is_refused(nhiemvu):
    nhiemvu("user", "add", "lanhdao", "--role", "leader", input="mat-khau-1\n")
    again = nhiemvu("user", "add", "lanhdao", "--role", "leader", input="mat-khau-1\n")
    assert again.exit_code == 1
    assert "đã tồn tại" in again.output


def test_user_grant_deactivate_reactivate_and_password_change_the_user(nhiemvu,
                                                                      database_url):
    nhiemvu("unit", "add", "VP", "Văn phòng UBND xã")
    nhiemvu("user", "add", "an", "--role", "member", "--unit", "VP", input="mat-khau-cu\n")
    results = [
        nhiemvu("user", "grant", "an", "--role", "unit_head", "--unit", "VP",
                "--reason", "Bổ nhiệm trưởng ban"),
        nhiemvu("user", "deactivate", "an", "--reason", "Nghỉ việc"),
        nhiemvu("user", "reactivate", "an", "--reason", "Đi làm lại"),
        nhiemvu("user", "password", "an", input="mat-khau-moi\n"),
    ]
    assert [r.exit_code for r in results] == [0, 0, 0, 0]
    with System(database_url) as store:
        types = [type(e).__name__ for e in store.service.history(
            store.service.get_user("an").id)]
        assert store.service.authenticate("an", "mat-khau-moi").role == "unit_head"
    assert types == ["UserRegistered", "RoleGranted", "UserDeactivated", "UserReactivated",
                     "PasswordChanged"]


def test_user_list_never_shows_password_hashes(lite):
    lite("user", "add", "lanhdao", "--role", "leader", input="mat-khau-1\n")
    table = lite("user", "list")
    listed = lite("user", "list", "--json")
    assert table.exit_code == 0 and "lanhdao" in table.output
    assert "argon2" not in table.output + listed.output


def test_reasons_are_required_by_the_rules(lite):
    lite("user", "add", "lanhdao", "--role", "leader", input="mat-khau-1\n")
    result = lite("user", "deactivate", "lanhdao", "--reason", "  ")
    assert result.exit_code == 1
    assert result.output == "Lỗi: Cần nêu lý do.\n"


def _read_until(fd: int, marker: bytes) -> bytes:
    seen = b""
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            raise AssertionError(f"no {marker!r} from the command; got {seen!r}")
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the terminal closed: the command has ended
            break
        if not chunk:
            break
        seen += chunk
    return seen


# The child makes the terminal its controlling one, as a login shell would; subprocess
# (not fork) because forking a threaded test process is unsafe.
AT_A_TERMINAL = ("import fcntl, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
                 "from cli import main; main(prog_name='nhiemvu')")


def test_user_add_at_a_terminal_asks_twice_without_echo(sqlite_url):
    terminal, child_side = pty.openpty()
    command = subprocess.Popen(
        [sys.executable, "-c", AT_A_TERMINAL, "--database", sqlite_url, "user", "add",
         "lanhdao", "--role", "leader"],
        stdin=child_side, stdout=child_side, stderr=child_side, start_new_session=True)
    os.close(child_side)
    shown = _read_until(terminal, "Mật khẩu: ".encode())
    os.write(terminal, b"bi mat 12\n")
    shown += _read_until(terminal, b": ")
    os.write(terminal, b"bi mat 12\n")
    shown += _read_until(terminal, b"\x00")
    assert command.wait(timeout=30) == 0, shown.decode()
    os.close(terminal)
    assert "Nhập lại mật khẩu".encode() in shown and b"bi mat 12" not in shown
    with System(sqlite_url) as store:
        assert store.service.authenticate("lanhdao", "bi mat 12") is not None
