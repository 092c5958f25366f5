"""``nhiemvu audit log``: the audit log in people's words, filtered, printed or exported.

The same rows as the web's Nhật ký page with the same filters (every page of it),
newest first: as lines (``text``), a JSON array, or the export's CSV (UTF-8 with a
byte-order mark) or XLSX, streamed. ``-o FILE`` writes to a file; an XLSX is never
written to a terminal (exit 2): give ``-o FILE`` or redirect the output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

import click

from cli import params
from cli.output import output_file, plain, refuse_binary_on_terminal, show_time
from cli.runtime import bad_input, current_run
from cli.terminal import printable
from events.exports import audit_file
from events.queries.audit import audit_rows
from workflow.event_names import EVENT_NAMES
from workflow.words import _

FORMATS = ("text", "json", "csv", "xlsx")


@click.command("log")
@click.option("--actor", metavar="USERNAME", help="Only this person's events.")
@click.option("--unit", metavar="CODE", help="Only events filed under this unit.")
@click.option("--task", "task_ref", metavar="ID", help="Only this task (id or prefix).")
@click.option("--type", "event_type", metavar="TYPE",
              help="Only this type of event (e.g. ReportSubmitted).")
@click.option("--since", type=params.DATE, help="From this day (Vietnam), inclusive.")
@click.option("--until", type=params.DATE, help="Up to this day (Vietnam), inclusive.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Lines, JSON, CSV or XLSX.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE instead of standard output (XLSX needs it on a terminal).")
def log(actor: str | None, unit: str | None, task_ref: str | None, event_type: str | None,
        since: date | None, until: date | None, fmt: str, output: str | None) -> None:
    """Nhật ký theo lời người đọc: lọc theo người, đơn vị, nhiệm vụ, loại, ngày.

    The audit log in people's words, newest first; exports the same rows as CSV/XLSX.
    """
    run = current_run()
    if event_type and event_type not in EVENT_NAMES:
        raise bad_input(_("loại sự kiện “%(type)s” không có; các loại: %(types)s",
                          type=event_type, types=", ".join(EVENT_NAMES)))
    if fmt == "xlsx":
        refuse_binary_on_terminal(output, fmt)
    filters: dict[str, Any] = {
        "actor": (actor or "").strip().lower() or None,
        "unit": (unit or "").strip().upper() or None,
        "task": params.task_id(task_ref) if task_ref else None,
        "type": event_type, "since": since, "until": until}
    entries = audit_rows(run.store, **filters, locale=run.lang)
    with output_file(output) as out:
        if fmt == "csv":
            audit_file.write_audit_csv(out, entries, run.lang)
        elif fmt == "xlsx":
            audit_file.write_audit_xlsx(out, entries, run.lang)
        elif fmt == "json":
            _write_text(out, _json_chunks(entries))
        else:
            _write_text(out, _lines(entries))


def _write_text(out: IO[bytes], chunks: Iterable[str]) -> None:
    for chunk in chunks:
        out.write(chunk.encode("utf-8"))
    out.flush()


def _lines(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One line per event: when · who (username) · unit · type · what [· changes]."""
    empty = True
    for entry in entries:
        empty = False
        who = entry["actor_name"]
        if who != entry["actor"]:
            who = f"{who} ({entry['actor']})"
        parts = [show_time(entry["at"]), who, entry["unit"] or "-", entry["type_name"],
                 entry["summary"]]
        if entry["changes_text"]:
            parts.append(entry["changes_text"])
        yield printable(" · ".join(parts)) + "\n"
    if empty:
        yield _("Không có sự kiện nào khớp bộ lọc.") + "\n"


def _json_chunks(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one entry at a time: times with their offset, as ``--json`` elsewhere."""
    yield "["
    first = True
    for entry in entries:
        yield ("\n  " if first else ",\n  ") + json.dumps(plain(entry), ensure_ascii=False)
        first = False
    yield "\n]\n" if not first else "]\n"
