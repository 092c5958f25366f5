"""``nhiemvu export`` and ``nhiemvu import``: the whole log, with its seal, as a file.

Exit 1 when the file is refused (a line that does not check, an evidence file
missing or altered) or the store to import into is not empty; 2 when the path cannot
be read or written.
"""

from __future__ import annotations

from typing import Any

import click

from cli.runtime import CliError, GuardedCommand, bad_input, current_run
from events.processes import backup as backups
from events.processes.backup import BackupError
from workflow.words import _

EVIDENCE = click.option("--evidence", "evidence", metavar="DIR",
                        help="Folder of the evidence files, each named by its SHA-256.")


def register(main: click.Group) -> None:
    """Adds ``export`` and ``import`` to the main group."""
    main.add_command(export)
    main.add_command(import_)


def _refused(error: BackupError) -> CliError:
    return bad_input(error.message) if error.unreadable else CliError(error.message)


def _seal(done: dict[str, Any]) -> None:
    click.echo(_("Dấu niêm phong: %(size)s sự kiện, gốc %(root)s", size=done["size"],
                 root=done["root"]))


def _evidence_left(done: dict[str, Any]) -> None:
    if done["named"]:
        click.echo(_("Nhật ký nhắc tới %(count)s tệp minh chứng; các tệp này không được "
                     "chép (thêm --evidence DIR để chép).", count=done["named"]))


def _time(done: dict[str, Any]) -> str:
    seconds = done["seconds"]
    rate = round(done["events"] / seconds) if seconds > 0 else done["events"]
    return _("%(seconds)s giây, %(rate)s sự kiện/giây", seconds=f"{seconds:.1f}", rate=rate)


@click.command(cls=GuardedCommand)
@click.argument("file")
@EVIDENCE
def export(file: str, evidence: str | None) -> None:
    """Xuất toàn bộ nhật ký, kèm dấu niêm phong, ra tệp FILE.

    Write every event, in order, with the seal, to FILE (JSON Lines; gzip when FILE
    ends in .gz). With --evidence DIR, copy there the evidence files the log names.
    """
    try:
        done = backups.export(current_run().store, file, evidence)
    except BackupError as error:
        raise _refused(error) from None
    click.echo(_("Đã xuất %(events)s sự kiện vào %(file)s (%(time)s).", events=done["events"],
                 file=file, time=_time(done)))
    _seal(done)
    if evidence is not None:
        click.echo(_("Đã chép %(count)s tệp minh chứng vào %(folder)s.",
                     count=done["evidence"], folder=evidence))
    else:
        _evidence_left(done)


@click.command("import", cls=GuardedCommand)
@click.argument("file")
@EVIDENCE
def import_(file: str, evidence: str | None) -> None:
    """Nhập tệp FILE (của nhiemvu export) vào một kho trống.

    Fill an empty store from FILE (made by nhiemvu export): every line checked,
    nothing imported if one fails. With --evidence DIR, take the evidence files from
    DIR, each checked by its SHA-256.
    """
    try:
        done = backups.import_file(current_run().store, file, evidence)
    except BackupError as error:
        raise _refused(error) from None
    click.echo(_("Đã nhập %(events)s sự kiện từ %(file)s (%(time)s).", events=done["events"],
                 file=file, time=_time(done)))
    _seal(done)
    click.echo(_("Các bảng đọc đã dựng lại; dấu niêm phong khớp với tệp."))
    if evidence is not None:
        click.echo(_("Đã nhập %(count)s tệp minh chứng (đã kiểm mã SHA-256).",
                     count=done["evidence"]))
    else:
        _evidence_left(done)
