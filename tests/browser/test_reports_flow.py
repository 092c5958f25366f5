"""On a phone: a leader looks at the dashboard as of a cut-off, sees the banner and the
numbers of then, issues the quarter's report and downloads its XLSX; the report's
print layout (A4) is the user guides' picture.

``NHIEMVU_SCREENSHOTS=1`` also refreshes docs/screenshots/report-print.png.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from events.system import System
from tests.browser.test_task_flow import DOCS_SHOTS, sign_in


def _cards(page) -> str:
    return page.locator("ul.cards").first.inner_text()


def test_a_leader_reads_the_dashboard_as_of_a_cut_off_and_issues_the_quarter(
        browser: Browser, live_app, sqlite_url, clock, tmp_path):
    base, task_id = live_app
    # 01/03/2025 09:00 in Vietnam: one of the two tasks is started by then.
    with System(sqlite_url, clock=clock) as store:
        store.service.start_task("truongvp", task_id)
    clock.advance(hours=1)
    cut_off = "2025-03-01T10:00"
    # A week later it is reported and verified: done on time.
    clock.moment = datetime(2025, 3, 8, 2, 0, tzinfo=UTC)
    with System(sqlite_url, clock=clock) as store:
        store.service.submit_report("truongvp", task_id, "Đã số hóa 80 % hồ sơ", value="80")
        store.service.verify_task("lanhdao", task_id, "Đạt")
    clock.moment = datetime(2025, 4, 2, 2, 0, tzinfo=UTC)

    leader = sign_in(browser, base, "lanhdao", javascript=True)
    now = _cards(leader)
    leader.get_by_label("Số liệu tại thời điểm").fill(cut_off)
    leader.get_by_role("button", name="Xem", exact=True).click()
    banner = leader.locator("#as-of-banner")
    expect(banner).to_contain_text("Số liệu tại thời điểm 01/03/2025 10:00")
    then = _cards(leader)
    assert then != now
    # Then: nothing done yet; now: one task done on time.
    assert then.splitlines()[0].strip() == "0" and now.splitlines()[0].strip() == "1"

    leader.get_by_text("Trình đơn", exact=True).click()  # the header's menu, folded on a phone
    leader.get_by_role("link", name="Báo cáo", exact=True).click()
    leader.get_by_label("Loại kỳ").select_option("quarter")
    leader.get_by_label("Năm").fill("2025")
    leader.get_by_label("Quý (khi chọn quý)").select_option("1")
    leader.get_by_role("button", name="Ban hành báo cáo").click()
    expect(leader.locator("h1.doc-title")).to_be_visible()
    with leader.expect_download() as download:
        leader.get_by_role("link", name="Bảng tính Excel (.xlsx), mỗi bảng một trang").click()
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    book = load_workbook(saved, read_only=True)
    cells = [str(c) for sheet in book.worksheets
             for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Số hóa hồ sơ công việc" in cells

    leader.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    leader.emulate_media(media="print")
    shots = DOCS_SHOTS if os.environ.get("NHIEMVU_SCREENSHOTS") else tmp_path
    leader.screenshot(path=str(shots / "report-print.png"), full_page=True)
    assert not leader.locator("header.top").is_visible()
    assert leader.context.pages[0].console_errors == []
