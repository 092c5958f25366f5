"""``nhiemvu report``: period reports (báo cáo định kỳ) — issue, list, show.

``issue`` records ``PeriodReportIssued`` and prints the report's id; ``show`` renders
an issued report again from the log position it is pinned to, as text, as its
canonical JSON (the bytes its digest is taken over, the same every time), or as
CSV (one table), XLSX or DOCX. Exit 1 when the rules refuse (or a rendered report
no longer matches its digest), 2 for bad input.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import IO, Any

import click

from cli.output import echo_json, output_file, refuse_binary_on_terminal, show_time, table
from cli.report_text import render, title_of
from cli.runtime import CliError, GuardedGroup, bad_input, current_run
from events.exports.report_docx import write_report_docx
from events.exports.report_tables import write_report_csv, write_report_xlsx
from events.processes import reporting
from events.queries import reports as report_queries
from workflow import validate
from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError
from workflow.periods import PeriodError
from workflow.words import _

FORMATS = ("text", "json", "csv", "xlsx", "docx")
# The tables of a report, one CSV each (events.exports.report_tables.REPORT_TABLES).
TABLES = ("units", "pillars", "targets", "completed", "overdue")
BINARY = frozenset({"xlsx", "docx"})


def register(main: click.Group) -> None:
    main.add_command(report)


def parse_cutoff(text: str) -> datetime:
    """An ISO date-time (Vietnam's time without an offset), or a date: its last second."""
    typed = text.strip()
    try:
        moment = (datetime.combine(date.fromisoformat(typed), time(23, 59, 59))
                  if len(typed) == 10 else datetime.fromisoformat(typed))
    except ValueError:
        raise bad_input(_("thời điểm chốt “%(text)s” không hợp lệ; nhập ví dụ "
                          "2025-06-30T17:00 hoặc 2025-06-30", text=text)) from None
    try:
        validate.day(moment.date())
    except DomainError as error:
        raise bad_input(error.message(current_run().lang)) from None
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


@click.group(cls=GuardedGroup)
def report() -> None:
    """Báo cáo định kỳ: ban hành, danh sách, xem.

    Period reports: issue, list, show.
    """


@report.command("issue")
@click.option("--as", "actor", required=True, metavar="USER",
              help="The username of who issues it (a leader or an auditor).")
@click.option("--period", required=True, metavar="PERIOD",
              help="2025-06, 2025-Q2, 2025-H1, 2025, or 2025-04-15..2025-06-14.")
@click.option("--cutoff", "cutoff_text", metavar="ISO",
              help="The data cut-off (Vietnam time; a date means its last second). "
                   "Default: 23:59:59 on the period's last day, or now while it runs.")
@click.option("--number", default="", metavar="TEXT", help="The report's number, e.g. 15/BC-UBND.")
def issue(actor: str, period: str, cutoff_text: str | None, number: str) -> None:
    """Ban hành báo cáo định kỳ và in mã của nó.

    Issue a period report (recorded in the log, with a seal checkpoint); print its id.
    """
    cutoff = parse_cutoff(cutoff_text) if cutoff_text else None
    try:
        report_id = reporting.issue(current_run().store, actor, period, cutoff, number)
    except PeriodError as error:
        raise bad_input(error.message(current_run().lang)) from None
    click.echo(str(report_id))


@report.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_reports(as_json: bool) -> None:
    """Các báo cáo đã ban hành, mới nhất trước.

    Issued reports, the most recent first.
    """
    found = report_queries.issued_reports(current_run().store)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo(_("Chưa có báo cáo nào được ban hành."))
        return
    click.echo(table(
        [_("Mã"), _("Báo cáo"), _("Chốt số liệu"), _("Người ban hành"), _("Ban hành lúc")],
        [[r["id"][:8], title_of(r), show_time(datetime.fromisoformat(r["cutoff"])),
          r["issued_by"], show_time(datetime.fromisoformat(r["issued_at"]))]
         for r in found]))


@report.command("show")
@click.argument("report_ref", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="text, json (the canonical content), csv, xlsx, docx.")
@click.option("--table", "table_name", type=click.Choice(TABLES),
              help="The table a CSV holds (csv only).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def show(report_ref: str, fmt: str, table_name: str | None, output: str | None) -> None:
    """In lại một báo cáo đã ban hành, đúng như khi ban hành.

    Print an issued report again, exactly as issued; exit 1 if its digest no longer matches.
    """
    run = current_run()
    if fmt == "csv" and table_name is None:
        raise bad_input(_("định dạng csv cần --table, một trong: %(tables)s",
                          tables=", ".join(TABLES)))
    if fmt in BINARY:
        refuse_binary_on_terminal(output, fmt)
    try:
        found = report_queries.issued_report(run.store, report_ref, run.lang)
    except LookupError:
        raise CliError(_("không tìm thấy báo cáo “%(id)s”", id=report_ref)) from None
    with output_file(output) as out:
        _write(out, fmt, found, table_name, run.lang)
    if not found["digest_matches"]:
        click.echo(_("Cảnh báo: nội dung dựng lại không khớp với mã băm đã ghi khi ban hành "
                     "(%(digest)s); hãy chạy nhiemvu audit verify.", digest=found["digest"]),
                   err=True)
        raise click.exceptions.Exit(1)


def _write(out: IO[bytes], fmt: str, found: dict[str, Any], table_name: str | None,
           locale: str) -> None:
    if fmt == "text":
        out.write(("\n".join(render(found)) + "\n").encode("utf-8"))
    elif fmt == "json":
        out.write(report_queries.canonical(found["content"]) + b"\n")
    elif fmt == "csv":
        write_report_csv(out, found, table_name, locale)
    elif fmt == "xlsx":
        write_report_xlsx(out, found, locale)
    else:
        write_report_docx(out, found, locale)
