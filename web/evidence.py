"""Evidence uploads: checked against the web's type and size limits, then staged.

The bytes go through ``events.log.evidence_files`` (the same store the CLI uses): staged
while the report command runs, kept under ``<instance>/evidence/ab/abcd…`` only if
it is recorded, deleted if it is refused.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from events.log.evidence_files import EvidenceFiles, Staging
from workflow.evidence import Evidence

# The documents a commune office actually sends: scans, photos, office files.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "txt": "text/plain",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


class EvidenceError(ValueError):
    """An upload refused before any command runs; the message is for people."""


def files() -> EvidenceFiles:
    return EvidenceFiles(Path(current_app.instance_path))


def path_of(digest: str) -> Path | None:
    """Where the bytes of ``digest`` are kept; None if it is not a digest."""
    return files().path_of(digest)


def stage(batch: Staging, uploads: list[FileStorage]) -> list[Evidence]:
    """Stage the uploaded files in ``batch`` and describe them for ReportSubmitted."""
    chosen = [f for f in uploads if f and f.filename]
    limit = current_app.config["EVIDENCE_MAX_FILES"]
    if len(chosen) > limit:
        raise EvidenceError(gettext("Tối đa %(n)d tệp minh chứng.", n=limit))
    return [_stage(batch, upload) for upload in chosen]


def _clean_name(name: str) -> str:
    # Keep Vietnamese letters (people recognise their files) but no path or control chars.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "tep"


def _stage(batch: Staging, upload: FileStorage) -> Evidence:
    name = _clean_name(upload.filename or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise EvidenceError(gettext(
            "Không nhận loại tệp “%(name)s”; chỉ nhận: %(types)s.", name=name,
            types=", ".join(sorted(ALLOWED_TYPES))))
    return batch.add(upload.stream, name, ALLOWED_TYPES[extension],
                     current_app.config["EVIDENCE_MAX_BYTES"])
