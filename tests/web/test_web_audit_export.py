"""The audit page in people's words, and its exports: ``?format=csv`` / ``?format=xlsx``
send every row of the filtered view (all its pages), nothing else."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import openpyxl
import pytest

from tests.webapp import *  # noqa: F403  (fixtures)

_POSITION = re.compile(r'<li id="event-(\d+)"')
_NEXT = re.compile(r'<p class="pager"><a href="([^"]+)"')


@pytest.fixture
def worked(app, seeded, task_id):
    """The task started, noted at 40 %, extended; a page holds 3 rows."""
    app.config["PAGE_SIZE"] = 3
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.note_progress("canbovp", task_id, "Đã họp thôn", percent=40, value="35.5")
        seeded.extend_deadline("lanhdao", task_id, date(2025, 4, 30), "Chờ kinh phí")
    return task_id


def _positions_on_every_page(browser, url: str) -> list[int]:
    seen = []
    while url:
        page = browser.get(url).text.split('id="audit-results"')[1]
        seen += [int(p) for p in _POSITION.findall(page)]
        found = _NEXT.search(page)
        url = html.unescape(found.group(1)) if found else None
    return seen


def _csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.mark.parametrize("query", ["", "actor=lanhdao", "unit=VP", "type=UserRegistered",
                                   "since=2025-03-01&until=01/03/2025", "unit=YT&type=WorkStarted"])
def test_the_csv_export_has_exactly_the_rows_of_every_page_of_the_view(as_role, worked, query):
    browser = as_role("giamsat")
    shown = _positions_on_every_page(browser, f"/audit/?{query}")
    exported = browser.get(f"/audit/?{query}&format=csv")
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    assert [int(row[0]) for row in _csv(exported)[1:]] == shown


def test_the_export_ignores_the_page_it_was_asked_from(as_role, worked):
    browser = as_role("giamsat")
    everything = _csv(browser.get("/audit/?format=csv"))
    second_page = _csv(browser.get("/audit/?format=csv&before=5"))
    assert second_page == everything


def test_the_page_names_people_event_types_and_changes_and_links_the_task(as_role, worked):
    page = as_role("giamsat").get("/audit/?actor=canbovp", htmx=True).text
    assert "<strong>Người canbovp</strong> <span class=\"muted\">(canbovp)</span>" in page
    assert "Ghi nhận tiến độ" in page and "ProgressNoted</span>" not in page
    assert "Giá trị đo: 35,5%; Tiến độ: 40%" in page
    assert f'href="/tasks/{worked}"' in page
    extended = as_role("giamsat").get("/audit/?type=DeadlineExtended", htmx=True).text
    assert "Hạn: 31/03/2025 → 30/04/2025" in extended


def test_the_type_filter_shows_event_names_and_the_export_links_keep_the_filters(as_role,
                                                                                 worked):
    page = as_role("giamsat").get("/audit/?unit=VP&type=WorkStarted").text
    assert '<option value="WorkStarted" selected>Bắt đầu thực hiện</option>' in page
    assert 'href="/audit/?unit=VP&amp;type=WorkStarted&amp;format=csv"' in page
    assert 'href="/audit/?unit=VP&amp;type=WorkStarted&amp;format=xlsx"' in page


def test_the_xlsx_export_reads_back_with_vietnamese_text_and_numbers(as_role, worked):
    response = as_role("giamsat").get("/audit/?unit=VP&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Nhật ký"]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    head = table[0]
    noted = next(r for r in table if r[head.index("Loại sự kiện")] == "Ghi nhận tiến độ")
    assert noted[head.index("Người thực hiện")] == "Người canbovp"
    assert noted[head.index("Tiến độ (%)")] == 40
    assert noted[head.index("Giá trị đo")] == 35.5
    assert noted[head.index("Nhiệm vụ")] == str(worked)
    assert {r[head.index("Mã đơn vị")] for r in table[1:]} == {"VP"}


def test_the_export_speaks_the_readers_language(as_role, worked):
    browser = as_role("giamsat")
    browser.client.get("/lang/en")
    table = _csv(browser.get("/audit/?type=WorkStarted&format=csv"))
    assert table[0][:3] == ["Position", "Time", "Person"]
    assert table[1][table[0].index("Event")] == "Work started"


def test_an_unknown_format_is_a_bad_request(as_role, worked):
    assert as_role("giamsat").get("/audit/?format=pdf").status_code == 400


def test_a_bad_date_in_an_export_is_a_bad_request(as_role, worked):
    assert as_role("giamsat").get("/audit/?since=31/02/2025&format=csv").status_code == 400


def test_the_export_needs_a_signed_in_person(client, worked):
    response = client.get("/audit/?format=csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
