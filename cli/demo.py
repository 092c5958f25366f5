"""``nhiemvu demo``: fill an empty store with labelled sample data."""

from __future__ import annotations

import click

from cli.output import table
from cli.runtime import CliError, GuardedCommand, bad_input, current_run, tr
from events.demo import sample as demo
from events.log.evidence_files import EvidenceFiles
from workflow import passwords
from workflow.errors import DomainError, role_name
from workflow.words import translate


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
        raise bad_input("mật khẩu --password không được để trống",
                        "--password must not be empty")
    if password is not None:
        # Checked before anything is written: the service would refuse the first
        # user only after the units were created.
        try:
            passwords.check_new_password(password)
        except DomainError as short:
            raise bad_input(short.message("vi"), short.message("en")) from None
    if run.store.service.recorder.max_notification_id():
        if if_empty:
            click.echo(tr("Kho dữ liệu đã có dữ liệu; không tạo dữ liệu mẫu.",
                          "The store already has data; no demo data added."))
            return
        raise _not_empty()
    run.close()  # the demo opens the store with its own clock
    try:
        users = demo.fill(run.database, password=password, files=EvidenceFiles())
    except demo.StoreNotEmpty:
        raise _not_empty() from None
    click.echo(tr(f"Đã tạo dữ liệu mẫu: {len(demo.UNITS)} đơn vị, {len(users)} người "
                  f"dùng, kế hoạch mẫu và {len(demo.TASKS)} nhiệm vụ.",
                  f"Demo data created: {len(demo.UNITS)} units, {len(users)} users, "
                  f"the seed plan and {len(demo.TASKS)} tasks."))
    headers = [tr("Tên đăng nhập", "Username"), tr("Vai trò", "Role"),
               tr("Đơn vị", "Unit")]
    if password is None:
        headers.append(tr("Mật khẩu (chỉ hiện lần này)", "Password (shown once)"))
    rows = []
    for user in users:
        role = translate(role_name(user.role), run.lang)
        row = [user.username, role, user.unit or "-"]
        if password is None:
            row.append(user.password)
        rows.append(row)
    click.echo(table(headers, rows))


def _not_empty() -> CliError:
    return CliError(tr("kho dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ tạo trên kho trống "
                       "(dùng --if-empty để bỏ qua)",
                       "the store already has data; demo data only goes into an empty "
                       "store (use --if-empty to skip)"))
