"""The period report as a Word document the office edits, signs and sends, laid out as
NĐ 30/2020/NĐ-CP asks of an administrative document: A4, Times New Roman, its margins;
the issuing body and number on the left of the heading, the national name and motto
with the place and date on the right; the title; the content; the signature block.

It is written with python-docx from the report's content alone, so the same issued
report gives the same document whenever it is asked for.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, BinaryIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from events.exports import report_text as text
from events.exports.report_tables import paper_sections

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
# NĐ 30/2020, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
# The heading's two columns, across the 165 mm between the margins.
LEFT_MM, RIGHT_MM = 65, 100
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")

def write_report_docx(out: BinaryIO, report: dict[str, Any], locale: str) -> None:
    """The report as an editable A4 .docx, its words, numbers and dates in ``locale``."""
    words = text.document_words(report, locale)
    doc = Document()
    _page(doc)
    _heading(doc, words)
    _title(doc, words)
    for n, (_key, title, header, rows) in enumerate(paper_sections(report, locale)):
        _para(doc, f"{ROMAN[n]}. {title.upper()}", bold=True, before=6)
        if rows:
            _table(doc, header, rows, locale)
        else:
            _para(doc, words["none"], italic=True)
    _para(doc, words["provenance"], italic=True, size=12, before=12)
    _signature(doc, words)
    doc.core_properties.title = f"{words['title']} {words['period_line']}"
    doc.core_properties.author = words["signer"]
    doc.save(out)


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side, length in MARGINS.items():
        setattr(section, f"{side}_margin", length)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    # Word picks a font per script; name it for each, or East Asian text falls back.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(0)


def _para(where: Any, words: str, *, bold: bool = False, italic: bool = False,
          underline: bool = False, size: int | None = None, align: Any = None,
          before: int = 0) -> Any:
    paragraph = where.add_paragraph()
    run = paragraph.add_run(words)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    return paragraph


def _cell(cell: _Cell, width_mm: int) -> _Cell:
    cell.width = Mm(width_mm)
    # A new cell holds one empty paragraph; the content is added after it, so drop it.
    cell._element.remove(cell.paragraphs[0]._element)
    return cell


def _borderless(doc: Any, widths: tuple[int, int]) -> tuple[_Cell, _Cell]:
    table = doc.add_table(rows=1, cols=2)  # the default style has no borders
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    return _cell(left, widths[0]), _cell(right, widths[1])


def _heading(doc: Any, words: dict[str, Any]) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    left, right = _borderless(doc, (LEFT_MM, RIGHT_MM))
    _para(left, words["body"], bold=True, align=centre)
    _para(left, words["number_line"], align=centre, before=6)
    _para(right, words["nation"], bold=True, size=12, align=centre)
    _para(right, words["motto"], bold=True, underline=True, size=14, align=centre)
    _para(right, words["date_line"], italic=True, size=14, align=centre, before=6)


def _title(doc: Any, words: dict[str, Any]) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, words["title"], bold=True, size=14, align=centre, before=18)
    _para(doc, words["subtitle"], bold=True, size=14, align=centre)
    _para(doc, words["period_line"], bold=True, size=14, align=centre)


def _table(doc: Any, header: list[str], rows: list[list[Any]], locale: str) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        _fill(cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            numeric = isinstance(value, int | Decimal) and not isinstance(value, bool)
            _fill(cell, text.cell_text(value, locale),
                  align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else None)


def _fill(cell: _Cell, words: str, *, bold: bool = False, align: Any = None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(words)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)
    if align is not None:
        paragraph.alignment = align


def _signature(doc: Any, words: dict[str, Any]) -> None:
    left, right = _borderless(doc, (75, 90))
    _para(left, words["recipients"], bold=True, italic=True, size=12, before=12)
    for line in words["recipient_lines"]:
        _para(left, line, size=11)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(right, words["on_behalf"], bold=True, align=centre, before=12)
    _para(right, words["chair"], bold=True, align=centre)
    for _ in range(4):  # room for the signature and the seal
        _para(right, "", align=centre)
    _para(right, words["signer"], bold=True, align=centre)
