"""Operator commands: the store, the plan, units and users.

The operator at the console acts as the system (``workflow.rules.SYSTEM``): these
are the commands that set up who may do what in the first place.
"""

from __future__ import annotations

import sys

import click

from cli.output import echo_json, table
from cli.runtime import GuardedGroup, bad_input, current_run, tr
from events import queries
from workflow import plan_file
from workflow.errors import role_name
from workflow.rules import Role
from workflow.words import translate


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
    click.echo(tr(f"Kho dữ liệu đã sẵn sàng: {events} sự kiện; bảng đọc vừa cập nhật "
                  f"{applied} sự kiện.",
                  f"The store is ready: {events} events; read models caught up "
                  f"{applied} events."))


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
        raise bad_input(f"không đọc được tệp kế hoạch “{file}” ({reason})",
                        f"cannot read the plan file '{file}' ({reason})") from None
    changed = current_run().store.service.import_plan(content)
    code, count = content["code"], len(content["targets"])
    if changed:
        click.echo(tr(f"Đã nhập kế hoạch {code} ({count} chỉ tiêu).",
                      f"Imported the plan {code} ({count} targets)."))
    else:
        click.echo(tr(f"Kế hoạch {code} không thay đổi; không ghi gì thêm.",
                      f"The plan {code} is unchanged; nothing recorded."))


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
    click.echo(tr(f"Đã tạo đơn vị {code.strip().upper()}.",
                  f"Created the unit {code.strip().upper()}."))


@unit.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def unit_list(as_json: bool) -> None:
    """List the units."""
    rows = queries.units(current_run().store)
    if as_json:
        echo_json(rows)
        return
    click.echo(table([tr("Mã", "Code"), tr("Tên", "Name"), tr("Loại", "Kind"),
                      tr("Hoạt động", "Active")],
                     [(r["code"], r["name"], r.get("kind") or "-",
                       tr("có", "yes") if r.get("active", True) else tr("không", "no"))
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
    role_vi = role_name(role)
    role_en = translate(role_vi, "en")
    click.echo(tr(f"Đã tạo người dùng {username.strip().lower()} ({role_vi}).",
                  f"Created the user {username.strip().lower()} ({role_en})."))


def read_password() -> str:
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        password = click.prompt(tr("Mật khẩu", "Password"), hide_input=True,
                                confirmation_prompt=tr("Nhập lại mật khẩu",
                                                       "Repeat the password"))
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise bad_input("chưa có mật khẩu (dòng đầu của stdin trống)",
                        "no password (the first line of stdin is empty)")
    return password


@user.command("grant")
@click.argument("username")
@click.option("--role", type=ROLES, required=True)
@click.option("--unit", "unit_code", metavar="CODE")
@click.option("--reason", required=True)
def user_grant(username: str, role: str, unit_code: str | None, reason: str) -> None:
    """Give USERNAME another role (and unit)."""
    current_run().store.service.grant_role(username, role, unit_code, reason)
    click.echo(tr(f"Đã đổi vai trò của {username}.", f"Changed the role of {username}."))


@user.command("deactivate")
@click.argument("username")
@click.option("--reason", required=True)
def user_deactivate(username: str, reason: str) -> None:
    """Stop USERNAME from signing in or acting."""
    current_run().store.service.deactivate_user(username, reason)
    click.echo(tr(f"Đã vô hiệu hóa {username}.", f"Deactivated {username}."))


@user.command("reactivate")
@click.argument("username")
@click.option("--reason", required=True)
def user_reactivate(username: str, reason: str) -> None:
    """Let USERNAME sign in and act again."""
    current_run().store.service.reactivate_user(username, reason)
    click.echo(tr(f"Đã kích hoạt lại {username}.", f"Reactivated {username}."))


@user.command("password")
@click.argument("username")
def user_password(username: str) -> None:
    """Set USERNAME's password (read like ``user add`` reads it)."""
    current_run().store.service.set_password(username, read_password())
    click.echo(tr(f"Đã đặt mật khẩu mới cho {username}.",
                  f"Set a new password for {username}."))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def user_list(as_json: bool) -> None:
    """List the users (never their passwords)."""
    rows = queries.users(current_run().store)
    if as_json:
        echo_json(rows)
        return
    click.echo(table([tr("Tên đăng nhập", "Username"), tr("Họ tên", "Name"),
                      tr("Vai trò", "Role"), tr("Đơn vị", "Unit"),
                      tr("Hoạt động", "Active")],
                     [(r["username"], r.get("display_name", ""), r["role"],
                       r.get("unit") or "-",
                       tr("có", "yes") if r.get("active", True) else tr("không", "no"))
                      for r in rows]))
