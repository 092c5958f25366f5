"""Evidence files: checked against size and type limits, stored once by SHA-256 digest.

The event records the digest, name, size and type; the bytes live under
``<instance>/evidence/ab/abcd…`` so the same file uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

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
DIGEST = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 64 * 1024


class EvidenceError(ValueError):
    """An upload refused before any command runs; the message is for people."""


def folder() -> Path:
    return Path(current_app.instance_path) / "evidence"


def path_of(digest: str) -> Path:
    if not DIGEST.match(digest):
        raise EvidenceError(gettext("Mã tệp không hợp lệ."))
    return folder() / digest[:2] / digest


def accept(files: list[FileStorage]) -> list[dict[str, Any]]:
    """Store the uploaded files and describe them for the ReportSubmitted event."""
    chosen = [f for f in files if f and f.filename]
    limit = current_app.config["EVIDENCE_MAX_FILES"]
    if len(chosen) > limit:
        raise EvidenceError(gettext("Tối đa %(n)d tệp minh chứng.", n=limit))
    try:
        return [_store(upload) for upload in chosen]
    finally:
        for upload in files:  # large uploads spill to temporary files; free them now
            upload.close()


def _clean_name(name: str) -> str:
    # Keep Vietnamese letters (people recognise their files) but no path or control chars.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "tep"


def _store(upload: FileStorage) -> dict[str, Any]:
    name = _clean_name(upload.filename or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise EvidenceError(gettext(
            "Không nhận loại tệp “%(name)s”; chỉ nhận: %(types)s.", name=name,
            types=", ".join(sorted(ALLOWED_TYPES))))
    max_bytes = current_app.config["EVIDENCE_MAX_BYTES"]
    digest = hashlib.sha256()
    size = 0
    folder().mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder(), prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceError(gettext(
                        "Tệp “%(name)s” quá lớn (tối đa %(mb)d MB).", name=name,
                        mb=max_bytes // (1024 * 1024)))
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EvidenceError(gettext("Tệp “%(name)s” rỗng.", name=name))
        target = path_of(digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return {"sha256": digest.hexdigest(), "name": name, "size": size,
            "type": ALLOWED_TYPES[extension]}
