"""Evidence backing a report: a file (name, media type, size, SHA-256) or a link.

One value object for every interface (web, CLI, demo): what ``ReportSubmitted``
records is ``Evidence.as_dict()``, one shape whoever recorded it. Building one checks
it; a refusal is a ``DomainError`` with a stable code. Stored events are never
re-checked (docs/events.md says how older shapes are read).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from workflow.errors import DomainError

MAX_ITEMS = 20  # files and links on one report
MAX_NAME = 200  # characters of a file name
MAX_BYTES = 100 * 1024 * 1024  # the largest file any interface may record
MAX_URL = 2000  # characters of a link
MAX_MEDIA_TYPE = 127

_DIGEST = re.compile(r"[0-9a-f]{64}")
# type/subtype with RFC 6838 characters, optional parameters (``; charset=utf-8``).
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*"
                         r"(?:\s*;\s*[a-z0-9_.+-]+=[a-z0-9_.+-]+)*")
# Bidirectional overrides and isolates: they make "gpj.exe" look like "exe.jpg".
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_FILE_KEYS = frozenset({"name", "media_type", "size", "sha256"})


@dataclass(frozen=True)
class Evidence:
    """A file by its digest, or a link; ``Evidence.file``/``Evidence.link`` build one."""

    name: str = ""
    media_type: str = ""
    size: int = 0
    sha256: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        if self.url:
            if self.name or self.media_type or self.size or self.sha256:
                raise DomainError("evidence_invalid")
            _check_url(self.url)
        else:
            check_name(self.name)
            _check_media_type(self.media_type)
            _check_size(self.name, self.size)
            if not isinstance(self.sha256, str) or not _DIGEST.fullmatch(self.sha256):
                raise DomainError("evidence_digest_invalid")

    @classmethod
    def file(cls, name: str, media_type: str, size: int, sha256: str) -> Evidence:
        """A file: its name as the person knows it, media type, bytes, SHA-256 (hex)."""
        return cls(name=name.strip() if isinstance(name, str) else name,
                   media_type=media_type.strip().lower() if isinstance(media_type, str)
                   else media_type, size=size,
                   sha256=sha256.lower() if isinstance(sha256, str) else sha256)

    @classmethod
    def link(cls, url: str) -> Evidence:
        """A link to evidence kept elsewhere (http or https only)."""
        if not isinstance(url, str) or not url.strip():
            raise DomainError("evidence_link_invalid")
        return cls(url=url.strip())

    @classmethod
    def of(cls, item: Evidence | Mapping[str, Any]) -> Evidence:
        """An Evidence, or a mapping in the recorded shape (``as_dict``), checked."""
        if isinstance(item, Evidence):
            return item
        if not isinstance(item, Mapping):
            raise DomainError("evidence_invalid")
        keys = set(item)
        if keys == {"url"}:
            return cls.link(item["url"])
        if keys == _FILE_KEYS:
            return cls.file(item["name"], item["media_type"], item["size"], item["sha256"])
        raise DomainError("evidence_invalid")

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    def as_dict(self) -> dict[str, Any]:
        """What the event records: ``{name, media_type, size, sha256}`` or ``{url}``."""
        if self.url:
            return {"url": self.url}
        return {"name": self.name, "media_type": self.media_type, "size": self.size,
                "sha256": self.sha256}


def evidence_list(items: Iterable[Evidence | Mapping[str, Any]] | None) -> list[Evidence]:
    """The evidence of one report, each item checked, at most ``MAX_ITEMS``."""
    chosen = list(items or [])
    if len(chosen) > MAX_ITEMS:
        raise DomainError("evidence_too_many", limit=MAX_ITEMS)
    return [Evidence.of(item) for item in chosen]


def check_name(name: Any) -> None:
    """Refuse a file name that is empty, too long, or holds a control character."""
    if not isinstance(name, str) or not name.strip():
        raise DomainError("evidence_name_invalid")
    if len(name) > MAX_NAME:
        raise DomainError("evidence_name_too_long", limit=MAX_NAME)
    if name in (".", "..") or any(ch in "/\\" or _is_control(ch) for ch in name):
        raise DomainError("evidence_name_invalid")


def _check_media_type(media_type: Any) -> None:
    if (not isinstance(media_type, str) or len(media_type) > MAX_MEDIA_TYPE
            or not _MEDIA_TYPE.fullmatch(media_type)):
        raise DomainError("evidence_media_type_invalid")


def _check_size(name: str, size: Any) -> None:
    if not isinstance(size, int) or isinstance(size, bool):
        raise DomainError("evidence_invalid")
    if size <= 0:
        raise DomainError("evidence_empty", name=name)
    if size > MAX_BYTES:
        raise DomainError("evidence_too_large", name=name, mb=MAX_BYTES // (1024 * 1024))


def _check_url(url: Any) -> None:
    if not isinstance(url, str):
        raise DomainError("evidence_link_invalid")
    if len(url) > MAX_URL:
        raise DomainError("evidence_link_too_long", limit=MAX_URL)
    if any(ch.isspace() or _is_control(ch) for ch in url):
        raise DomainError("evidence_link_invalid")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. "http://[" — not a URL at all
        raise DomainError("evidence_link_invalid") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise DomainError("evidence_link_invalid")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in _BIDI


def upcast_evidence_v1(item: Any) -> Any:
    """One evidence item of a version-1 ``ReportSubmitted``, in the version-2 shape.

    The web recorded ``type`` and ``link`` where the CLI and the demo recorded
    ``media_type``; only the keys are renamed, the values are the stored ones.
    """
    if not isinstance(item, dict):
        return item
    renamed = dict(item)
    if "type" in renamed and "media_type" not in renamed:
        renamed["media_type"] = renamed.pop("type")
    if "link" in renamed and "url" not in renamed:
        renamed["url"] = renamed.pop("link")
    return renamed
