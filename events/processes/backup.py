"""Backup and restore of the whole log with its seal: ``export`` and ``import_file``.

``export`` streams every stored event, in position order, into the file of
``backup_format`` (gzip when the name ends in ``.gz``), reading the events table in
batches up to the position that was last when it began: the file is the log as it
stood then, whatever is recorded meanwhile. It is written beside the target and
renamed at the end, so a failed export leaves no half file.

``import_file`` fills an empty store from such a file: every line is checked while
its row goes in, with its position, in one transaction that any bad line rolls back
whole (``backup_table``). The read models then catch up from the imported log, and
the seal they rebuild must be the file's. Moving a store from SQLite to PostgreSQL
(or back) is exactly this round trip (docs/deployment.md).

With an evidence folder, the files the reports name travel too (``backup_evidence``).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from events.log import merkle
from events.log.evidence_files import EvidenceFiles
from events.log.records import record_json, record_of
from events.processes import backup_table
from events.processes.backup_evidence import EvidenceScan, copy_out, take_in
from events.processes.backup_format import BackupError, Reader, Record, Writer, bad_line
from events.queries.seal import current_root
from workflow.clock import now
from workflow.words import _

if TYPE_CHECKING:
    from events.system import System

__all__ = ["BackupError", "export", "import_file"]


def export(store: System, out_path: str | Path, evidence_dir: str | Path | None = None, *,
           files: EvidenceFiles | None = None) -> dict[str, Any]:
    """Write the whole log to ``out_path``; with ``evidence_dir``, copy there every
    evidence file the log names (named by its digest) from ``files`` (default: the
    instance's).

    Returns ``events``, ``size`` and ``root`` (the seal of the file), ``named`` (the
    evidence files the log names), ``evidence`` (files copied) and ``seconds``.
    Raises ``BackupError``; then no file is left."""
    started = time.perf_counter()
    out = Path(out_path)
    head = backup_table.last_position(store) or 0
    scan = EvidenceScan(store)
    try:
        handle, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.",
                                             suffix=".part")
    except OSError as error:
        raise _unwritable(out, error) from None
    temp = Path(temp_name)
    copied = 0
    try:
        with os.fdopen(handle, "wb") as raw, _compressing(raw, out) as stream:
            writer = Writer(stream)
            writer.header(now())
            for rows in backup_table.batches(store, head):
                writer.write([writer.event(record_json(row), merkle.leaf_hash(record_of(row)))
                              for row in rows])
                scan.add(rows)
            writer.trailer()
        if evidence_dir is not None:
            copied = copy_out(scan.digests, files or EvidenceFiles(), Path(evidence_dir))
        os.replace(temp, out)
    except OSError as error:
        raise _unwritable(out, error) from None
    finally:
        temp.unlink(missing_ok=True)
    size = writer.frontier.size
    return {"events": size, "size": size, "root": writer.frontier.root().hex(),
            "named": len(scan.digests), "evidence": copied,
            "seconds": time.perf_counter() - started}


def _compressing(raw: IO[bytes], out: Path) -> Any:
    if out.name.endswith(".gz"):
        # Level 6 (zlib's default) packs nearly as tight as 9, several times faster.
        return gzip.GzipFile(filename=out.name[:-3], mode="wb", fileobj=raw,
                             compresslevel=6, mtime=0)
    return contextlib.nullcontext(raw)


def _unwritable(path: Path, error: OSError) -> BackupError:
    return BackupError(_("không ghi được tệp “%(file)s” (%(reason)s)", file=path,
                         reason=error.strerror or type(error).__name__), unreadable=True)


def _unreadable(path: Path, error: OSError) -> BackupError:
    return BackupError(_("không đọc được tệp “%(file)s” (%(reason)s)", file=path,
                         reason=error.strerror or type(error).__name__), unreadable=True)


def import_file(store: System, in_path: str | Path, evidence_dir: str | Path | None = None,
                *, files: EvidenceFiles | None = None) -> dict[str, Any]:
    """Fill the empty ``store`` from the export at ``in_path``; with ``evidence_dir``,
    check there each evidence file the log names by its digest and keep it in
    ``files`` (default: the instance's).

    Returns ``events``, ``size``, ``root`` (the seal rebuilt, equal to the file's),
    ``named`` (the evidence files the log names), ``evidence`` (files kept),
    ``created_at`` (of the export) and ``seconds``. Raises
    ``BackupError``; then nothing was imported."""
    started = time.perf_counter()
    source = Path(in_path)
    folder = None if evidence_dir is None else Path(evidence_dir)
    if folder is not None and not folder.is_dir():
        raise BackupError(_("không có thư mục minh chứng “%(folder)s”", folder=folder),
                          unreadable=True)
    try:
        raw = source.open("rb")
    except OSError as error:
        raise _unreadable(source, error) from None
    scan = EvidenceScan(store)
    kept = 0
    with raw, (gzip.GzipFile(fileobj=raw, mode="rb") if source.name.endswith(".gz")
               else contextlib.nullcontext(raw)) as stream:
        reader = Reader(stream)
        with backup_table.exclusive(store) as conn:
            backup_table.load(store, conn, _checked(reader, source), scan.add)
            if folder is not None:
                kept = take_in(scan.digests, folder, files or EvidenceFiles())
    # Every read model catches up from nothing, as in a rebuild: in large batches, and
    # on PostgreSQL with its tables analysed as they grow.
    store.projections.build(store.projections.names)
    size, root = current_root(store)
    if (size, root) != (reader.size, reader.root):
        raise BackupError(_("đã nhập, nhưng dấu niêm phong dựng lại (%(size)s sự kiện, gốc "
                            "%(root)s) khác với dấu niêm phong của tệp; hãy chạy: nhiemvu "
                            "audit verify", size=size, root=root))
    return {"events": size, "size": size, "root": root, "named": len(scan.digests),
            "evidence": kept,
            "created_at": reader.created_at, "seconds": time.perf_counter() - started}


def _checked(reader: Reader, source: Path) -> Iterator[Record]:
    """The reader's records; a damaged compressed stream is a refused file too."""
    try:
        yield from reader
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise bad_line(reader.line + 1, _("tệp nén gzip bị hỏng (%(detail)s)",
                                          detail=error)) from None
    except OSError as error:
        raise _unreadable(source, error) from None
