"""The period report's files read back as people open them: XLSX with openpyxl, CSV
with its byte-order mark, DOCX with python-docx — Vietnamese words, numbers and dates,
the NĐ 30/2020 heading and signature block; and the same in English.

The report is a sample issued report in the content format (format 1), as the
reporting process hands it to the formats.
"""

from __future__ import annotations

import copy
import csv
import io
from datetime import date, datetime

import pytest
from docx import Document
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from events.exports.report_docx import write_report_docx
from events.exports.report_tables import (
    REPORT_TABLES,
    report_sheets,
    write_report_csv,
    write_report_xlsx,
)

DIGEST = "5f" * 32
ROOT = "a1" * 32


def sample_report(**changes) -> dict:
    content = {
        "format": 1,
        "period": {"code": "2025-Q2", "kind": "quarter", "first_day": "2025-04-01",
                   "last_day": "2025-06-30"},
        "cutoff": "2025-06-30T16:59:59+00:00",
        "today": "2025-06-30",
        "position": 1234,
        "plan": {"code": "KH-CDS-2025", "title": "Kế hoạch chuyển đổi số năm 2025",
                 "organisation": "UBND xã Thanh Hương"},
        "totals": {"done_on_time": 3, "done_late": 1, "open_on_time": 5, "open_overdue": 2,
                   "cancelled": 0, "total": 11},
        "units": [
            {"unit": "VP", "unit_name": "Văn phòng UBND xã", "done_on_time": 2, "done_late": 1,
             "open_on_time": 2, "open_overdue": 1, "cancelled": 0, "total": 6},
            {"unit": "YT", "unit_name": "Trạm y tế", "done_on_time": 1, "done_late": 0,
             "open_on_time": 3, "open_overdue": 1, "cancelled": 0, "total": 5},
        ],
        "pillars": [
            {"code": "CQS", "name": "Chính quyền số", "name_en": "Digital government",
             "done_on_time": 2, "done_late": 1, "open_on_time": 1, "open_overdue": 1,
             "cancelled": 0, "total": 5},
        ],
        "targets": [
            {"code": "CT02", "number": 2, "pillar": "CQS",
             "text": "60 - 70% hồ sơ công việc cấp xã được xử lý trên môi trường mạng",
             "range": "60 - 70%", "min": "60", "max": "70", "unit": "%", "value": "62.5",
             "value_at": "2025-06-20T03:00:00+00:00", "band": "within"},
            {"code": "CT10", "number": 10, "pillar": "XHS",
             "text": "90% người dân có hồ sơ sức khỏe điện tử", "range": "90%", "min": "90",
             "max": "90", "unit": "%", "value": None, "value_at": None, "band": None},
        ],
        "completed": [
            {"task": "0b6f6c1e-3a51-4d54-9d4e-2f1f0f1e2d3c", "title": "Số hóa hồ sơ công việc",
             "unit": "VP", "unit_name": "Văn phòng UBND xã", "deadline": "2025-06-15",
             "reported_on": "2025-06-10", "verified_on": "2025-06-12",
             "grade": "done_on_time", "value": "62.5"},
        ],
        "overdue": [
            {"task": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
             "title": "Tập huấn kỹ năng số cho cán bộ", "unit": "YT",
             "unit_name": "Trạm y tế", "state": "in_progress", "deadline": "2025-05-31",
             "days_overdue": 30},
        ],
    }
    report = {
        "id": "3e0c4a52-8f0e-4d4c-a0a7-1a2b3c4d5e6f", "number": "",
        "issued_at": "2025-07-01T02:00:00+00:00", "issued_by": "lanhdao",
        "issued_by_name": "Nguyễn Văn Lãnh", "digest": DIGEST,
        "checkpoint": {"size": 1300, "root": ROOT, "at": "2025-07-01T02:00:00+00:00"},
        "content": content, "digest_matches": True, "changed_since": [],
    }
    for key, value in changes.items():
        (content if key in content else report)[key] = value
    return report


def xlsx(report, locale="vi"):
    out = io.BytesIO()
    write_report_xlsx(out, report, locale)
    out.seek(0)
    return load_workbook(out)


def docx_of(report, locale="vi"):
    out = io.BytesIO()
    write_report_docx(out, report, locale)
    out.seek(0)
    return Document(out)


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def cells(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def document_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def runs(paragraph_or_cell):
    paragraphs = getattr(paragraph_or_cell, "paragraphs", [paragraph_or_cell])
    return [run for p in paragraphs for run in p.runs if run.text]


def run_with(doc_cell, words):
    found = [run for run in runs(doc_cell) if run.text == words]
    assert found, f"no run {words!r} in {doc_cell.text!r}"
    return found[0]


# XLSX

def test_the_workbook_has_the_identification_first_then_one_sheet_per_table():
    book = xlsx(sample_report())
    assert book.sheetnames == ["Thông tin báo cáo", "Theo đơn vị", "Theo trụ cột", "Chỉ tiêu",
                               "Đã hoàn thành", "Quá hạn"]


def test_the_identification_sheet_names_the_period_cutoff_position_issuer_and_seal():
    about = dict(row for row in rows_of(xlsx(sample_report())["Thông tin báo cáo"])[1:])
    assert about["Kỳ báo cáo"] == "quý II năm 2025"
    assert about["Từ ngày"] == datetime(2025, 4, 1)
    assert about["Thời điểm chốt số liệu"] == datetime(2025, 6, 30, 23, 59, 59)  # Vietnam
    assert about["Vị trí trong nhật ký"] == 1234
    assert about["Người ban hành"] == "Nguyễn Văn Lãnh"
    assert about["Ban hành lúc"] == datetime(2025, 7, 1, 9, 0)
    assert about["Mã kiểm tra nội dung (SHA-256)"] == DIGEST
    assert about["Dấu niêm phong: số sự kiện"] == 1300
    assert about["Dấu niêm phong: mã gốc"] == ROOT
    assert about["Tiêu đề"].startswith("BÁO CÁO Kết quả thực hiện nhiệm vụ theo Kế hoạch")


def test_the_units_sheet_counts_by_grade_as_numbers_with_a_total_row():
    rows = rows_of(xlsx(sample_report())["Theo đơn vị"])
    assert rows[0] == ["STT", "Mã đơn vị", "Đơn vị", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                       "Đang thực hiện trong hạn", "Quá hạn chưa hoàn thành", "Đã hủy", "Tổng số"]
    assert rows[1] == [1, "VP", "Văn phòng UBND xã", 2, 1, 2, 1, 0, 6]
    assert rows[-1] == [None, None, "Tổng cộng", 3, 1, 5, 2, 0, 11]


def test_the_targets_sheet_holds_the_value_as_a_number_and_the_band_in_words():
    rows = rows_of(xlsx(sample_report())["Chỉ tiêu"])
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Kết quả đạt được"] == 62.5
    assert first["Tối thiểu"] == 60 and first["Tối đa"] == 70
    assert first["Mục tiêu"] == "60 - 70%"
    assert first["Đánh giá"] == "Đạt"
    assert first["Ngày ghi nhận"] == datetime(2025, 6, 20, 10, 0)
    without = dict(zip(header, rows[2], strict=True))
    assert without["Kết quả đạt được"] is None
    assert without["Đánh giá"] == "Chưa có số liệu"


def test_task_sheets_hold_dates_as_dates_and_grades_and_states_in_words():
    book = xlsx(sample_report())
    done = dict(zip(*rows_of(book["Đã hoàn thành"])[:2], strict=True))
    assert done["Nhiệm vụ"] == "Số hóa hồ sơ công việc"
    assert done["Ngày xác nhận"] == datetime(2025, 6, 12)
    assert done["Kết quả"] == "Hoàn thành đúng hạn"
    assert done["Giá trị đo được"] == 62.5
    late = dict(zip(*rows_of(book["Quá hạn"])[:2], strict=True))
    assert late["Trạng thái"] == "Đang thực hiện"
    assert late["Hạn"] == datetime(2025, 5, 31)
    assert late["Số ngày quá hạn"] == 30
    cell = book["Quá hạn"]["F2"]
    assert cell.number_format == "DD/MM/YYYY"


def test_the_sheets_name_everything_in_english_for_an_english_reader():
    sheets = {name: (header, rows) for name, header, rows in report_sheets(sample_report(), "en")}
    header, rows = sheets["Overdue"]
    assert "Days overdue" in header and rows[0][header.index("State")] == "in progress"
    header, rows = sheets["By pillar"]
    assert rows[0][header.index("Pillar")] == "Digital government"
    header, rows = sheets["Targets"]
    assert rows[0][header.index("Assessment")] == "Met"


# CSV

@pytest.mark.parametrize("name", REPORT_TABLES)
def test_every_table_is_a_csv_with_a_byte_order_mark(name):
    out = io.BytesIO()
    write_report_csv(out, sample_report(), name, "vi")
    assert out.getvalue().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[0][0] == "STT"
    assert len(rows) >= 2


def test_the_overdue_csv_reads_back_in_vietnamese_with_dd_mm_yyyy_dates():
    out = io.BytesIO()
    write_report_csv(out, sample_report(), "overdue", "vi")
    header, row = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    found = dict(zip(header, row, strict=True))
    assert found == {"STT": "1", "Nhiệm vụ": "Tập huấn kỹ năng số cho cán bộ",
                     "Mã đơn vị": "YT", "Đơn vị": "Trạm y tế", "Trạng thái": "Đang thực hiện",
                     "Hạn": "31/05/2025", "Số ngày quá hạn": "30",
                     "Mã nhiệm vụ": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}


def test_a_csv_of_a_table_the_report_lacks_is_refused():
    with pytest.raises(ValueError):
        write_report_csv(io.BytesIO(), sample_report(), "secrets", "vi")


# DOCX

def test_the_document_is_a4_with_the_margins_of_nd_30_in_times_new_roman():
    doc = docx_of(sample_report())
    section = doc.sections[0]
    # Word keeps lengths in twentieths of a point: A4 to within a tenth of a millimetre.
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman"
    assert Pt(13) <= normal.size <= Pt(14)


def test_the_heading_has_the_issuing_body_and_number_left_and_the_nation_right():
    doc = docx_of(sample_report())
    heading = doc.tables[0]
    assert heading.style is None or "Grid" not in heading.style.name  # no borders
    left, right = heading.rows[0].cells
    assert left.paragraphs[0].text == "UBND XÃ THANH HƯƠNG"
    assert run_with(left, "UBND XÃ THANH HƯƠNG").bold
    assert left.paragraphs[1].text == "Số: ……/BC-UBND"
    assert [p.text for p in right.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Thanh Hương, ngày 30 tháng 6 năm 2025"]
    assert run_with(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold
    motto = run_with(right, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and motto.underline
    assert run_with(right, "Thanh Hương, ngày 30 tháng 6 năm 2025").italic


def test_the_number_line_carries_the_reports_number_when_it_has_one():
    left = docx_of(sample_report(number="15"))
    assert left.tables[0].rows[0].cells[0].paragraphs[1].text == "Số: 15/BC-UBND"
    full = docx_of(sample_report(number="07/BC-UBND"))
    assert full.tables[0].rows[0].cells[0].paragraphs[1].text == "Số: 07/BC-UBND"


def test_the_date_line_pads_days_below_ten_and_january_and_february():
    doc = docx_of(sample_report(cutoff="2025-02-05T10:00:00+00:00"))
    assert doc.tables[0].rows[0].cells[1].paragraphs[2].text == \
        "Thanh Hương, ngày 05 tháng 02 năm 2025"


def test_the_title_and_subtitle_name_the_plan_and_the_period_centred_in_bold():
    doc = docx_of(sample_report())
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("BÁO CÁO")
    assert texts[start + 1] == "Kết quả thực hiện nhiệm vụ theo Kế hoạch chuyển đổi số năm 2025"
    assert texts[start + 2] == "Quý II năm 2025 (từ ngày 01/04/2025 đến ngày 30/06/2025)"
    for p in doc.paragraphs[start:start + 3]:
        assert p.alignment == 1 and all(run.bold for run in p.runs)  # 1: centred


def test_the_sections_hold_the_tables_with_vietnamese_numbers_and_dates():
    doc = docx_of(sample_report(totals={"done_on_time": 1200, "done_late": 34,
                                        "open_on_time": 0, "open_overdue": 0,
                                        "cancelled": 0, "total": 1234}))
    texts = [p.text for p in doc.paragraphs]
    for heading in ("I. TỔNG HỢP CHUNG", "II. KẾT QUẢ THEO ĐƠN VỊ", "III. KẾT QUẢ THEO TRỤ CỘT",
                    "IV. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", "V. NHIỆM VỤ HOÀN THÀNH TRONG KỲ",
                    "VI. NHIỆM VỤ QUÁ HẠN"):
        assert heading in texts
    totals, units, pillars, targets, done, late = (cells(t) for t in doc.tables[1:7])
    assert totals[1] == ["1.200", "34", "0", "0", "0", "1.234"]
    assert units[1] == ["1", "Văn phòng UBND xã", "2", "1", "2", "1", "0", "6"]
    assert units[-1][1] == "Tổng cộng"
    assert pillars[1][1] == "Chính quyền số"
    assert targets[0] == ["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả đạt được", "Đánh giá"]
    assert targets[1][2:] == ["60 - 70%", "62,5", "Đạt"]
    assert done[1] == ["1", "Số hóa hồ sơ công việc", "Văn phòng UBND xã", "15/06/2025",
                       "10/06/2025", "12/06/2025", "Hoàn thành đúng hạn", "62,5"]
    assert late[1] == ["1", "Tập huấn kỹ năng số cho cán bộ", "Trạm y tế", "Đang thực hiện",
                       "31/05/2025", "30"]


def test_an_empty_section_says_there_is_none():
    doc = docx_of(sample_report(overdue=[]))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("VI. NHIỆM VỤ QUÁ HẠN") + 1] == "Không có."


def test_the_document_ties_itself_to_the_record_by_cutoff_position_digest_and_seal():
    text = document_text(docx_of(sample_report()))
    assert "30/06/2025 23:59:59" in text
    assert "vị trí 1234 trong nhật ký" in text
    assert DIGEST in text
    assert f"1300 sự kiện, mã gốc {ROOT}" in text


def test_the_signature_block_has_the_recipients_left_and_the_signer_right():
    left, right = doc_cells = docx_of(sample_report()).tables[-1].rows[0].cells
    assert doc_cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    assert run_with(left, "Nơi nhận:").bold and run_with(left, "Nơi nhận:").italic
    assert "- Lưu: VT." in left.text
    lines = [p.text for p in right.paragraphs]
    assert lines[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert lines[-1] == "Nguyễn Văn Lãnh"
    assert lines[2:-1] == ["", "", "", ""]  # room to sign and seal


def test_an_english_document_uses_english_words_dd_mm_yyyy_and_point_decimals():
    doc = docx_of(sample_report(), "en")
    left, right = doc.tables[0].rows[0].cells
    assert left.paragraphs[0].text == "UBND XÃ THANH HƯƠNG"  # a proper name, kept
    assert left.paragraphs[1].text == "No.: ……/BC-UBND"
    assert [p.text for p in right.paragraphs] == [
        "SOCIALIST REPUBLIC OF VIETNAM", "Independence - Freedom - Happiness",
        "Thanh Hương, 30/06/2025"]
    texts = [p.text for p in doc.paragraphs]
    assert "REPORT" in texts
    assert texts[texts.index("REPORT") + 2].endswith("(from 01/04/2025 to 30/06/2025)")
    targets = cells(doc.tables[4])
    assert targets[1][2:] == ["60 - 70%", "62.5", "Met"]
    done = cells(doc.tables[5])
    assert done[1][3:7] == ["15/06/2025", "10/06/2025", "12/06/2025", "Done on time"]
    assert [p.text for p in doc.tables[-1].rows[0].cells[0].paragraphs][0] == "Recipients:"


def test_the_files_do_not_change_the_report_they_are_made_from():
    report = sample_report()
    before = copy.deepcopy(report)
    xlsx(report)
    docx_of(report)
    write_report_csv(io.BytesIO(), report, "units", "vi")
    assert report == before
    assert date.fromisoformat(report["content"]["today"]) == date(2025, 6, 30)
