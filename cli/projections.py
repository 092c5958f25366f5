"""``nhiemvu projections``: how far each read model is, what it parked; rebuild, retry."""

from __future__ import annotations

import click

from cli.output import echo_json, show_time, table
from cli.runtime import GuardedGroup, bad_input, current_run
from workflow.words import N_, NP_, _, translate

# A column names one row's thing: "Read model", where the web's page is "Read models".
A_READ_MODEL = NP_("column", "Bảng đọc")


@click.group(cls=GuardedGroup)
def projections() -> None:
    """Read models (bảng đọc): status, rebuild, retry of parked events."""


@projections.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Each read model's position in the log against the log's head, and the events
    it parked (could not apply), by position, with their error."""
    kept = current_run().store.projections
    rows = kept.status()
    parked = kept.parked()
    if as_json:
        for row in rows:
            row["parked_events"] = [p for p in parked if p["projection"] == row["name"]]
        echo_json(rows)
        return
    click.echo(table(
        [translate(A_READ_MODEL), _("Vị trí"), _("Đầu log"), _("Còn thiếu"), _("Số dòng"),
         _("Gác lại")],
        [(r["name"], r["position"], r["head"], r["behind"], r["rows"], r["parked"])
         for r in rows]))
    if parked:
        click.echo()
        click.echo(_("Sự kiện bị gác lại (chưa áp dụng được):"))
        click.echo(table(
            [_("Vị trí"), translate(A_READ_MODEL), _("Loại"), _("Lúc"), _("Lỗi")],
            [(p["position"], p["projection"], p["topic"], show_time(p["parked_at"]),
              p["error"]) for p in parked]))
        click.echo(_("Sửa nguyên nhân rồi chạy: nhiemvu projections retry"))


@projections.command()
@click.argument("name", required=False)
def retry(name: str | None) -> None:
    """Apply parked events of NAME (or of every read model) again, once their cause
    is fixed: the read model is rebuilt beside the live one, then swapped in."""
    kept = current_run().store.projections
    _known(kept, name)
    still = kept.retry(name)
    if not still:
        click.echo(_("Không có sự kiện nào bị gác lại."))
        return
    for projection, count in still.items():
        if count:
            click.echo(_("%(projection)s: vẫn còn %(count)s sự kiện bị gác lại.",
                         projection=projection, count=count))
        else:
            click.echo(_("%(projection)s: đã áp dụng mọi sự kiện bị gác lại.",
                         projection=projection))
    if any(still.values()):
        raise click.exceptions.Exit(1)


def _known(kept, name: str | None) -> None:
    if name is not None and name not in kept.names:
        raise bad_input(_("không có bảng đọc “%(name)s” (có: %(names)s)",
                          name=name, names=", ".join(kept.names)))


@projections.command()
@click.argument("name", required=False)
def rebuild(name: str | None) -> None:
    """Replay the whole log into new tables for NAME (or every read model), then swap
    them for the live ones: the views stay as they were until the new ones are done."""
    kept = current_run().store.projections
    _known(kept, name)
    events = kept.rebuild(name)
    click.echo(_("Đã dựng lại %(which)s từ %(events)s sự kiện.",
                 which=name or N_("tất cả"), events=events))
