"""``nhiemvu audit``: the sealed log — verify it, print its checkpoint, prove; and
``log``, the audit log itself in people's words (``cli/audit_log.py``).

``verify`` recomputes the seal from the stored events and records what it found;
``seal`` prints the latest checkpoint (size, root, time), to be written down outside
the system; ``prove`` and ``consistency`` print proofs that the standalone script of
``docs/audit.md`` checks without trusting this program. Exit 1 when the log is
damaged or a proof does not hold, 2 for bad input.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import UUID

import click

from cli.audit_log import log
from cli.output import echo_json, show_time
from cli.runtime import CliError, GuardedGroup, bad_input, current_run
from events.processes import sealing
from events.queries import seal as seal_queries
from events.queries.seal import Checkpoint
from workflow.seal import consistency_sentence, damage_name
from workflow.words import _, translate

# What verifying logs (in English, for operators' logs) this command says itself, in
# the run's language: without a handler Python would print it to the terminal too.
logging.getLogger("nhiemvu.seal").addHandler(logging.NullHandler())
# Positions and sizes are 64-bit in the store; a larger number is no position at all.
COUNT = click.IntRange(1, 2**63 - 1)
_ROOT = re.compile(r"[0-9a-fA-F]{64}")


def kind_name(kind: str | None) -> str:
    """The damage's kind in the run's language."""
    return translate(damage_name(kind), current_run().lang)


def record_name(record: str | None) -> str:
    """An aggregate id (32 hex digits, as the seal keeps it) as ``task show`` takes it."""
    try:
        return str(UUID(hex=record)) if record else "-"
    except ValueError:
        return str(record)


@click.group(cls=GuardedGroup)
def audit() -> None:
    """Nhật ký niêm phong: kiểm tra, điểm chốt, bằng chứng.

    The sealed log: verify, checkpoint, proofs; the audit log itself (log).
    """


audit.add_command(log)


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(as_json: bool) -> None:
    """Tính lại dấu niêm phong từ các sự kiện đã lưu và ghi nhận kết quả.

    Recompute the seal from the stored events, record the result; exit 1 if damaged.
    """
    result = sealing.verify_and_record(current_run().store)
    if as_json:
        echo_json(result)
    elif result["intact"]:
        click.echo(_("Nhật ký nguyên vẹn: %(size)s sự kiện đã niêm phong, gốc %(root)s; "
                     "đã đọc lại %(checked)s bản ghi.", size=result["size"],
                     root=result["root"], checked=result["checked"]))
    else:
        click.echo(damage_line(result["position"], result["kind"]))
        click.echo(_("Đối tượng của bản ghi: %(record)s; số chỗ khác với dấu niêm phong: "
                     "%(problems)s; đã đọc lại %(checked)s bản ghi.",
                     record=record_name(result["record"]), problems=result["problems"],
                     checked=result["checked"]))
    if not result["intact"]:
        raise click.exceptions.Exit(1)


def damage_line(position: int | None, kind: str | None) -> str:
    if position is None:
        return _("Nhật ký bị thay đổi: %(kind)s.", kind=kind_name(kind))
    return _("Nhật ký bị thay đổi tại vị trí %(position)s: %(kind)s.",
             position=position, kind=kind_name(kind))


def _latest() -> Checkpoint:
    """The latest checkpoint, recorded now if the log grew since: it covers the log."""
    latest = sealing.checkpoint(current_run().store, "request")
    if latest is None:
        raise CliError(_("nhật ký chưa có sự kiện nào, chưa có gì để niêm phong"))
    return latest


@audit.command("seal")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: size, root, at.")
def seal(as_json: bool) -> None:
    """In điểm chốt mới nhất: số sự kiện, gốc, thời điểm.

    Print the latest checkpoint (size, root, at), to write down outside the system.
    """
    latest = _latest()
    if as_json:
        echo_json(latest.as_json())
        return
    lines = [(_("Số sự kiện đã niêm phong"), str(latest.size)),
             (_("Gốc (SHA-256)"), latest.root),
             (_("Lúc"), show_time(latest.at))]
    width = max(len(label) for label, _value in lines)
    click.echo(_("Điểm chốt mới nhất của nhật ký niêm phong:"))
    for label, value in lines:
        click.echo(f"  {label.ljust(width)}  {value}")
    click.echo(_("Hãy ghi số sự kiện và gốc này ở nơi ngoài hệ thống; sau này kiểm tra "
                 "bằng: nhiemvu audit consistency %(size)s %(root)s",
                 size=latest.size, root=latest.root))


@audit.command("prove")
@click.argument("position", type=COUNT)
def prove(position: int) -> None:
    """In bằng chứng (JSON) rằng sự kiện tại POSITION nằm trong điểm chốt mới nhất.

    Print an inclusion proof of the event at POSITION against the latest checkpoint.
    """
    latest = _latest()
    try:
        proof = seal_queries.inclusion_proof(current_run().store, position, latest)
    except LookupError:
        raise CliError(_("vị trí %(position)s không có trong nhật ký đã niêm phong "
                         "(%(size)s sự kiện)", position=position, size=latest.size)) from None
    except ValueError:
        raise CliError(_("bản ghi tại vị trí %(position)s bị hỏng: nó không còn khớp với "
                         "dấu niêm phong, không có bằng chứng nào cho nó; chạy nhiemvu "
                         "audit verify", position=position)) from None
    echo_json(proof)


@audit.command("consistency")
@click.argument("size", type=COUNT)
@click.argument("root")
def consistency(size: int, root: str) -> None:
    """In bằng chứng (JSON) rằng nhật ký hôm nay nối tiếp điểm chốt SIZE/ROOT cũ.

    Prove that today's log extends an earlier checkpoint: exit 0 when it does, 1 when
    it does not (a forged or foreign root, or more events than the log holds).
    """
    if not _ROOT.fullmatch(root.strip()):
        raise bad_input(_("gốc “%(root)s” không hợp lệ: cần đúng 64 chữ số hex", root=root))
    root = root.strip().lower()
    latest = _latest()
    try:
        proof = seal_queries.consistency_proof(current_run().store, size, root, latest)
    except LookupError:
        raise CliError(_("dấu niêm phong đã lưu bị hỏng, không lập được bằng chứng; chạy "
                         "nhiemvu audit verify")) from None
    echo_json(proof)
    if not proof["consistent"]:
        click.echo(consistency_sentence(False, size, latest.size), err=True)
        raise click.exceptions.Exit(1)


def task_notice(task_hex: str) -> str | None:
    """The notice ``task show`` prints when the last verification found this task's
    record damaged, or None."""
    found: dict[str, Any] | None = seal_queries.damage(current_run().store)
    if found is None or found.get("record") != task_hex:
        return None
    return _("Cảnh báo: nhật ký của nhiệm vụ này bị thay đổi tại vị trí %(position)s "
             "(%(kind)s); lịch sử dưới đây có thể không đúng.",
             position=found.get("damaged_position"), kind=kind_name(found.get("kind")))

