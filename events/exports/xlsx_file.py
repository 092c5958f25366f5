"""An XLSX workbook written as its rows arrive: the few XML parts a spreadsheet needs,
and each sheet's rows as text straight into the zip, a chunk at a time.

Why not openpyxl's write-only mode: it makes a cell object per value and an XML
element per cell, about 10 µs a cell; an audit export of a million rows (twelve
cells each) then takes half an hour. Here a row is one string: the measurements are
in docs/performance.md ("The audit log and its exports"). Strings are written inline
(``inlineStr``), as Excel's own streaming writers do, so nothing is held to the end.

Cell types: text, numbers (int, float, Decimal), booleans, dates and naive datetimes
(Excel serial days, shown dd/mm/yyyy [hh:mm]); None and "" leave the cell empty;
anything else is written as its text.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any, BinaryIO

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Style indexes in STYLES' cellXfs.
_DATETIME, _DATE, _BOLD = 1, 2, 3
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="DD/MM/YYYY HH:MM"/>'
    '<numFmt numFmtId="165" formatCode="DD/MM/YYYY"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
# Excel's limits: a sheet's name, a cell's text, a sheet's rows.
NAME_LENGTH, TEXT_LENGTH, MAX_ROWS = 31, 32767, 1_048_576
# Rows joined per write into the zip.
_CHUNK = 1000
# Deflate's fastest level: a quarter faster end to end than the default level (6) on
# PostgreSQL, for files a quarter larger (docs/performance.md).
_LEVEL = 1
_EPOCH_DAY = date(1899, 12, 30)
_EPOCH = datetime(1899, 12, 30)
# What XML text cannot hold as it is: markup, and characters XML 1.0 forbids
# (shown as the replacement character, as a text editor would).
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
            **{c: "\ufffd" for c in (*range(0, 9), 11, 12, *range(14, 32),
                                     *range(0xD800, 0xE000), 0xFFFE, 0xFFFF)}}
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_FORBIDS = re.compile(r"[\[\]:*?/\\]")

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


def write_workbook(out: BinaryIO, sheets: Iterable[Sheet], *,
                   zone: tzinfo | None = None, overflow: str = "…") -> None:
    """One sheet per ``(name, header, rows)``, the header bold; ``rows`` are read once,
    as they come. Names are cut to Excel's 31 characters, its forbidden ones
    replaced; they must differ. Excel has no time zones: an aware datetime is
    written as the wall-clock time in ``zone`` (None: its own). A sheet holds at
    most ``MAX_ROWS`` rows, as Excel does: rows beyond are left out and its last
    row says ``overflow`` instead (a file Excel cannot open whole helps nobody)."""
    sheets = [(_sheet_name(name), header, rows) for name, header, rows in sheets]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as book:
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", (
            f'{HEAD}<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        book.writestr("xl/workbook.xml", (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            + "".join(f'<sheet name="{_text(name)}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, (name, _, _) in enumerate(sheets, start=1))
            + "</sheets></workbook>"))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", STYLES)
        for n, (_, header, rows) in enumerate(sheets, start=1):
            with book.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                _write_sheet(part, header, rows, zone, overflow)


def _write_sheet(part: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]],
                 zone: tzinfo | None, overflow: str) -> None:
    part.write(f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
    columns = _Columns()
    lines = [_row(1, header, columns, _BOLD)]
    rows = iter(rows)
    for number, row in enumerate(rows, start=2):
        if number == MAX_ROWS and next(rows, None) is not None:
            # The sheet's last row, and more would follow: say so instead.
            lines.append(_row(number, [overflow], columns, _BOLD))
            break
        lines.append(_row(number, row, columns, 0, zone))
        if len(lines) >= _CHUNK:
            part.write("".join(lines).encode("utf-8"))
            lines.clear()
    lines.append("</sheetData></worksheet>")
    part.write("".join(lines).encode("utf-8"))


def _row(number: int, values: Sequence[Any], columns: _Columns, style: int = 0,
         zone: tzinfo | None = None) -> str:
    cells = []
    s = f' s="{style}"' if style else ""
    for letter, value in zip(columns.letters(len(values)), values, strict=False):
        kind = type(value)
        if kind not in _TYPES:
            value = _plain(value)
            kind = type(value)
        if kind is str:  # most cells: said first
            if value:
                cells.append(f'<c r="{letter}{number}"{s} t="inlineStr"><is>'
                             f'<t xml:space="preserve">{_text(value)}</t></is></c>')
        elif value is None:
            continue
        elif kind is int or (kind is float and math.isfinite(value)) or (
                kind is Decimal and value.is_finite()):
            cells.append(f'<c r="{letter}{number}"{s}><v>{value!r}</v></c>' if kind is float
                         else f'<c r="{letter}{number}"{s}><v>{value}</v></c>')
        elif kind is datetime:
            if zone and value.tzinfo:
                value = value.astimezone(zone)
            cells.append(f'<c r="{letter}{number}" s="{_DATETIME}">'
                         f'<v>{_serial(value)!r}</v></c>')
        elif kind is date:
            cells.append(f'<c r="{letter}{number}" s="{_DATE}">'
                         f'<v>{(value - _EPOCH_DAY).days}</v></c>')
        elif kind is bool:
            cells.append(f'<c r="{letter}{number}"{s} t="b"><v>{int(value)}</v></c>')
        else:  # not a number (NaN, infinity): its text
            cells.append(f'<c r="{letter}{number}"{s} t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


_TYPES = frozenset({str, int, float, Decimal, datetime, date, bool, type(None)})


def _plain(value: Any) -> Any:
    """A value of a subclass (an enum, a timezone-aware library's datetime) or of
    another type as one of ``_TYPES``."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, datetime):
        return datetime.combine(value.date(), value.timetz())
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    for kind in (int, float, Decimal):
        if isinstance(value, kind):
            return kind(value)
    return str.__str__(value) if isinstance(value, str) else str(value)


def _serial(moment: datetime) -> float:
    # Excel's serial days, on the wall clock it is given (it has no time zones).
    return (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400


def _text(value: str) -> str:
    if len(value) > TEXT_LENGTH:
        value = value[:TEXT_LENGTH]
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _sheet_name(name: str) -> str:
    return _SHEET_NAME_FORBIDS.sub(" ", name)[:NAME_LENGTH].strip("'") or "Sheet"


class _Columns:
    """Column letters A, B, … Z, AA, …, made once per sheet."""

    def __init__(self) -> None:
        self._letters: list[str] = []

    def letters(self, count: int) -> list[str]:
        while len(self._letters) < count:
            n, letter = len(self._letters) + 1, ""
            while n:
                n, rest = divmod(n - 1, 26)
                letter = chr(65 + rest) + letter
            self._letters.append(letter)
        return self._letters


def _content_types(sheets: int) -> str:
    return (f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{TYPES}.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
                      f'ContentType="{TYPES}.worksheet+xml"/>' for n in range(1, sheets + 1))
            + "</Types>")


def _workbook_rels(sheets: int) -> str:
    return (f'{HEAD}<Relationships xmlns="{PACKAGE_RELS}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" '
                      f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, sheets + 1))
            + f'<Relationship Id="rId{sheets + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
            '</Relationships>')
