"""Period reports in the web app: the list, the issue form (leaders and auditors only),
the report as an administrative document with its print stylesheet, and its files.

The commune plays the first quarter of 2025 through commands: a task of VP linked to
CT02 is reported with 65 % on 10/03 and verified on 12/03; a task of YT due 10/03 is
still in progress at the end of March. The clock then stands at 02/04/2025 09:00,
when the quarter's report is issued.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.webapp import *  # noqa: F403  (fixtures)
from web import storage
from workflow.clock import LOCAL_TZ

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_REPORT_URL = re.compile(r"/reports/([0-9a-f-]{36})$")



def issue(browser, **fields):
    data = {"kind": "quarter", "year": "2025", "quarter": "1", "month": "1", "half": "1",
            "first_day": "", "last_day": "", "cutoff": "", "number": "", **fields}
    return browser.post("/reports/", data, page="/reports/")


@pytest.fixture
def issued(as_role, quarter):
    """The quarter's report, issued by a leader from the form: (browser, report url)."""
    leader = as_role("lanhdao")
    response = issue(leader)
    assert response.status_code == 303, response.text
    return leader, _REPORT_URL.search(response.headers["Location"]).group(0)


def test_everyone_signed_in_reads_the_list_but_only_leaders_and_auditors_see_the_form(
        as_role, seeded):
    for username in ("lanhdao", "giamsat"):
        page = as_role(username).get("/reports/")
        assert page.status_code == 200 and 'id="issue-report"' in page.text
    page = as_role("truongvp").get("/reports/")
    assert page.status_code == 200
    assert "Chưa có báo cáo nào được ban hành." in page.text
    assert 'id="issue-report"' not in page.text


def test_the_navigation_links_to_the_reports(as_role, seeded):
    page = as_role("canbovp").get("/overview")
    assert 'href="/reports/"' in page.text and "Báo cáo" in page.text


def test_a_leader_issues_the_quarter_and_is_taken_to_the_report(issued):
    leader, url = issued
    page = leader.get(url)
    assert page.status_code == 200
    text = page.text
    assert "Đã ban hành báo cáo." in text
    for words in ("UBND XÃ THANH HƯƠNG", "Số: ……/BC-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Thanh Hương, ngày 31 tháng 3 năm 2025",
                  "BÁO CÁO", "Quý I năm 2025 (từ ngày 01/01/2025 đến ngày 31/03/2025)",
                  "Số hóa hồ sơ công việc", "Tập huấn kỹ năng số cho cán bộ y tế",
                  "TM. ỦY BAN NHÂN DÂN", "Người lanhdao", "31/03/2025 23:59:59"):
        assert words in text, words
    overdue = text[text.index('id="section-overdue"'):text.index('id="provenance"')]
    assert "Đang thực hiện" in overdue and "<td class=\"num\">21</td>" in overdue
    targets = text[text.index('id="section-targets"'):text.index('id="section-completed"')]
    assert "<td class=\"num\">65</td>" in targets


def test_the_report_page_prints_on_a4_without_the_apps_frame(issued):
    leader, url = issued
    page = leader.get(url)
    css_url = re.search(r'href="(/static/app\.css[^"]*)"', page.text).group(1)
    with leader.client.get(css_url.replace("&amp;", "&")) as response:
        css = response.text
    assert "@page { size: A4; margin: 20mm 15mm 20mm 30mm; }" in css
    printed = css[css.index("@media print"):]
    assert ".top, .skip, .no-print { display: none !important; }" in printed
    assert 'class="no-print" id="report-check"' in page.text
    assert 'class="document" id="report-document"' in page.text
    assert "style=" not in page.text  # the CSP allows no inline style


def test_the_report_page_says_its_digest_matches_and_lists_later_changes(issued, quarter,
                                                                        app):
    leader, url = issued
    page = leader.get(url)
    assert 'id="digest-check"' in page.text
    assert "khớp mã kiểm tra đã ghi khi ban hành" in page.text
    assert "Không có thay đổi nào sau khi ban hành." in page.text
    with app.app_context():  # a late report about the quarter, after it was issued
        storage.service().submit_report("truongyt", quarter["late"], "Báo cáo muộn")
    again = leader.get(url)
    changed = again.text[again.text.index('id="changed-since"'):]
    assert "Không có thay đổi nào sau khi ban hành." not in changed
    assert f'href="/tasks/{quarter["late"]}"' in changed
    assert "Đang thực hiện → Đã báo cáo" in changed
    # The document itself is as issued: the task is still overdue and in progress.
    assert again.text[:again.text.index('id="report-check"')].count("Đang thực hiện") == \
        page.text[:page.text.index('id="report-check"')].count("Đang thực hiện")


def test_an_auditor_may_issue_with_a_cutoff_and_a_number(as_role, quarter):
    auditor = as_role("giamsat")
    response = issue(auditor, cutoff="2025-03-31T17:00", number="07/BC-UBND")
    assert response.status_code == 303, response.text
    page = auditor.get(response.headers["Location"])
    assert "Số: 07/BC-UBND" in page.text
    assert "31/03/2025 17:00:00" in page.text
    listed = auditor.get("/reports/")
    assert "quý I năm 2025" in listed.text and "07/BC-UBND" in listed.text


def test_a_unit_head_may_not_issue_a_report(as_role, quarter):
    head = as_role("truongvp")
    response = issue(head)
    assert response.status_code == 403
    assert 'role="alert"' in response.text
    assert "Chưa có báo cáo nào được ban hành." in head.get("/reports/").text


@pytest.mark.parametrize(("fields", "says"), [
    ({"year": "20x5"}, "Kỳ báo cáo “20x5-Q1” không hợp lệ"),
    ({"kind": "month", "year": "2025", "month": "13"}, "Kỳ báo cáo “2025-13” không hợp lệ"),
    ({"kind": "custom", "first_day": "2025-03-31", "last_day": "2025-03-01"},
     "ngày cuối trước ngày đầu"),
    ({"kind": "custom", "first_day": "", "last_day": ""}, "Hãy nhập ngày đầu và ngày cuối"),
    ({"kind": "weekly"}, "Hãy chọn loại kỳ báo cáo."),
    ({"kind": "quarter", "quarter": "3"}, "chưa tới"),
    ({"cutoff": "31/03/2025 25:00"}, "Thời điểm chốt số liệu"),
])
def test_a_period_that_cannot_be_issued_is_refused_with_what_was_typed_kept(
        as_role, quarter, fields, says):
    response = issue(as_role("lanhdao"), **fields)
    assert response.status_code in (400, 422)
    assert 'role="alert"' in response.text and says in response.text
    for key, value in fields.items():
        if key in ("year", "first_day", "last_day", "cutoff") and value:
            assert f'value="{value}"' in response.text
    assert "Chưa có báo cáo nào được ban hành." in response.text


def test_an_unknown_report_is_not_found(as_role, seeded):
    browser = as_role("lanhdao")
    missing = "00000000-0000-4000-8000-000000000000"
    assert browser.get(f"/reports/{missing}").status_code == 404
    assert browser.get(f"/reports/{missing}.xlsx").status_code == 404


def test_the_workbook_downloads_with_one_sheet_per_table(issued):
    leader, url = issued
    response = leader.get(f"{url}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    assert "bao-cao-2025-Q1.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Thông tin báo cáo", "Theo đơn vị", "Theo trụ cột", "Chỉ tiêu",
                               "Đã hoàn thành", "Quá hạn"]
    rows = list(book["Chỉ tiêu"].iter_rows(values_only=True))
    ct02 = dict(zip(rows[0], next(r for r in rows[1:] if r[1] == "CT02"), strict=True))
    assert ct02["Kết quả đạt được"] == 65 and ct02["Đánh giá"] == "Đạt"
    late = dict(zip(*list(book["Quá hạn"].iter_rows(values_only=True))[:2], strict=True))
    assert late["Đơn vị"] == "Trạm y tế" and late["Số ngày quá hạn"] == 21
    assert late["Hạn"] == datetime(2025, 3, 10)


def test_the_word_document_downloads_as_an_administrative_document(issued):
    leader, url = issued
    response = leader.get(f"{url}.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    doc = Document(io.BytesIO(response.data))
    left, right = doc.tables[0].rows[0].cells
    assert left.paragraphs[0].text == "UBND XÃ THANH HƯƠNG"
    assert right.paragraphs[2].text == "Thanh Hương, ngày 31 tháng 3 năm 2025"
    signer = [p.text for p in doc.tables[-1].rows[0].cells[1].paragraphs]
    assert signer[0] == "TM. ỦY BAN NHÂN DÂN" and signer[-1] == "Người lanhdao"
    body = "\n".join(cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "Số hóa hồ sơ công việc" in body and "12/03/2025" in body


def test_each_table_downloads_as_csv_with_a_byte_order_mark(issued):
    leader, url = issued
    response = leader.get(f"{url}/completed.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    found = dict(zip(header, row, strict=True))
    assert found["Nhiệm vụ"] == "Số hóa hồ sơ công việc"
    assert found["Ngày xác nhận"] == "12/03/2025"
    assert found["Kết quả"] == "Hoàn thành đúng hạn"
    assert found["Giá trị đo được"] == "65"
    assert leader.get(f"{url}/secrets.csv").status_code == 404


def test_an_english_reader_gets_the_files_in_english(issued):
    leader, url = issued
    leader.get(f"/lang/en?next={url}")
    response = leader.get(f"{url}/overdue.csv")
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert "Days overdue" in header
    doc = Document(io.BytesIO(leader.get(f"{url}.docx").data))
    assert doc.tables[0].rows[0].cells[1].paragraphs[0].text == "SOCIALIST REPUBLIC OF VIETNAM"


def test_the_running_quarter_is_issued_as_of_now(as_role, quarter, clock):
    response = issue(as_role("lanhdao"), kind="quarter", quarter="2")
    assert response.status_code == 303
    page = as_role("lanhdao").get(response.headers["Location"])
    assert clock.moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") in page.text
