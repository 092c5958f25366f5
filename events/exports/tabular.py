"""Rows to files people open in Excel: CSV with a byte-order mark and XLSX, streamed.

Both take an iterable of rows and never hold it whole: a million audit rows go out
in constant memory. CSV is written a batch of lines at a time; XLSX by
``events.exports.xlsx_file``, each sheet's rows into the zip as they come.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, BinaryIO

from babel.numbers import format_decimal

from events.exports.xlsx_file import MAX_ROWS, write_workbook
from workflow.clock import LOCAL_TZ
from workflow.words import _, current_locale

BOM = "\ufeff"
# Lines written per chunk: large enough that a chunk is worth a write, small enough
# that the first bytes of a large export leave at once.
_CHUNK = 2000

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


def cell_text(value: Any) -> str:
    """A value as a CSV cell: dates dd/mm/yyyy, times in Vietnam, decimals exact."""
    if type(value) is str:  # most cells: said first
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text in chunks, the byte-order mark first (encode each as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    lines = []
    for row in rows:
        lines.append([v if type(v) is str else cell_text(v) for v in row])
        if len(lines) >= _CHUNK:
            writer.writerows(lines)
            lines.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(lines)
    yield buffer.getvalue()


def write_csv(out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    for chunk in csv_chunks(header, rows):
        out.write(chunk.encode("utf-8"))


def write_xlsx(out: BinaryIO, sheets: Iterable[Sheet]) -> None:
    """One sheet per ``(name, header, rows)``, the header bold, dates as Excel dates
    (shown dd/mm/yyyy), times as Vietnam wall-clock time, numbers and decimals as
    numbers; past Excel's million rows a sheet's last row says where the rest is."""
    write_workbook(out, sheets, zone=LOCAL_TZ, overflow=_(
        "Excel chỉ hiện được %(n)s dòng mỗi trang: các dòng còn lại có trong tệp CSV "
        "cùng bộ lọc.", n=format_decimal(MAX_ROWS, locale=current_locale())))
