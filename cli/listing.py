"""Reading tasks: ``task list``, ``task show`` and ``summary``, from the read models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import click

from cli import params
from cli.audit import task_notice
from cli.output import echo_json, grade_name, show_date, show_time, state_name, table
from cli.runtime import GuardedCommand, current_run
from cli.tasks import task
from cli.terminal import printable
from events import queries
from events.queries import alerts as alert_queries
from events.queries.as_of import as_of as past_of
from workflow import grades, rules
from workflow.clock import local_today
from workflow.words import _

STATES = click.Choice(rules.STATES)
GRADES = click.Choice(grades.GRADES)


def task_json(row: dict[str, Any]) -> dict[str, Any]:
    """A board row as JSON: id, title, state, unit, deadline, version and the rest."""
    return dict(row)


@task.command("list")
@click.option("--state", type=STATES)
@click.option("--unit", "unit_code", metavar="CODE")
@click.option("--grade", type=GRADES)
@click.option("--pillar", metavar="P", help="CQS, KTS or XHS in the seed plan.")
@click.option("--q", "text", metavar="TEXT", help="Search titles (diacritics optional).")
@click.option("--due-before", type=params.DATE, help="Deadline before this day.")
@click.option("--overdue", is_flag=True, help="Only open tasks past their deadline.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--after", metavar="CURSOR", help="The cursor printed after a full page.")
@click.option("--as-of", "as_of", type=params.INSTANT,
              help="The list as it stood at this instant (ISO-8601, Vietnam time).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def task_list(state: str | None, unit_code: str | None, grade: str | None,
              pillar: str | None, text: str | None, due_before: date | None,
              overdue: bool, limit: int, after: str | None, as_of: datetime | None,
              as_json: bool) -> None:
    """List tasks, soonest deadline first (now, or as of an instant)."""
    with reading(as_of) as (store, today):
        page = queries.board(
            store, state=state, unit=unit_code.upper() if unit_code else None,
            grade=grade, pillar=pillar.upper() if pillar else None, q=text,
            deadline_to=due_before - timedelta(days=1) if due_before else None,
            overdue=overdue, limit=limit, after=after, today=today)
    if as_of is not None and not as_json:
        click.echo(_("Số liệu tại thời điểm %(at)s", at=show_time(as_of)))
    if as_json:
        echo_json({"tasks": [task_json(r) for r in page.rows],
                   "next_cursor": page.next_cursor,
                   **({"as_of": as_of, "position": store.position} if as_of else {})})
        return
    if not page.rows:
        click.echo(_("Không có nhiệm vụ nào."))
        return
    click.echo(table(
        [_("Mã"), _("Hạn"), _("Trạng thái"), _("Đánh giá"), _("Đơn vị"), _("Chỉ tiêu"),
         _("Tiêu đề")],
        [(str(r["id"])[:8], show_date(r["deadline"]), state_name(r["state"]),
          grade_name(r.get("grade")), r["unit"], r.get("target") or "-", r["title"])
         for r in page.rows]))
    if page.next_cursor:
        click.echo(_("Còn nữa: thêm --after %(cursor)s", cursor=page.next_cursor))


@task.command("show")
@click.argument("task_ref", metavar="ID")
@click.option("--history", is_flag=True, help="Also list every event of the task.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def task_show(task_ref: str, history: bool, as_json: bool) -> None:
    """Show one task (and its history)."""
    store = current_run().store
    task_id = params.task_id(task_ref)
    # Before the task is read: a record damaged enough not to replay is still named.
    notice = task_notice(task_id.hex)
    if notice:
        click.echo(notice, err=as_json)  # JSON stays JSON on stdout
    found = store.service.get_task(task_id)
    data = {
        "id": str(task_id), "title": found.title, "description": found.description,
        "state": found.state, "unit": found.unit, "plan": found.plan,
        "target": found.target, "deadline": found.deadline,
        "original_deadline": found.original_deadline, "extensions": found.extensions,
        "percent": found.percent, "reported_value": found.reported_value,
        "verified_value": found.verified_value, "assigned_by": found.assigned_by,
        "reported_by": found.reported_by, "version": found.version,
    }
    entries = (alert_queries.task_history_with_alerts(store, task_id, current_run().lang)
               if history or as_json else [])
    if as_json:
        data["history"] = [{key: e.get(key) for key in
                            ("version", "type", "actor", "at", "summary", "data")}
                           for e in entries]
        echo_json(data)
        return
    described = _("Mô tả")
    lines = [
        (_("Mã"), str(task_id)),
        (_("Tiêu đề"), found.title),
        (_("Trạng thái"), state_name(found.state)),
        (_("Đơn vị"), found.unit),
        (_("Chỉ tiêu"), f"{found.target} ({found.plan})" if found.target else "-"),
        (_("Hạn"), show_date(found.deadline) + (
            " " + _("(hạn ban đầu %(date)s)", date=show_date(found.original_deadline))
            if found.extensions else "")),
        (_("Tiến độ"), f"{found.percent}%" if found.percent is not None else "-"),
        (_("Phiên bản"), str(found.version)),
        (described, found.description or "-"),
    ]
    width = max(len(label) for label, _value in lines)
    for label, value in lines:
        # Only the description may span lines; a line break elsewhere could forge a row.
        shown = printable(value, lines=label == described)
        click.echo(f"{label.ljust(width)}  {shown}")
    if history:
        click.echo()
        click.echo(table([_("Phiên bản"), _("Thời gian"), _("Người thực hiện"), _("Sự kiện")],
                         [(e["version"], show_time(e["at"]), e["actor"],
                           e.get("summary") or e["type"]) for e in entries]))


@contextmanager
def reading(as_of: datetime | None) -> Iterator[tuple[Any, date]]:
    """The store to read and the day to grade for: now, or as of an instant."""
    store = current_run().store
    if as_of is None:
        yield store, local_today()
        return
    with past_of(store, as_of) as past:
        yield past, past.today


@click.command("summary", cls=GuardedCommand)
@click.option("--as-of", "as_of", type=params.INSTANT,
              help="The counts as they stood at this instant (ISO-8601, Vietnam time).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def summary(as_of: datetime | None, as_json: bool) -> None:
    """Counts by state, tasks due within 7 days, overdue tasks (now, or as of an instant)."""
    with reading(as_of) as (store, today):
        counts = queries.counts(store, today=today)
        due_soon = queries.due_soon(store, days=7, today=today)
        overdue = queries.overdue(store, today=today)
    if as_of is not None and not as_json:
        click.echo(_("Số liệu tại thời điểm %(at)s", at=show_time(as_of)))
    if as_json:
        echo_json({"today": today, "total": counts["total"], "by_state": counts["by_state"],
                   **({"as_of": as_of, "position": store.position} if as_of else {}),
                   "by_grade": counts.get("by_grade", {}), "due_soon": counts["due_soon"],
                   "overdue": counts["overdue"],
                   "due_soon_tasks": [task_json(r) for r in due_soon],
                   "overdue_tasks": [task_json(r) for r in overdue]})
        return
    click.echo(_("Tổng hợp nhiệm vụ ngày %(today)s: %(total)s nhiệm vụ",
                 today=show_date(today), total=counts["total"]))
    click.echo(table([_("Trạng thái"), _("Số nhiệm vụ")],
                     [(state_name(s), counts["by_state"].get(s, 0))
                      for s in rules.STATES]))
    for label, count, rows in ((_("Sắp đến hạn (7 ngày)"), counts["due_soon"], due_soon),
                               (_("Quá hạn"), counts["overdue"], overdue)):
        click.echo()
        click.echo(f"{label}: {count}")
        if rows:
            click.echo(table([_("Mã"), _("Hạn"), _("Đơn vị"), _("Tiêu đề")],
                             [(str(r["id"])[:8], show_date(r["deadline"]), r["unit"],
                               r["title"]) for r in rows]))
