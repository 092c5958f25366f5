"""The export file, line by line: written as it is read back, and every line checked.

JSON Lines, ASCII, each line ending with ``\\n``:

1. the header ``{"nhiemvu_export": 1, "created_at": ISO}``;
2. one line per stored event, in position order: the record as proofs show it
   (``events.queries.seal.record_json``) and its ``leaf_hash``;
3. the trailer ``{"seal": {"size": n, "root": hex}, "sha256": hex}``: the Merkle root
   of the leaves above and the SHA-256 of every byte before the trailer.

Each line must be exactly what the writer makes of its content (``json.dumps``): a
changed space, key or digit is refused at its line. Every event line is bound to
its leaf hash, every leaf to the root; the checksum binds the header, which carries
nothing else that is checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from events.log import merkle
from workflow.words import _

VERSION = 1
FIELDS = ("position", "aggregate_id", "version", "topic", "state", "leaf_hash")
# An event's state is a few kilobytes; a line far longer is no line of ours.
MAX_LINE = 16 * 1024 * 1024
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_INT64 = range(-(2**63), 2**63)


class BackupError(Exception):
    """An export or import that cannot be done: ``message`` in the run's language,
    ``line`` of the file when a line is to blame, ``unreadable`` when the path itself
    cannot be read or written (bad input rather than a refused file)."""

    def __init__(self, message: str, *, line: int | None = None, unreadable: bool = False):
        super().__init__(message)
        self.message = message
        self.line = line
        self.unreadable = unreadable


def bad_line(line: int, reason: str) -> BackupError:
    return BackupError(_("dòng %(line)s: %(reason)s", line=line, reason=reason), line=line)


def dumps(content: dict[str, Any]) -> bytes:
    return json.dumps(content).encode("ascii") + b"\n"


class Writer:
    """Writes the lines to a binary stream, keeping the checksum and the tree."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.checksum = hashlib.sha256()
        self.frontier = merkle.Frontier()

    def write(self, lines: list[bytes]) -> None:
        chunk = b"".join(lines)
        self.checksum.update(chunk)
        self.stream.write(chunk)

    def header(self, created_at: datetime) -> None:
        self.write([dumps({"nhiemvu_export": VERSION, "created_at": created_at.isoformat()})])

    def event(self, record: dict[str, Any], leaf: bytes) -> bytes:
        self.frontier.append(leaf)
        return dumps({**record, "leaf_hash": leaf.hex()})

    def trailer(self) -> None:
        self.stream.write(dumps({"seal": {"size": self.frontier.size,
                                          "root": self.frontier.root().hex()},
                                 "sha256": self.checksum.hexdigest()}))


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    position: int
    aggregate_id: bytes
    version: int
    topic: str
    state: bytes


class Reader:
    """Reads and checks the lines of a binary stream; iterating yields the events.

    Raises ``BackupError`` naming the first bad line. When the iteration ends the
    trailer has been checked: ``size`` and ``root`` are the file's seal."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.checksum = hashlib.sha256()
        self.frontier = merkle.Frontier()
        self.line = 0
        self.created_at = ""
        self.size = 0
        self.root = ""

    def _lines(self) -> Iterator[tuple[bytes, Any]]:
        while raw := self.stream.readline(MAX_LINE + 1):
            self.line += 1
            if not raw.endswith(b"\n"):
                reason = (_("dòng dài quá %(mb)s MB", mb=MAX_LINE // (1024 * 1024))
                          if len(raw) > MAX_LINE else
                          _("dòng chưa trọn (thiếu ký tự xuống dòng): tệp bị cắt cụt"))
                raise bad_line(self.line, reason)
            try:
                content = json.loads(raw)
            except (ValueError, RecursionError):
                raise bad_line(self.line, _("không phải JSON hợp lệ")) from None
            yield raw, content
            self.checksum.update(raw)

    def __iter__(self) -> Iterator[Record]:
        lines = self._lines()
        first = next(lines, None)
        if first is None:
            raise bad_line(1, _("tệp trống, không phải tệp xuất của nhiemvu"))
        self._header(*first)
        previous = 0
        for raw, content in lines:
            if isinstance(content, dict) and next(iter(content), None) == "seal":
                self._trailer(raw, content)
                break
            record = self._event(raw, content, previous)
            previous = record.position
            yield record
        else:
            raise bad_line(self.line + 1, _("tệp kết thúc mà không có dòng niêm phong cuối: "
                                            "tệp bị cắt cụt hoặc chưa xuất xong"))
        if self.stream.readline(1):
            raise bad_line(self.line + 1, _("có nội dung sau dòng niêm phong cuối"))

    def _exact(self, raw: bytes, content: dict[str, Any]) -> None:
        if dumps(content) != raw:
            raise bad_line(self.line, _("dòng không viết đúng như khi xuất (khoảng trắng, "
                                        "thứ tự hoặc cách viết đã bị sửa)"))

    def _header(self, raw: bytes, content: Any) -> None:
        if not isinstance(content, dict) or list(content) != ["nhiemvu_export", "created_at"]:
            raise bad_line(self.line, _("không phải phần đầu của tệp xuất nhiemvu"))
        version, created_at = content["nhiemvu_export"], content["created_at"]
        if type(version) is not int or version != VERSION:
            raise bad_line(self.line, _("phiên bản tệp xuất %(version)s không được hỗ trợ "
                                        "(chỉ có %(supported)s)", version=version,
                                        supported=VERSION))
        if not isinstance(created_at, str) or not _is_time(created_at):
            raise bad_line(self.line, _("trường “%(field)s” thiếu hoặc sai kiểu",
                                        field="created_at"))
        self._exact(raw, content)
        self.created_at = created_at

    def _event(self, raw: bytes, content: Any, previous: int) -> Record:
        if not isinstance(content, dict) or tuple(content) != FIELDS:
            raise bad_line(self.line, _("một sự kiện phải có đúng các trường %(fields)s",
                                        fields=", ".join(FIELDS)))
        position, version = content["position"], content["version"]
        for field, value in (("position", position), ("version", version)):
            if type(value) is not int or value not in _INT64:
                raise bad_line(self.line, _("trường “%(field)s” thiếu hoặc sai kiểu",
                                            field=field))
        aggregate_id, topic, state, leaf = (content["aggregate_id"], content["topic"],
                                            content["state"], content["leaf_hash"])
        for field, value, ok in (("aggregate_id", aggregate_id, _HEX32),
                                 ("topic", topic, None), ("state", state, None),
                                 ("leaf_hash", leaf, _HEX64)):
            if not isinstance(value, str) or (ok is not None and not ok.fullmatch(value)):
                raise bad_line(self.line, _("trường “%(field)s” thiếu hoặc sai kiểu",
                                            field=field))
        if position <= previous:
            raise bad_line(self.line, _("vị trí %(position)s không lớn hơn vị trí trước "
                                        "(%(previous)s)", position=position,
                                        previous=previous))
        stored = _base64(state)
        if stored is None:
            raise bad_line(self.line, _("trường “%(field)s” không phải base64 hợp lệ",
                                        field="state"))
        self._exact(raw, content)
        record = Record(self.line, position, bytes.fromhex(aggregate_id), version, topic,
                        stored)
        hashed = merkle.leaf_hash(merkle.record_bytes(position, record.aggregate_id, version,
                                                      topic, stored))
        if hashed.hex() != leaf:
            raise bad_line(self.line, _("leaf_hash không khớp với bản ghi: bản ghi hoặc mã "
                                        "băm của nó đã bị sửa"))
        self.frontier.append(hashed)
        return record

    def _trailer(self, raw: bytes, content: dict[str, Any]) -> None:
        seal = content.get("seal")
        if (list(content) != ["seal", "sha256"] or not isinstance(seal, dict)
                or list(seal) != ["size", "root"] or type(seal["size"]) is not int
                or not isinstance(seal["root"], str) or not isinstance(content["sha256"], str)):
            raise bad_line(self.line, _("dòng niêm phong cuối phải là %(shape)s",
                                        shape='{"seal": {"size", "root"}, "sha256"}'))
        self._exact(raw, content)
        if seal["size"] != self.frontier.size:
            raise bad_line(self.line, _("dấu niêm phong ghi %(size)s sự kiện nhưng tệp có "
                                        "%(count)s", size=seal["size"],
                                        count=self.frontier.size))
        root = self.frontier.root().hex()
        if seal["root"] != root:
            raise bad_line(self.line, _("gốc niêm phong %(root)s không khớp với gốc tính lại "
                                        "từ các dòng trên (%(computed)s)", root=seal["root"],
                                        computed=root))
        if content["sha256"] != self.checksum.hexdigest():
            # Every event line is bound by its leaf and the root: what is left is the
            # header (or the checksum itself).
            raise bad_line(1, _("phần đầu tệp không khớp với tổng kiểm SHA-256 ở dòng "
                                "%(line)s: một trong hai đã bị sửa", line=self.line))
        self.size, self.root = seal["size"], root


def _base64(text: str) -> bytes | None:
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # Only the writer's own spelling: another one of the same bytes is a changed file.
    return decoded if base64.b64encode(decoded).decode("ascii") == text else None


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
