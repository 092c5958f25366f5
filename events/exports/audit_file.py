"""The audit log as a file: the same columns in CSV and XLSX, one row per entry.

Entries are ``events.queries.audit`` entries (``audit_rows`` for a filtered view,
every page of it); they are turned into rows one at a time, so an export of a million
events never holds them. Headers are in the reader's language; times are Vietnam
time, measured values exact decimals, percentages integers (numbers in XLSX).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from events.exports.tabular import csv_chunks, write_csv, write_xlsx
from workflow.words import NP_, Msg, translate

COLUMNS: tuple[Msg, ...] = (
    NP_("column", "Vị trí"),
    NP_("column", "Thời gian"),
    NP_("column", "Người thực hiện"),
    NP_("column", "Tên đăng nhập"),
    NP_("column", "Mã đơn vị"),
    NP_("column", "Đơn vị"),
    NP_("column", "Loại sự kiện"),
    NP_("column", "Nội dung"),
    NP_("column", "Thay đổi"),
    NP_("column", "Tiến độ (%)"),
    NP_("column", "Giá trị đo"),
    NP_("column", "Nhiệm vụ"),
)
SHEET = NP_("sheet", "Nhật ký")


def header(locale: str | None = None) -> list[str]:
    """The column titles in ``locale`` (None: the current language)."""
    return [translate(title, locale) for title in COLUMNS]


def row(entry: dict[str, Any]) -> list[Any]:
    """One entry's cells, in ``COLUMNS`` order. The progress and value columns hold
    what this event recorded (empty when it recorded none), as numbers."""
    changed = {c["field"]: c["new"] for c in entry.get("changes", ())}
    value = changed.get("value")
    return [
        entry["position"], entry["at"], entry["actor_name"], entry["actor"],
        entry["unit"] or "", entry["unit_name"], entry["type_name"], entry["summary"],
        entry["changes_text"], changed.get("percent"),
        Decimal(value) if value is not None else None, entry["task_id"] or "",
    ]


def rows(entries: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for entry in entries:
        yield row(entry)


def csv_text(entries: Iterable[dict[str, Any]], locale: str | None = None) -> Iterator[str]:
    """The CSV in chunks (byte-order mark first), to be encoded as UTF-8 and sent."""
    return csv_chunks(header(locale), rows(entries))


def write_audit_csv(out: BinaryIO, entries: Iterable[dict[str, Any]],
                    locale: str | None = None) -> None:
    write_csv(out, header(locale), rows(entries))


def write_audit_xlsx(out: BinaryIO, entries: Iterable[dict[str, Any]],
                     locale: str | None = None) -> None:
    """One sheet, "Nhật ký" (or "Audit log"), the same columns as the CSV."""
    write_xlsx(out, [(translate(SHEET, locale), header(locale), rows(entries))])
