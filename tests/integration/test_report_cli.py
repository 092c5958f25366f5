"""``nhiemvu report``: issue, list and show period reports, on SQLite and PostgreSQL.

The commune's second quarter of 2025 is recorded through the service under a clock
in 2025; the command line then runs at today's real time, after the quarter's end.
The CSV, XLSX and DOCX files are read back as their readers would (csv with the
byte-order mark, openpyxl, python-docx).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from events.queries import reports as report_queries
from events.readmodels.reports import reports
from events.system import System
from tests.conftest import cli_on
from tests.readmodels import assign, commune, report
from workflow.clock import LOCAL_TZ, FixedClock


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL_TZ).astimezone(UTC)


@dataclass
class Quarter:
    url: str
    done: str     # verified in the quarter, on time
    late: str     # open past its deadline at the quarter's end


@pytest.fixture
def quarter(database_url):
    clock = FixedClock(vn(2025, 3, 1, 9))
    with System(database_url, clock=clock) as store:
        commune(store)
        done = assign(store, "Tập huấn kỹ năng số", deadline=date(2025, 4, 30))
        late = assign(store, "Số hoá hồ sơ y tế", unit="YT", target="CT02",
                      deadline=date(2025, 5, 15))
        clock.moment = vn(2025, 4, 20, 9)
        report(store, done, value="62.5")
        clock.moment = vn(2025, 4, 25, 9)
        store.service.verify_task("lead", done)
        store.service.start_task("head_yt", late)
    return Quarter(database_url, done, late)


@pytest.fixture
def nhiemvu(quarter, tmp_path):
    return cli_on(quarter.url, tmp_path / "instance")


def _issued(nhiemvu, *args: str) -> str:
    done = nhiemvu("report", "issue", "--as", "lead", "--period", "2025-Q2", *args)
    assert done.exit_code == 0, done.output
    return str(uuid.UUID(done.output.strip()))


def test_issue_prints_the_id_and_list_shows_the_report(nhiemvu):
    report_id = _issued(nhiemvu, "--number", "15/BC-UBND")
    listed = nhiemvu("report", "list")
    assert listed.exit_code == 0
    assert report_id[:8] in listed.output and "quý II năm 2025" in listed.output
    assert "01/07/2025 06:59" not in listed.output  # the cut-off is 30/06 23:59
    assert "30/06/2025 23:59" in listed.output
    as_json = json.loads(nhiemvu("report", "list", "--json").output)
    assert [(r["id"], r["number"], r["period"]["code"]) for r in as_json] == [
        (report_id, "15/BC-UBND", "2025-Q2")]


def test_show_json_prints_the_canonical_content_the_same_bytes_every_time(nhiemvu, quarter,
                                                                          tmp_path):
    report_id = _issued(nhiemvu)
    first = nhiemvu("report", "show", report_id, "--format", "json").stdout_bytes
    with System(quarter.url, clock=FixedClock(vn(2025, 7, 5, 9))) as store:
        store.service.submit_report("head_yt", quarter.late, "Đã số hoá", value="65")
        store.service.verify_task("lead", quarter.late)
        issued = report_queries.issued_report(store, report_id)
    again = nhiemvu("report", "show", report_id[:8], "--format", "json")
    assert again.exit_code == 0
    assert again.stdout_bytes == first == report_queries.canonical(issued["content"]) + b"\n"
    assert json.loads(first)["overdue"][0]["task"] == quarter.late
    path = tmp_path / "q2.json"
    assert nhiemvu("report", "show", report_id, "--format", "json", "-o", str(path)).exit_code == 0
    assert path.read_bytes() == first


def test_show_text_is_a_readable_summary_with_the_digest_and_what_changed_since(
        nhiemvu, quarter):
    report_id = _issued(nhiemvu, "--cutoff", "2025-06-30T17:00")
    with System(quarter.url, clock=FixedClock(vn(2025, 7, 5, 9))) as store:
        store.service.submit_report("head_yt", quarter.late, "Đã số hoá", value="65")
        digest = report_queries.issued_report(store, report_id)["digest"]
    shown = nhiemvu("report", "show", report_id)
    assert shown.exit_code == 0, shown.output
    text = shown.output
    for words in ("Báo cáo quý II năm 2025", "30/06/2025 17:00", digest,
                  "Nội dung dựng lại khớp với mã băm đã ghi khi ban hành.",
                  "Văn phòng UBND xã", "Tập huấn kỹ năng số", "Số hoá hồ sơ y tế",
                  "Ghi nhận sau khi ban hành", "head_yt"):
        assert words in text, words


@pytest.mark.parametrize(("args", "words"), [
    (["--period", "2025-Q5"], "Kỳ báo cáo “2025-Q5” không hợp lệ"),
    (["--period", "2025-Q2", "--cutoff", "ngày mai"], "thời điểm chốt “ngày mai”"),
    (["--period", "2025-Q2", "--cutoff", "9999-06-30"], "nằm ngoài khoảng cho phép"),
    (["--period", "2025-Q2", "--cutoff", "2025-03-31"], "trước ngày đầu của kỳ báo cáo"),
    (["--period", "2100-Q2"], "chưa tới"),
    (["--period", "2025-Q2", "--number", "x" * 41], "Số hiệu báo cáo tối đa 40 ký tự"),
])
def test_issue_refuses_bad_input_with_exit_2(nhiemvu, args, words):
    done = nhiemvu("report", "issue", "--as", "lead", *args)
    assert done.exit_code == 2, done.output
    assert words in done.output


@pytest.mark.parametrize("who", ["head_vp", "member_vp"])
def test_issue_by_someone_not_leading_or_auditing_is_refused_with_exit_1(nhiemvu, who):
    done = nhiemvu("report", "issue", "--as", who, "--period", "2025-Q2")
    assert done.exit_code == 1
    assert "không được phép ban hành báo cáo định kỳ" in done.output
    assert "Chưa có báo cáo nào" in nhiemvu("report", "list").output


def test_show_refuses_an_unknown_id_and_csv_without_a_table(nhiemvu):
    report_id = _issued(nhiemvu)
    unknown = nhiemvu("report", "show", "0123456789ab")
    assert unknown.exit_code == 1 and "không tìm thấy báo cáo" in unknown.output
    no_table = nhiemvu("report", "show", report_id, "--format", "csv")
    assert no_table.exit_code == 2 and "--table" in no_table.output


def test_show_warns_and_exits_1_when_the_content_no_longer_matches_its_digest(
        nhiemvu, quarter):
    report_id = _issued(nhiemvu)
    with System(quarter.url) as store, store.engine.begin() as conn:
        # Behind the app's back: the recorded digest of another content.
        conn.execute(update(reports).values(digest="0" * 64))
    shown = nhiemvu("report", "show", report_id)
    assert shown.exit_code == 1
    assert "KHÔNG khớp" in shown.stdout and "nhiemvu audit verify" in shown.stderr


# -- the files: these read back what events/exports writes ---------------------------

def test_show_csv_writes_one_table_with_a_byte_order_mark(nhiemvu, tmp_path):
    report_id = _issued(nhiemvu)
    path = tmp_path / "units.csv"
    done = nhiemvu("report", "show", report_id, "--format", "csv", "--table", "units",
                   "-o", str(path))
    assert done.exit_code == 0, done.output
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    vp = next(row for row in rows if "Văn phòng UBND xã" in row)
    assert "1" in vp  # its one task, done on time
    overdue = nhiemvu("report", "show", report_id, "--format", "csv", "--table", "overdue")
    assert "Số hoá hồ sơ y tế" in overdue.stdout_bytes.decode("utf-8-sig")
    assert "46" in overdue.stdout_bytes.decode("utf-8-sig")  # days overdue on 30/06


def test_show_xlsx_writes_a_workbook_with_a_sheet_per_table(nhiemvu, tmp_path):
    from openpyxl import load_workbook

    report_id = _issued(nhiemvu)
    path = tmp_path / "q2.xlsx"
    done = nhiemvu("report", "show", report_id, "--format", "xlsx", "-o", str(path))
    assert done.exit_code == 0, done.output
    book = load_workbook(path, read_only=True)
    assert len(book.sheetnames) >= 5
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if cell is not None]
    assert "Văn phòng UBND xã" in cells and "Tập huấn kỹ năng số" in cells
    assert 46 in cells


def test_show_docx_writes_an_editable_document(nhiemvu, tmp_path):
    from docx import Document

    report_id = _issued(nhiemvu, "--number", "15/BC-UBND")
    path = tmp_path / "q2.docx"
    done = nhiemvu("report", "show", report_id, "--format", "docx", "-o", str(path))
    assert done.exit_code == 0, done.output
    document = Document(str(path))
    words = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join(words)
    assert "15/BC-UBND" in text
    assert "quý ii năm 2025" in text.casefold()
    assert "Tập huấn kỹ năng số" in text and "Số hoá hồ sơ y tế" in text
