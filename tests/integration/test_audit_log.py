"""The audit log in people's words: type names, display names, what changed old → new,
and every row of a filtered view streamed for the exports, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from events import queries
from events.exports import audit_file
from events.queries.audit import audit_rows
from tests.readmodels import assign, commune


def _life_of_a_task(store) -> str:
    """One task through every kind of change, by the people allowed to."""
    commune(store)
    service = store.service
    task = assign(store, "Tập huấn kỹ năng số", unit="VP")
    service.start_task("head_vp", task)
    service.note_progress("head_vp", task, "Đã họp thôn", percent=40, value="35.5")
    service.extend_deadline("lead", task, date(2025, 4, 30), "Chờ kinh phí")
    service.reassign_task("lead", task, "YT", "Đúng chuyên môn")
    service.submit_report("head_yt", task, "Đã hoàn thành", value="62.5")
    service.return_task("lead", task, "Thiếu biên bản")
    service.cancel_task("lead", task, "Không còn cần thiết")
    return task


def _by_type(rows):
    return {r["type"]: r for r in rows}


def test_each_task_event_says_what_it_changed_from_old_to_new(store):
    task = _life_of_a_task(store)
    rows = _by_type(queries.audit_log(store, task=task).rows)
    changes = {kind: {c["field"]: (c["old"], c["new"]) for c in row["changes"]}
               for kind, row in rows.items()}
    assert changes["TaskAssigned"] == {"state": (None, "assigned"),
                                       "deadline": (None, "2025-03-31"), "unit": (None, "VP")}
    assert changes["WorkStarted"] == {"state": ("assigned", "in_progress")}
    assert changes["ProgressNoted"] == {"percent": (None, 40), "value": (None, "35.5")}
    assert changes["DeadlineExtended"] == {"deadline": ("2025-03-31", "2025-04-30")}
    assert changes["TaskReassigned"] == {"unit": ("VP", "YT")}
    assert changes["ReportSubmitted"] == {"state": ("in_progress", "reported"),
                                          "value": ("35.5", "62.5")}
    assert changes["ReportReturned"] == {"state": ("reported", "in_progress")}
    assert changes["TaskCancelled"] == {"state": ("in_progress", "cancelled")}


def test_changes_are_said_in_vietnamese_with_dates_dd_mm_yyyy_and_decimal_commas(store):
    task = _life_of_a_task(store)
    said = {kind: row["changes_text"]
            for kind, row in _by_type(queries.audit_log(store, task=task).rows).items()}
    assert said["WorkStarted"] == "Trạng thái: Đã giao → Đang thực hiện"
    assert said["DeadlineExtended"] == "Hạn: 31/03/2025 → 30/04/2025"
    assert said["TaskReassigned"] == "Đơn vị: VP → YT"
    assert said["ReportSubmitted"] == ("Trạng thái: Đang thực hiện → Đã báo cáo; "
                                       "Giá trị đo: 35,5% → 62,5%")
    assert said["ProgressNoted"] == "Giá trị đo: 35,5%; Tiến độ: 40%"


def test_a_progress_note_that_repeats_the_percentage_changes_nothing(store):
    commune(store)
    task = assign(store)
    store.service.start_task("head_vp", task)
    store.service.note_progress("head_vp", task, "Họp lần 1", percent=40)
    store.service.note_progress("head_vp", task, "Họp lần 2", percent=40)
    notes = queries.audit_log(store, task=task, type="ProgressNoted").rows
    assert [n["changes"] for n in notes][0] == []
    assert notes[1]["changes_text"] == "Tiến độ: 40%"


def test_entries_name_people_and_event_types_in_the_readers_language(store):
    commune(store)
    task = assign(store)
    store.service.start_task("head_vp", task)
    vi = _by_type(queries.audit_log(store, task=task).rows)
    en = _by_type(queries.audit_log(store, task=task, locale="en").rows)
    assert (vi["TaskAssigned"]["actor"], vi["TaskAssigned"]["actor_name"]) == (
        "lead", "Nguyễn Văn Lãnh")
    # Without a display name, the username is the name.
    assert vi["WorkStarted"]["actor_name"] == "head_vp"
    assert vi["WorkStarted"]["unit_name"] == "Văn phòng UBND xã"
    assert vi["TaskAssigned"]["type_name"] == "Giao nhiệm vụ"
    assert en["TaskAssigned"]["type_name"] == "Task assigned"
    assert en["WorkStarted"]["changes_text"] == "State: assigned → in progress"
    assert vi["WorkStarted"]["task_id"] == task


def test_the_stream_has_exactly_the_rows_of_every_page_of_the_filtered_view(store):
    _life_of_a_task(store)
    for filters in ({}, {"unit": "YT"}, {"actor": "lead"}, {"type": "UserRegistered"},
                    {"since": date(2025, 3, 1), "until": date(2025, 3, 1)}):
        paged, before = [], None
        while True:
            page = queries.audit_log(store, **filters, limit=3, before=before)
            paged += page.rows
            if page.next_cursor is None:
                break
            before = page.next_cursor
        streamed = list(audit_rows(store, **filters, batch=4))
        assert streamed == paged, filters
        assert streamed, filters


def test_the_stream_leaves_out_events_recorded_after_it_began(store):
    commune(store)
    task = assign(store)
    stream = audit_rows(store, batch=2)
    first = next(stream)
    store.service.start_task("head_vp", task)
    rest = list(stream)
    assert all(r["position"] < first["position"] for r in rest)
    assert "WorkStarted" not in {r["type"] for r in [first, *rest]}


def test_the_csv_export_reads_back_with_its_bom_vietnamese_text_and_numbers(store):
    task = _life_of_a_task(store)
    out = io.BytesIO()
    audit_file.write_audit_csv(out, audit_rows(store, task=task))
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == audit_file.header("vi")
    assert len(table) == 1 + 8  # the header and the task's eight events
    head = table[0]
    submitted = next(r for r in table[1:] if r[head.index("Loại sự kiện")] == "Báo cáo kết quả")
    assert submitted[head.index("Người thực hiện")] == "head_yt"
    assert submitted[head.index("Đơn vị")] == "Trạm y tế"
    assert submitted[head.index("Giá trị đo")] == "62.5"
    assert "Đang thực hiện → Đã báo cáo" in submitted[head.index("Thay đổi")]
    assert submitted[head.index("Nhiệm vụ")] == task
    noted = next(r for r in table[1:] if r[head.index("Loại sự kiện")] == "Ghi nhận tiến độ")
    assert noted[head.index("Tiến độ (%)")] == "40"


def test_the_xlsx_export_has_the_same_columns_with_numbers_and_times(store):
    task = _life_of_a_task(store)
    out = io.BytesIO()
    audit_file.write_audit_xlsx(out, audit_rows(store, task=task))
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Nhật ký"]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == audit_file.header("vi")
    head = table[0]
    assigned = table[-1]
    assert assigned[head.index("Loại sự kiện")] == "Giao nhiệm vụ"
    assert assigned[head.index("Người thực hiện")] == "Nguyễn Văn Lãnh"
    assert assigned[head.index("Thời gian")].strftime("%d/%m/%Y %H:%M") == "01/03/2025 09:00"
    noted = next(r for r in table[1:] if r[head.index("Loại sự kiện")] == "Ghi nhận tiến độ")
    assert noted[head.index("Tiến độ (%)")] == 40
    assert Decimal(str(noted[head.index("Giá trị đo")])) == Decimal("35.5")
