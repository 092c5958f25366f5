"""``nhiemvu alerts sweep|send|inbox`` and ``nhiemvu scheduler``: deadline alerts by hand.

``alerts sweep`` is what cron or a systemd timer runs when the scheduler is off.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime
from typing import TypeVar

import click

from cli.output import echo_json, show_time, table
from cli.runtime import BAD_INPUT, CliError, GuardedGroup, bad_input, current_run
from events.processes.mail import MailConfig, send_pending
from events.processes.scheduler import SchedulerConfig, build_scheduler
from events.processes.sweep import now_of, sweep
from events.queries import alerts as alert_queries
from workflow import validate
from workflow.alerts import AlertPolicy
from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError
from workflow.words import N_, NP_, _, translate

T = TypeVar("T")


def register(main: click.Group) -> None:
    main.add_command(alerts)
    main.add_command(scheduler)


def parse_moment(text: str) -> datetime:
    """An ISO date-time within the date window; without an offset it is Vietnam's time.

    A year such as 9999 is refused at once (exit 2): the sweep would otherwise walk
    every day up to it.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise bad_input(_("thời điểm “%(text)s” không hợp lệ; nhập ví dụ 2025-03-10T08:00",
                          text=text)) from None
    try:
        validate.day(moment.date())
    except DomainError as error:
        raise CliError(error.message(current_run().lang), BAD_INPUT) from None
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


def _settings(read: Callable[[Mapping[str, str]], T]) -> T:
    """A setting read from the environment; a bad one is bad input, not a traceback."""
    try:
        return read(os.environ)
    except ValueError as error:
        raise bad_input(_("cấu hình không hợp lệ: %(error)s", error=error)) from None


@click.group(cls=GuardedGroup)
def alerts() -> None:
    """Cảnh báo hạn nhiệm vụ. / Deadline alerts."""


@alerts.command("sweep")
@click.option("--at", "at_text", metavar="ISO-DATETIME",
              help="Quét như thể lúc này (giờ Việt Nam nếu không ghi múi giờ). / Sweep as of.")
@click.option("--mail/--no-mail", default=None,
              help="Xếp thư ngay (mặc định: từ 07:00). / Queue mail now (default: from 07:00).")
@click.option("--allow-future", is_flag=True,
              help="Cho phép --at sau hiện tại (diễn tập, kiểm thử). / Allow a future --at.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sweep_command(at_text: str | None, mail: bool | None, allow_future: bool,
                  as_json: bool) -> None:
    """Quét hạn một lần và ghi nhận các cảnh báo đến hạn. / Run one deadline sweep.

    Ghi cảnh báo vào kho thật và xếp thư; --at trong quá khứ là quét bù.
    / Records alerts in the real store and queues mail; a past --at is a catch-up.
    """
    policy = _settings(AlertPolicy.from_env)
    at = parse_moment(at_text) if at_text else None
    # A future sweep would write alerts dated in the future into the real store.
    if at is not None and not allow_future and at > now_of(current_run().store):
        raise bad_input(_("thời điểm --at “%(text)s” ở tương lai: lần quét sẽ ghi cảnh báo "
                          "đề ngày tương lai vào kho thật; thêm --allow-future nếu đây "
                          "là diễn tập", text=at_text))
    result = sweep(current_run().store, at=at, policy=policy, mail=mail)
    if as_json:
        echo_json(result.__dict__)
        return
    click.echo(_("Quét hạn lúc %(at)s: %(raised)s cảnh báo mới (%(due)s đến hạn), "
                 "%(digests)s thư chờ gửi.", at=show_time(result.at), raised=result.raised,
                 due=result.due, digests=result.digests))


@alerts.command("send")
def send_command() -> None:
    """Gửi các thư đang chờ qua SMTP. / Send the queued mail now."""
    config = _settings(MailConfig.from_env)
    if config is None:
        raise bad_input(_("chưa đặt NHIEMVU_SMTP_URL"))
    result = send_pending(current_run().store, config)
    click.echo(_("Đã gửi %(sent)s thư, %(failed)s thư lỗi (sẽ gửi lại).",
                 sent=result.sent, failed=result.failed))


@alerts.command("inbox")
@click.argument("username")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
def inbox_command(username: str, limit: int) -> None:
    """Các cảnh báo gửi tới một người. / A person's alerts, newest first."""
    store = current_run().store
    rows = alert_queries.inbox(store, username, limit=limit)
    # A column names one row's thing: "Task", where the web's page is "Tasks".
    click.echo(table([_("Lúc"), translate(NP_("column", "Nhiệm vụ")),
                      translate(NP_("column", "Cảnh báo")), ""],
                     [(show_time(r["at"]), r["title"], r["summary"], "*" if r["unread"] else "")
                      for r in rows]))
    click.echo(_("Chưa đọc: %(count)s", count=alert_queries.unread_count(store, username)))


@click.command(cls=GuardedGroup.command_class)
def scheduler() -> None:
    """Chạy bộ hẹn giờ (quét hạn, thư buổi sáng) đến khi dừng (Ctrl+C).

    Runs the alert scheduler alone; set NHIEMVU_SCHEDULER=off on the web servers.
    """
    config = _settings(SchedulerConfig.from_env)
    # A service manager's journal is where an operator looks for what the jobs did.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    run = current_run()
    store = run.store
    morning = f"{config.morning:%H:%M}"
    click.echo(_("Bộ hẹn giờ chạy: quét mỗi %(every)s, thư sáng lúc %(morning)s, "
                 "SMTP %(smtp)s.", every=config.sweep_every, morning=morning,
                 smtp=N_("bật") if config.mail else N_("tắt")))
    # Ctrl+C or a service manager's stop ends the run normally.
    with suppress(KeyboardInterrupt, SystemExit):
        build_scheduler(lambda: store, config, blocking=True).start()
