"""Evidence files travelling with a backup: found in the log, checked by their digests.

A report's evidence is recorded as its SHA-256 (``workflow.evidence``), its bytes
kept by digest in the instance (``events.log.evidence_files``). An export copies
each file the log names into one folder, each named by its digest; an import takes
each back from there only when the SHA-256 of its bytes is that name, and keeps it
in the new instance only if the import as a whole succeeds (it is staged meanwhile).
A file that is missing, or whose bytes no longer give its digest, is refused by name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import resolve_topic

from events.log.evidence_files import CHUNK, DIGEST, EvidenceFiles
from events.processes.backup_format import BackupError
from events.readmodels.decoding import LogDecoder
from workflow.errors import DomainError
from workflow.task import Task
from workflow.words import _

if TYPE_CHECKING:
    from events.system import System


class EvidenceScan:
    """The digests of every evidence file named by the events given to ``add``."""

    def __init__(self, store: System):
        self._decode = LogDecoder(store.service.mapper)
        self._reports: dict[str, bool] = {}
        self.digests: set[str] = set()

    def _is_report(self, topic: str) -> bool:
        if topic not in self._reports:
            try:
                # Reports and (since ProgressNoted v2) progress notes carry evidence.
                self._reports[topic] = resolve_topic(topic) in (Task.ReportSubmitted,
                                                                Task.ProgressNoted)
            except Exception:  # noqa: BLE001 - an unknown topic names no evidence
                self._reports[topic] = False
        return self._reports[topic]

    def add(self, rows: Iterable[Any]) -> None:
        """Rows ``(position, aggregate id, version, topic, state)`` of the log."""
        for row in rows:
            if not self._is_report(row[3]):
                continue
            try:
                logged = self._decode(*row)
            except Exception:  # noqa: BLE001 - a record no one can read names no file
                continue
            for item in logged.data.get("evidence") or ():
                digest = item.get("sha256") if isinstance(item, dict) else None
                if isinstance(digest, str) and DIGEST.fullmatch(digest):
                    self.digests.add(digest)


def copy_out(digests: Iterable[str], files: EvidenceFiles, folder: Path) -> int:
    """Copy each file into ``folder`` as ``<digest>``; return how many."""
    chosen = sorted(digests)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable(folder, error) from None
    for digest in chosen:
        source = files.path_of(digest)
        assert source is not None  # a digest by its pattern
        try:
            stream = source.open("rb")
        except OSError:
            raise BackupError(_("tệp minh chứng %(digest)s mà nhật ký nhắc tới không có trong "
                                "kho minh chứng (%(folder)s); hãy xuất không kèm --evidence "
                                "nếu chỉ cần sao lưu nhật ký", digest=digest,
                                folder=files.folder)) from None
        with stream:
            _copy(stream, folder, digest, files.folder)
    return len(chosen)


def _copy(stream: Any, folder: Path, digest: str, store: Path) -> None:
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{digest}.", suffix=".part")
    except OSError as error:
        raise _unwritable(folder, error) from None
    temp = Path(temp_name)
    try:
        hasher = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                hasher.update(chunk)
                out.write(chunk)
        if hasher.hexdigest() != digest:
            raise BackupError(_("tệp minh chứng %(digest)s trong kho minh chứng (%(folder)s) "
                                "không còn cho đúng mã SHA-256 của nó: tệp đã bị sửa",
                                digest=digest, folder=store))
        os.replace(temp, folder / digest)
    except OSError as error:
        raise _unwritable(folder / digest, error) from None
    finally:
        temp.unlink(missing_ok=True)


def _unwritable(path: Path, error: OSError) -> BackupError:
    return BackupError(_("không ghi được tệp “%(file)s” (%(reason)s)", file=path,
                         reason=error.strerror or type(error).__name__), unreadable=True)


def take_in(digests: Iterable[str], folder: Path, files: EvidenceFiles) -> int:
    """Check each ``folder/<digest>`` and keep it in ``files``: all of them, or (on a
    refusal) none. Return how many."""
    chosen = sorted(digests)
    with files.staging() as batch:
        for digest in chosen:
            try:
                stream = (folder / digest).open("rb")
            except OSError:
                raise BackupError(_("thiếu tệp minh chứng %(digest)s trong thư mục %(folder)s",
                                    digest=digest, folder=folder)) from None
            with stream:
                try:
                    found = batch.add(stream, digest, "application/octet-stream").sha256
                except DomainError:  # empty, or larger than any evidence recorded
                    found = ""
            if found != digest:
                raise BackupError(_("tệp minh chứng %(digest)s trong thư mục %(folder)s không "
                                    "cho đúng mã SHA-256 của nó: tệp đã bị sửa",
                                    digest=digest, folder=folder))
    return len(chosen)
