"""The period report's tables, one definition for every format: the XLSX sheets, the
CSV files, the DOCX and the web page read the same columns.

A report arrives as an issued report (``{"content": {...format 1...}, "digest": ...}``);
its content holds codes, never words. Here the codes become names in the document's
language (grades, states, bands, pillars), decimal strings become ``Decimal`` and ISO
dates become ``date``/``datetime`` values: each format then writes numbers as numbers
and dates as dates in its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

from events.exports.report_text import content_of, identification, pillar_name
from events.exports.tabular import write_csv, write_xlsx
from workflow import grades, rules
from workflow.bands import band_name
from workflow.words import NP_, Msg, translate

REPORT_TABLES = ("units", "pillars", "targets", "completed", "overdue")

SHEET_NAMES: dict[str, Msg] = {
    "units": NP_("report", "Theo đơn vị"),
    "pillars": NP_("report", "Theo trụ cột"),
    "targets": NP_("report", "Chỉ tiêu"),
    "completed": NP_("report", "Đã hoàn thành"),
    "overdue": NP_("report", "Quá hạn"),
}
ABOUT_SHEET = NP_("report", "Thông tin báo cáo")


@dataclass(frozen=True)
class Column:
    header: Msg
    cell: Callable[[dict[str, Any], str], Any]  # (row of the content, locale) -> value
    on_paper: bool = True  # the DOCX and the page leave codes and ids to the files


def _key(name: str, kind: Callable[[Any], Any] = lambda v: v) -> Callable[..., Any]:
    def cell(row: dict[str, Any], locale: str) -> Any:
        found = row.get(name)
        return None if found is None or found == "" else kind(found)
    return cell


def _decimal(text: Any) -> Decimal:
    return Decimal(str(text))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _grade(row: dict[str, Any], locale: str) -> str:
    return translate(grades.grade_name(row["grade"]), locale) if row.get("grade") else ""


def _state(row: dict[str, Any], locale: str) -> str:
    return translate(rules.state_name(row["state"]), locale) if row.get("state") else ""


def _band(row: dict[str, Any], locale: str) -> str:
    return band_name(row.get("band"), locale)


def _pillar(row: dict[str, Any], locale: str) -> str:
    return pillar_name(row, locale)


def _counts() -> list[Column]:
    return [Column(grades.grade_name(g), _key(g, int)) for g in grades.GRADES] + [
        Column(NP_("report", "Tổng số"), _key("total", int))]


_NUMBER = Column(NP_("report", "STT"), _key("_n"))
_UNIT_CODE = Column(NP_("report", "Mã đơn vị"), _key("unit"), on_paper=False)
_UNIT = Column(NP_("report", "Đơn vị"), _key("unit_name"))
_TASK = Column(NP_("report", "Nhiệm vụ"), _key("title"))
_TASK_ID = Column(NP_("report", "Mã nhiệm vụ"), _key("task"), on_paper=False)
_DEADLINE = Column(NP_("report", "Hạn"), _key("deadline", date.fromisoformat))

COLUMNS: dict[str, list[Column]] = {
    "units": [_NUMBER, _UNIT_CODE, _UNIT, *_counts()],
    "pillars": [_NUMBER, Column(NP_("report", "Mã trụ cột"), _key("code"), on_paper=False),
                Column(NP_("report", "Trụ cột"), _pillar), *_counts()],
    "targets": [
        Column(NP_("report", "STT"), _key("number", int)),
        Column(NP_("report", "Mã chỉ tiêu"), _key("code"), on_paper=False),
        Column(NP_("report", "Mã trụ cột"), _key("pillar"), on_paper=False),
        Column(NP_("report", "Chỉ tiêu"), _key("text")),
        Column(NP_("report", "Mục tiêu"), _key("range")),
        Column(NP_("report", "Tối thiểu"), _key("min", _decimal), on_paper=False),
        Column(NP_("report", "Tối đa"), _key("max", _decimal), on_paper=False),
        Column(NP_("report", "Đơn vị tính"), _key("unit"), on_paper=False),
        Column(NP_("report", "Kết quả đạt được"), _key("value", _decimal)),
        Column(NP_("report", "Ngày ghi nhận"), _key("value_at", _moment), on_paper=False),
        Column(NP_("report", "Đánh giá"), _band),
    ],
    "completed": [
        _NUMBER, _TASK, _UNIT_CODE, _UNIT, _DEADLINE,
        Column(NP_("report", "Ngày báo cáo"), _key("reported_on", date.fromisoformat)),
        Column(NP_("report", "Ngày xác nhận"), _key("verified_on", date.fromisoformat)),
        Column(NP_("report", "Kết quả"), _grade),
        Column(NP_("report", "Giá trị đo được"), _key("value", _decimal)),
        _TASK_ID,
    ],
    "overdue": [
        _NUMBER, _TASK, _UNIT_CODE, _UNIT,
        Column(NP_("report", "Trạng thái"), _state), _DEADLINE,
        Column(NP_("report", "Số ngày quá hạn"), _key("days_overdue", int)),
        _TASK_ID,
    ],
}

TOTAL_ROW = NP_("report", "Tổng cộng")


def table(report: dict[str, Any], name: str, locale: str, *,
          paper: bool = False) -> tuple[list[str], list[list[Any]]]:
    """One table's header (in ``locale``) and rows (typed values); ``paper``: only the
    columns a printed document shows. Unknown ``name``: ``ValueError``."""
    if name not in REPORT_TABLES:
        raise ValueError(f"unknown report table {name!r}")
    content = content_of(report)
    columns = [c for c in COLUMNS[name] if c.on_paper or not paper]
    header = [translate(c.header, locale) for c in columns]
    rows = [[c.cell({**entry, "_n": n}, locale) for c in columns]
            for n, entry in enumerate(content.get(name) or [], start=1)]
    if name == "units" and rows:
        totals = {**content["totals"], "unit_name": translate(TOTAL_ROW, locale)}
        rows.append([None if c is _NUMBER else c.cell(totals, locale) for c in columns])
        if not paper:
            rows[-1][columns.index(_UNIT_CODE)] = None
    return header, rows


def totals_table(report: dict[str, Any], locale: str) -> tuple[list[str], list[list[Any]]]:
    """The whole plan's counts by grade, one row (the printed document's first table)."""
    counts = _counts()
    totals = content_of(report)["totals"]
    return ([translate(c.header, locale) for c in counts],
            [[c.cell(totals, locale) for c in counts]])


# The printed document's sections, in order: the totals, then the tables.
SECTIONS: tuple[tuple[str, Msg], ...] = (
    ("totals", NP_("report", "Tổng hợp chung")),
    ("units", NP_("report", "Kết quả theo đơn vị")),
    ("pillars", NP_("report", "Kết quả theo trụ cột")),
    ("targets", NP_("report", "Kết quả thực hiện các chỉ tiêu")),
    ("completed", NP_("report", "Nhiệm vụ hoàn thành trong kỳ")),
    ("overdue", NP_("report", "Nhiệm vụ quá hạn")),
)


def paper_sections(report: dict[str, Any],
                   locale: str) -> list[tuple[str, str, list[str], list[list[Any]]]]:
    """``(key, title, header, rows)`` per section of the printed document, in ``locale``;
    the rows hold typed values (see ``report_text.cell_text`` to show them)."""
    found = []
    for key, title in SECTIONS:
        header, rows = (totals_table(report, locale) if key == "totals"
                        else table(report, key, locale, paper=True))
        found.append((key, translate(title, locale), header, rows))
    return found


def report_sheets(report: dict[str, Any],
                  locale: str) -> list[tuple[str, Sequence[str], list[list[Any]]]]:
    """``(sheet name, header, rows)`` per table of ``REPORT_TABLES``, in ``locale``."""
    return [(translate(SHEET_NAMES[name], locale), *table(report, name, locale))
            for name in REPORT_TABLES]


def write_report_xlsx(out: BinaryIO, report: dict[str, Any], locale: str) -> None:
    """A workbook: the report's identification first, then one sheet per table."""
    about = [(label, value) for label, value in identification(report, locale)]
    header = [translate(NP_("report", "Mục"), locale),
              translate(NP_("report", "Nội dung"), locale)]
    write_xlsx(out, [(translate(ABOUT_SHEET, locale), header, about),
                     *report_sheets(report, locale)])


def write_report_csv(out: BinaryIO, report: dict[str, Any], name: str, locale: str) -> None:
    """One table as CSV (UTF-8 with a byte-order mark), headers in ``locale``."""
    header, rows = table(report, name, locale)
    write_csv(out, header, rows)
