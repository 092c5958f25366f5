"""Operator commands: the store, the plan, units and users.

The operator at the console acts as the system (``workflow.rules.SYSTEM``): these
are the commands that set up who may do what in the first place.
"""

from __future__ import annotations

import sys

import click

from cli.output import echo_json, table
from cli.runtime import GuardedGroup, bad_input, current_run
from events import queries
from workflow import plan_file
from workflow.errors import role_name
from workflow.rules import Role
from workflow.words import NP_, _, translate


def register(main: click.Group) -> None:
    main.add_command(init)
    main.add_command(plan)
    main.add_command(unit)
    main.add_command(user)


@click.command(cls=GuardedGroup.command_class)
def init() -> None:
    """Create or upgrade the store (tables, read models); safe to run again."""
    store = current_run().store  # opening it creates the missing tables
    applied = store.projections.catch_up() if store.projections is not None else 0
    events = store.service.recorder.max_notification_id() or 0
    click.echo(_("Kho dữ liệu đã sẵn sàng: %(events)s sự kiện; bảng đọc vừa cập nhật "
                 "%(applied)s sự kiện.", events=events, applied=applied))


@click.group(cls=GuardedGroup)
def plan() -> None:
    """Plans (kế hoạch): import from a TOML file."""


@plan.command("import")
@click.argument("file")
def plan_import(file: str) -> None:
    """Adopt the plan in FILE, or revise it; importing the same file again changes nothing."""
    try:
        content = plan_file.load(file)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise bad_input(_("không đọc được tệp kế hoạch “%(file)s” (%(reason)s)",
                          file=file, reason=reason)) from None
    changed = current_run().store.service.import_plan(content)
    code, count = content["code"], len(content["targets"])
    if changed:
        click.echo(_("Đã nhập kế hoạch %(code)s (%(count)s chỉ tiêu).", code=code, count=count))
    else:
        click.echo(_("Kế hoạch %(code)s không thay đổi; không ghi gì thêm.", code=code))


@click.group(cls=GuardedGroup)
def unit() -> None:
    """Units (đơn vị): boards, sectors, community digital-technology teams."""


@unit.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--kind", default="", help="e.g. office, sector, community_team.")
def unit_add(code: str, name: str, kind: str) -> None:
    """Create the unit CODE called NAME."""
    current_run().store.service.add_unit(code, name, kind)
    click.echo(_("Đã tạo đơn vị %(code)s.", code=code.strip().upper()))


@unit.command("rename")
@click.argument("code")
@click.argument("name")
@click.option("--reason", default="", help="Why (optional), e.g. the decision's number.")
def unit_rename(code: str, name: str, reason: str) -> None:
    """Call the unit CODE by the new NAME; its code, tasks and people stay."""
    service = current_run().store.service
    service.rename_unit(code, name, reason)
    unit = service.get_unit(code)
    click.echo(_("Đã đổi tên đơn vị %(code)s thành “%(name)s”.", code=unit.code,
                 name=unit.name))


@unit.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def unit_list(as_json: bool) -> None:
    """List the units."""
    rows = queries.units(current_run().store)
    if as_json:
        echo_json(rows)
        return
    # A unit's "Mã" is its code and "Loại" its kind (a task's "Mã" is its id).
    click.echo(table([translate(NP_("unit", "Mã")), _("Tên"), translate(NP_("unit", "Loại")),
                      _("Hoạt động")],
                     [(r["code"], r["name"], r.get("kind") or "-",
                       _("có") if r.get("active", True) else _("không"))
                      for r in rows]))


@click.group(cls=GuardedGroup)
def user() -> None:
    """Users (người dùng) and their roles."""


ROLES = click.Choice([r.value for r in Role])


@user.command("add")
@click.argument("username")
@click.option("--role", type=ROLES, required=True)
@click.option("--unit", "unit_code", metavar="CODE",
              help="The unit (required for unit_head and member).")
@click.option("--name", "display_name", default="", help="Full name.")
@click.option("--email", default="")
def user_add(username: str, role: str, unit_code: str | None, display_name: str,
             email: str) -> None:
    """Register USERNAME. The password is read from stdin (first line) when it is
    not a terminal, otherwise asked twice without echo."""
    password = read_password()
    current_run().store.service.add_user(username, role, password, unit=unit_code,
                                         display_name=display_name, email=email)
    click.echo(_("Đã tạo người dùng %(username)s (%(role)s).",
                 username=username.strip().lower(), role=role_name(role)))


def read_password() -> str:
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        password = click.prompt(_("Mật khẩu"), hide_input=True,
                                confirmation_prompt=_("Nhập lại mật khẩu"))
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise bad_input(_("chưa có mật khẩu (dòng đầu của stdin trống)"))
    return password


@user.command("grant")
@click.argument("username")
@click.option("--role", type=ROLES, required=True)
@click.option("--unit", "unit_code", metavar="CODE")
@click.option("--reason", required=True)
def user_grant(username: str, role: str, unit_code: str | None, reason: str) -> None:
    """Give USERNAME another role (and unit)."""
    current_run().store.service.grant_role(username, role, unit_code, reason)
    click.echo(_("Đã đổi vai trò của %(username)s.", username=username))


@user.command("deactivate")
@click.argument("username")
@click.option("--reason", required=True)
def user_deactivate(username: str, reason: str) -> None:
    """Stop USERNAME from signing in or acting."""
    current_run().store.service.deactivate_user(username, reason)
    click.echo(_("Đã vô hiệu hóa %(username)s.", username=username))


@user.command("reactivate")
@click.argument("username")
@click.option("--reason", required=True)
def user_reactivate(username: str, reason: str) -> None:
    """Let USERNAME sign in and act again."""
    current_run().store.service.reactivate_user(username, reason)
    click.echo(_("Đã kích hoạt lại %(username)s.", username=username))


@user.command("password")
@click.argument("username")
def user_password(username: str) -> None:
    """Set USERNAME's password (read like ``user add`` reads it)."""
    current_run().store.service.set_password(username, read_password())
    click.echo(_("Đã đặt mật khẩu mới cho %(username)s.", username=username))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def user_list(as_json: bool) -> None:
    """List the users (never their passwords)."""
    rows = queries.users(current_run().store)
    if as_json:
        echo_json(rows)
        return
    click.echo(table([_("Tên đăng nhập"), _("Họ tên"), _("Vai trò"), _("Đơn vị"),
                      _("Hoạt động")],
                     [(r["username"], r.get("display_name", ""),
                       translate(role_name(r["role"])),
                       r.get("unit") or "-",
                       _("có") if r.get("active", True) else _("không"))
                      for r in rows]))
