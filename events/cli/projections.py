"""``nhiemvu projections``: see how far each read model is, rebuild one or all."""

from __future__ import annotations

import click

from events.cli.output import echo_json, table
from events.cli.runtime import GuardedGroup, bad_input, current_run, tr


@click.group(cls=GuardedGroup)
def projections() -> None:
    """Read models (bảng đọc): status and rebuild."""


@projections.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Each read model's position in the log against the log's head."""
    rows = current_run().store.projections.status()
    if as_json:
        echo_json(rows)
        return
    click.echo(table(
        [tr("Bảng đọc", "Read model"), tr("Vị trí", "Position"), tr("Đầu log", "Head"),
         tr("Còn thiếu", "Behind"), tr("Số dòng", "Rows")],
        [(r["name"], r["position"], r["head"], r["behind"], r["rows"]) for r in rows]))


@projections.command()
@click.argument("name", required=False)
def rebuild(name: str | None) -> None:
    """Empty NAME (or every read model) and replay the whole log into it."""
    kept = current_run().store.projections
    if name is not None and name not in kept.names:
        raise bad_input(f"không có bảng đọc “{name}” (có: {', '.join(kept.names)})",
                        f"no read model '{name}' (there are: {', '.join(kept.names)})")
    events = kept.rebuild(name)
    which = name or tr("tất cả", "all")
    click.echo(tr(f"Đã dựng lại {which} từ {events} sự kiện.",
                  f"Rebuilt {which} from {events} events."))
