"""Evidence bytes, stored once by SHA-256, and kept only when the report is recorded.

A file is first staged under ``<instance>/evidence/.staging/`` while its digest and
size are computed; when the command that records it succeeds, it is moved to
``<instance>/evidence/ab/abcd…`` (the same file reported twice is stored once); when
the command is refused, the staged copy is deleted. The web and the CLI both go
through ``EvidenceFiles.staging()``::

    with EvidenceFiles(instance).staging() as batch:
        items = [batch.add(stream, name, media_type)]
        service.submit_report(actor, task_id, summary, value, items)
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from events.settings import instance_folder
from workflow.errors import DomainError
from workflow.evidence import MAX_BYTES, Evidence, check_name

CHUNK = 64 * 1024
DIGEST = re.compile(r"[0-9a-f]{64}")
STAGING = ".staging"
# A staged file older than this was left by a process that died mid-command.
STALE_SECONDS = 24 * 3600


def media_type_of(name: str) -> str:
    """The media type a file name suggests; ``application/octet-stream`` if unknown."""
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


class EvidenceFiles:
    """The evidence folder of one instance."""

    def __init__(self, instance: Path | str | None = None):
        self.folder = Path(instance if instance is not None else instance_folder()) / "evidence"

    def path_of(self, digest: str) -> Path | None:
        """Where the bytes of ``digest`` are kept; None if it is not a digest."""
        if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
            return None
        return self.folder / digest[:2] / digest

    @contextlib.contextmanager
    def staging(self) -> Iterator[Staging]:
        """Files added inside are kept if the block ends normally, else deleted."""
        batch = Staging(self)
        try:
            yield batch
        except BaseException:
            batch.discard()
            raise
        batch.keep()


class Staging:
    """Files staged for one command (see ``EvidenceFiles.staging``)."""

    def __init__(self, files: EvidenceFiles):
        self.files = files
        self.folder = files.folder / STAGING
        self._staged: list[tuple[Path, str]] = []
        self._swept = False

    def add(self, stream: BinaryIO, name: str, media_type: str,
            max_bytes: int = MAX_BYTES) -> Evidence:
        """Copy ``stream`` to the staging folder; its Evidence (digest, size) is checked.

        More than ``max_bytes`` is refused as soon as it is read, without reading on.
        """
        check_name(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep_stale()
        handle, temp_name = tempfile.mkstemp(dir=self.folder, prefix="upload-")
        temp = Path(temp_name)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise DomainError("evidence_too_large", name=name,
                                          mb=max(1, max_bytes // (1024 * 1024)))
                    digest.update(chunk)
                    out.write(chunk)
            item = Evidence.file(name, media_type, size, digest.hexdigest())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self._staged.append((temp, item.sha256))
        return item

    def keep(self) -> None:
        """Move every staged file to its place by digest (once per digest)."""
        for temp, digest in self._staged:
            target = self.files.path_of(digest)
            assert target is not None
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)  # atomic on one file system; same bytes if present
        self._staged.clear()

    def discard(self) -> None:
        """Delete every staged file: the command that would record them was refused."""
        for temp, _ in self._staged:
            temp.unlink(missing_ok=True)
        self._staged.clear()

    def _sweep_stale(self) -> None:
        if self._swept:
            return
        self._swept = True
        cutoff = time.time() - STALE_SECONDS
        for leftover in self.folder.glob("upload-*"):
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
