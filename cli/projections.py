"""``nhiemvu projections``: how far each read model is, what it parked; rebuild, retry."""

from __future__ import annotations

import click

from cli.output import echo_json, show_time, table
from cli.runtime import GuardedGroup, bad_input, current_run, tr


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
        [tr("Bảng đọc", "Read model"), tr("Vị trí", "Position"), tr("Đầu log", "Head"),
         tr("Còn thiếu", "Behind"), tr("Số dòng", "Rows"), tr("Gác lại", "Parked")],
        [(r["name"], r["position"], r["head"], r["behind"], r["rows"], r["parked"])
         for r in rows]))
    if parked:
        click.echo()
        click.echo(tr("Sự kiện bị gác lại (chưa áp dụng được):",
                      "Parked events (could not be applied):"))
        click.echo(table(
            [tr("Vị trí", "Position"), tr("Bảng đọc", "Read model"), tr("Loại", "Topic"),
             tr("Lúc", "At"), tr("Lỗi", "Error")],
            [(p["position"], p["projection"], p["topic"], show_time(p["parked_at"]),
              p["error"]) for p in parked]))
        click.echo(tr("Sửa nguyên nhân rồi chạy: nhiemvu projections retry",
                      "Fix the cause, then run: nhiemvu projections retry"))


@projections.command()
@click.argument("name", required=False)
def retry(name: str | None) -> None:
    """Apply parked events of NAME (or of every read model) again, once their cause
    is fixed: the read model is rebuilt beside the live one, then swapped in."""
    kept = current_run().store.projections
    _known(kept, name)
    still = kept.retry(name)
    if not still:
        click.echo(tr("Không có sự kiện nào bị gác lại.", "No parked events."))
        return
    for projection, count in still.items():
        if count:
            click.echo(tr(f"{projection}: vẫn còn {count} sự kiện bị gác lại.",
                          f"{projection}: {count} events still parked."))
        else:
            click.echo(tr(f"{projection}: đã áp dụng mọi sự kiện bị gác lại.",
                          f"{projection}: every parked event is applied."))
    if any(still.values()):
        raise click.exceptions.Exit(1)


def _known(kept, name: str | None) -> None:
    if name is not None and name not in kept.names:
        raise bad_input(f"không có bảng đọc “{name}” (có: {', '.join(kept.names)})",
                        f"no read model '{name}' (there are: {', '.join(kept.names)})")


@projections.command()
@click.argument("name", required=False)
def rebuild(name: str | None) -> None:
    """Replay the whole log into new tables for NAME (or every read model), then swap
    them for the live ones: the views stay as they were until the new ones are done."""
    kept = current_run().store.projections
    _known(kept, name)
    events = kept.rebuild(name)
    which = name or tr("tất cả", "all")
    click.echo(tr(f"Đã dựng lại {which} từ {events} sự kiện.",
                  f"Rebuilt {which} from {events} events."))
