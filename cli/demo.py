"""``nhiemvu demo``: fill an empty store with labelled sample data."""

from __future__ import annotations

import click

from cli.output import table
from cli.runtime import CliError, GuardedCommand, bad_input, current_run
from events.demo import sample as demo
from events.log.evidence_files import EvidenceFiles
from workflow import passwords
from workflow.errors import DomainError, role_name
from workflow.words import _, translate


def register(main: click.Group) -> None:
    main.add_command(demo_cmd)


@click.command("demo", cls=GuardedCommand)
@click.option("--password", metavar="PW",
              help="Give every demo user this password (otherwise each gets a "
                   "generated one, printed once).")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (exit 0) when the store already has data.")
def demo_cmd(password: str | None, if_empty: bool) -> None:
    """Fill an EMPTY store with sample units, users, the seed plan and tasks."""
    run = current_run()
    if password is not None and not password.strip():
        raise bad_input(_("mật khẩu --password không được để trống"))
    if password is not None:
        # Checked before anything is written: the service would refuse the first
        # user only after the units were created.
        try:
            passwords.check_new_password(password)
        except DomainError as short:
            raise bad_input(short.message(run.lang)) from None
    if run.store.service.recorder.max_notification_id():
        if if_empty:
            click.echo(_("Kho dữ liệu đã có dữ liệu; không tạo dữ liệu mẫu."))
            return
        raise _not_empty()
    run.close()  # the demo opens the store with its own clock
    try:
        users = demo.fill(run.database, password=password, files=EvidenceFiles())
    except demo.StoreNotEmpty:
        raise _not_empty() from None
    click.echo(_("Đã tạo dữ liệu mẫu: %(units)s đơn vị, %(users)s người dùng, kế hoạch mẫu "
                 "và %(tasks)s nhiệm vụ.", units=len(demo.UNITS), users=len(users),
                 tasks=len(demo.TASKS)))
    if password is not None:
        # The caller chose the password and `nhiemvu user list` lists the accounts
        # (`make run` prints them that way on every start): one list, not two.
        return
    headers = [_("Tên đăng nhập"), _("Vai trò"), _("Đơn vị"), _("Mật khẩu (chỉ hiện lần này)")]
    rows = [[user.username, translate(role_name(user.role)), user.unit or "-", user.password]
            for user in users]
    click.echo(table(headers, rows))


def _not_empty() -> CliError:
    return CliError(_("kho dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ tạo trên kho trống "
                      "(dùng --if-empty để bỏ qua)"))
