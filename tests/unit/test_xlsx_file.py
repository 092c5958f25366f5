"""The streamed XLSX workbook, read back by openpyxl as Excel would show it."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl

from events.exports import xlsx_file
from events.exports.tabular import write_xlsx
from workflow.words import use_locale


def _read(sheets):
    out = io.BytesIO()
    write_xlsx(out, sheets)
    out.seek(0)
    return openpyxl.load_workbook(out)


def test_each_value_comes_back_as_the_type_excel_shows():
    book = _read([("Nhật ký", ["Chữ", "Số", "Thập phân", "Thực", "Đúng", "Ngày", "Lúc"],
                   [["Đã họp thôn", 40, Decimal("62.5"), 0.25, True, date(2025, 3, 31),
                     datetime(2025, 3, 1, 2, 30, tzinfo=UTC)]])])
    sheet = book["Nhật ký"]
    values = [c.value for c in sheet[2]]
    assert values == ["Đã họp thôn", 40, 62.5, 0.25, True, datetime(2025, 3, 31),
                      datetime(2025, 3, 1, 9, 30)]
    assert sheet["F2"].number_format == "DD/MM/YYYY"
    assert sheet["G2"].number_format == "DD/MM/YYYY HH:MM"


def test_the_header_is_bold_and_the_rows_are_not():
    sheet = _read([("Tờ", ["Tiêu đề"], [["nội dung"]])])["Tờ"]
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_none_and_empty_text_leave_the_cell_empty_and_the_others_in_place():
    sheet = _read([("Tờ", ["a", "b", "c"], [[None, "", "x"]])])["Tờ"]
    assert [c.value for c in sheet[2]] == [None, None, "x"]


def test_markup_spaces_and_forbidden_characters_survive_as_text():
    text = "  <b>Tom & Jerry</b> \x0b\x00 "
    sheet = _read([("Tờ", ["a"], [[text]])])["Tờ"]
    assert sheet["A2"].value == "  <b>Tom & Jerry</b> \ufffd\ufffd "


def test_a_row_wider_than_the_alphabet_gets_columns_aa_and_beyond():
    sheet = _read([("Tờ", [str(n) for n in range(30)], [list(range(30))])])["Tờ"]
    assert sheet["AD2"].value == 29 and sheet.max_column == 30


def test_several_sheets_keep_their_order_and_names_cut_to_excels_limit():
    book = _read([("Giới thiệu", ["a"], [[1]]),
                  ("Một tên rất dài hơn ba mươi mốt ký tự", ["b"], iter([[2], [3]]))])
    assert book.sheetnames == ["Giới thiệu", "Một tên rất dài hơn ba mươi mốt"]
    assert [r[0].value for r in book.worksheets[1].iter_rows(min_row=2)] == [2, 3]


def test_other_values_are_written_as_their_text():
    class Code:
        def __str__(self):
            return "CT01"

    sheet = _read([("Tờ", ["a", "b"], [[Code(), float("nan")]])])["Tờ"]
    assert [c.value for c in sheet[2]] == ["CT01", "nan"]


def test_a_sheet_past_excels_last_row_says_where_the_rest_is(monkeypatch):
    monkeypatch.setattr(xlsx_file, "MAX_ROWS", 4)
    with use_locale("vi"):
        book = _read([("Nhật ký", ["Vị trí"], ([n] for n in range(10))),
                      ("Đủ", ["Vị trí"], ([n] for n in range(3)))])
    full, exact = (list(book[name].iter_rows(values_only=True)) for name in ("Nhật ký", "Đủ"))
    # Header, two rows, then the note in Excel's last row instead of the third.
    assert full[:3] == [("Vị trí",), (0,), (1,)] and len(full) == 4
    assert "có trong tệp CSV" in full[3][0]
    # Exactly as many rows as a sheet holds: all of them, no note.
    assert exact == [("Vị trí",), (0,), (1,), (2,)]
