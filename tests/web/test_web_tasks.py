"""The task page's actions through the web: what was recorded, what the person sees."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import events_of, post_action, upload
from web import storage


def test_a_unit_head_starts_a_task_with_a_plain_form_and_is_redirected(app, as_role, task_id):
    browser = as_role("truongvp")
    response = post_action(browser, task_id, "start", {"version": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/tasks/{task_id}"
    page = browser.get(f"/tasks/{task_id}").text
    assert "Đã bắt đầu thực hiện." in page and "Đang thực hiện" in page
    assert type(events_of(app, task_id)[-1]).__name__ == "WorkStarted"


def test_with_htmx_an_action_returns_the_refreshed_panel(app, as_role, task_id):
    response = post_action(as_role("truongvp"), task_id, "start", {"version": "1"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="task-panel"')
    assert "Đã bắt đầu thực hiện." in response.text
    assert 'aria-live="polite"' in response.text


def test_a_report_stores_the_evidence_by_digest_and_records_it(app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    content = b"%PDF-1.4 bien ban nghiem thu"
    response = post_action(as_role("truongvp"), task_id, "report", {
        "summary": "Đã số hóa 65% hồ sơ", "value": "65,5",
        "links": "https://dichvucong.gov.vn/ho-so",
        "evidence": upload(content, "Biên bản.pdf")}, multipart=True)
    assert response.status_code == 303
    reported = events_of(app, task_id)[-1]
    digest = hashlib.sha256(content).hexdigest()
    assert str(reported.value) == "65.5"
    assert reported.evidence == [
        {"sha256": digest, "name": "Biên bản.pdf", "size": len(content),
         "media_type": "application/pdf"},
        {"url": "https://dichvucong.gov.vn/ho-so"}]
    stored = app.instance_path + f"/evidence/{digest[:2]}/{digest}"
    with open(stored, "rb") as handle:
        assert handle.read() == content
    download = as_role("lanhdao").get(f"/tasks/{task_id}/evidence/{digest}")
    assert download.data == content
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


@pytest.mark.parametrize(("name", "size", "message"), [
    ("script.exe", 10, "Không nhận loại tệp"),
    ("anh.png", 2 * 1024 * 1024 + 1, "quá lớn (tối đa 2 MB)"),
])
def test_evidence_of_the_wrong_type_or_size_is_refused_before_any_event(
        app, seeded, as_role, task_id, name, size, message):
    app.config["EVIDENCE_MAX_BYTES"] = 2 * 1024 * 1024
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    response = post_action(as_role("truongvp"), task_id, "report", {
        "summary": "Báo cáo có tệp lạ", "evidence": upload(b"x" * size, name)},
        multipart=True)
    assert response.status_code == 422
    assert message in response.text
    assert "Báo cáo có tệp lạ" in response.text  # what was typed is kept
    assert type(events_of(app, task_id)[-1]).__name__ == "WorkStarted"


def test_a_download_of_a_digest_not_in_the_task_is_404(as_role, task_id):
    response = as_role("truongvp").get(f"/tasks/{task_id}/evidence/{'a' * 64}")
    assert response.status_code == 404


def test_a_stale_form_is_refused_as_a_concurrent_change_and_keeps_the_text(
        app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.note_progress("canbovp", task_id, "Đã họp")
    response = post_action(as_role("truongvp"), task_id, "note",
                           {"version": "2", "text": "Tiến độ của tôi"}, htmx=True)
    assert response.status_code == 422
    assert "vừa được người khác cập nhật" in response.text
    assert "Bạn đã gửi thao tác này rồi." not in response.text  # not taken for your own
    assert "Tiến độ của tôi</textarea>" in response.text
    assert 'name="version" value="3"' in response.text  # the panel is refreshed
    assert len(events_of(app, task_id)) == 3


def test_an_invalid_percentage_is_explained_and_the_typed_text_kept(app, seeded, as_role,
                                                                    task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    response = post_action(as_role("canbovp"), task_id, "note",
                           {"text": "Đã tập huấn 20 người", "percent": "150"})
    assert response.status_code == 422
    assert "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100." in response.text
    assert "Đã tập huấn 20 người</textarea>" in response.text
    assert "<details open>" in response.text


def test_a_return_without_a_reason_is_refused_with_a_message(app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.submit_report("truongvp", task_id, "Xong")
    response = post_action(as_role("lanhdao"), task_id, "return", {"reason": "  "})
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert type(events_of(app, task_id)[-1]).__name__ == "ReportSubmitted"


def test_a_leader_extends_the_deadline_typed_as_dd_mm_yyyy(app, as_role, task_id):
    response = post_action(as_role("lanhdao"), task_id, "extend",
                           {"deadline": "15/04/2025", "reason": "Chờ phần mềm"})
    assert response.status_code == 303
    extended = events_of(app, task_id)[-1]
    assert extended.deadline == date(2025, 4, 15)
    page = as_role("truongvp").get(f"/tasks/{task_id}").text
    assert "15/04/2025" in page and "hạn ban đầu 31/03/2025, gia hạn 1 lần" in page
    assert "gia hạn từ 31/03/2025 đến 15/04/2025." in page and "Chờ phần mềm" in page


def test_a_leader_reassigns_and_cancels(app, as_role, task_id):
    leader = as_role("lanhdao")
    assert post_action(leader, task_id, "reassign",
                       {"unit": "YT", "reason": "Đúng chức năng"}).status_code == 303
    assert post_action(leader, task_id, "cancel", {"reason": "Trùng"}).status_code == 303
    kinds = [type(e).__name__ for e in events_of(app, task_id)]
    assert kinds == ["TaskAssigned", "TaskReassigned", "TaskCancelled"]
    page = leader.get(f"/tasks/{task_id}").text
    assert "giao lại từ Văn phòng UBND xã sang Trạm y tế." in page
    assert "Bạn không có thao tác nào" in page


def test_the_whole_life_shows_in_the_history_in_order_with_the_people(app, as_role, task_id):
    head, leader = as_role("truongvp"), as_role("lanhdao")
    post_action(head, task_id, "start")
    post_action(head, task_id, "report", {"summary": "Lần 1", "value": "55"})
    post_action(leader, task_id, "return", {"reason": "Thiếu biên bản"})
    post_action(head, task_id, "report", {"summary": "Lần 2", "value": "62"})
    post_action(leader, task_id, "verify", {"comment": "Đạt"})
    page = head.get(f"/tasks/{task_id}").text
    sentences = [
        "Người lanhdao giao nhiệm vụ “Số hóa hồ sơ công việc” cho Văn phòng UBND xã, "
        "hạn 31/03/2025.",
        "Người truongvp bắt đầu thực hiện.", "Người truongvp báo cáo kết quả.",
        "Người lanhdao trả lại báo cáo để làm lại.", "Người truongvp báo cáo kết quả.",
        "Người lanhdao xác nhận hoàn thành."]
    positions = []
    start = 0
    for sentence in sentences:
        start = page.index(sentence, start)
        positions.append(start)
    assert positions == sorted(positions)
    assert "Thiếu biên bản" in page and "01/03/2025 09:00" in page
    assert "Đã xác nhận hoàn thành" in page


def test_a_leader_assigns_a_task_and_lands_on_its_page(app, as_role, seeded):
    response = as_role("lanhdao").post("/tasks/new", {
        "title": "Tập huấn kỹ năng số", "unit": "YT", "deadline": "2025-04-30",
        "target": "CT01", "description": "Cho cán bộ trạm"})
    assert response.status_code == 303
    page = as_role("truongyt").get(response.headers["Location"]).text
    assert "Tập huấn kỹ năng số" in page and "Trạm y tế" in page and "CT01" in page


def test_an_assignment_with_a_past_deadline_is_refused_keeping_the_form(as_role, seeded):
    response = as_role("lanhdao").post("/tasks/new", {
        "title": "Việc cũ", "unit": "YT", "deadline": "2024-01-01"})
    assert response.status_code == 422
    assert "không được trước hôm nay" in response.text and 'value="Việc cũ"' in response.text


def test_the_task_list_filters_and_searches_without_diacritics(app, seeded, as_role, task_id):
    with app.app_context():
        seeded.assign_task("lanhdao", unit="YT", deadline=date(2025, 5, 1),
                           title="Hồ sơ sức khỏe điện tử")
    browser = as_role("giamsat")
    found = browser.get("/tasks/?q=suc+khoe", htmx=True).text
    assert "Hồ sơ sức khỏe điện tử" in found and "Số hóa hồ sơ" not in found
    by_unit = browser.get("/tasks/?unit=VP").text
    assert "Số hóa hồ sơ công việc" in by_unit and "Hồ sơ sức khỏe" not in by_unit
    assert 'option value="VP" selected' in by_unit


def test_the_task_list_pages_with_a_cursor(app, seeded, as_role):
    app.config["PAGE_SIZE"] = 2
    with app.app_context():
        for n in range(3):
            seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 4, 1 + n),
                               title=f"Việc số {n}")
    browser = as_role("lanhdao")
    first = browser.get("/tasks/").text
    assert "Việc số 0" in first and "Việc số 2" not in first
    assert "Hiển thị 1–2 trong 3 nhiệm vụ" in first and "Trang trước" not in first
    second = browser.get(pager_link(first, "next"), htmx=True).text
    assert "Việc số 2" in second and "Việc số 0" not in second
    assert "Hiển thị 3–3 trong 3 nhiệm vụ" in second and "Trang sau" not in second
    back = browser.get(pager_link(second, "prev"), htmx=True).text
    assert "Việc số 0" in back and "Việc số 1" in back and "Việc số 2" not in back
    assert "Hiển thị 1–2 trong 3 nhiệm vụ" in back


def pager_link(page: str, rel: str) -> str:
    return page.split(f'rel="{rel}" href="')[1].split('"')[0].replace("&amp;", "&")


def test_the_task_list_sorts_by_last_activity_and_keeps_the_sort_across_pages(
        app, seeded, as_role, clock):
    app.config["PAGE_SIZE"] = 2
    made = []
    with app.app_context():
        for n in range(3):
            made.append(seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 4, 1 + n),
                                           title=f"Việc số {n}"))
            clock.advance(minutes=1)
        seeded.start_task("truongvp", made[1])
    browser = as_role("lanhdao")
    first = browser.get("/tasks/?sort=activity").text
    assert first.index("Việc số 1") < first.index("Việc số 2")
    assert "Việc số 0" not in first.split('id="results"')[1]
    assert 'value="activity" selected' in first
    link = pager_link(first, "next")
    assert "sort=activity" in link
    second = browser.get(link, htmx=True).text
    assert "Việc số 0" in second and "Hiển thị 3–3 trong 3 nhiệm vụ" in second


@pytest.mark.parametrize("url", [
    "/tasks/?before=garbage", "/tasks/?sort=activity&after=2025-03-31." + "0" * 32,
    "/tasks/?sort=activity&before=a12.zz", "/tasks/?after=a1700000000000000." + "0" * 32,
])
def test_a_cursor_that_does_not_fit_the_list_is_a_clear_400(as_role, task_id, url):
    page = as_role("lanhdao").get(url)
    assert page.status_code == 400
    assert "Vị trí trang không hợp lệ" in page.text


def test_an_unknown_sort_is_the_sort_by_deadline(as_role, task_id):
    page = as_role("lanhdao").get("/tasks/?sort=%3Cb%3E")
    assert page.status_code == 200 and "Số hóa hồ sơ công việc" in page.text


def test_a_returned_task_has_its_badge_and_a_filter_of_its_own(app, seeded, as_role, task_id):
    with app.app_context():
        seeded.assign_task("lanhdao", unit="YT", deadline=date(2025, 5, 1),
                           title="Hồ sơ sức khỏe điện tử")
        seeded.start_task("truongvp", task_id)
        seeded.submit_report("truongvp", task_id, "Đã số hóa 40%")
        seeded.return_task("lanhdao", task_id, "Thiếu minh chứng")
    browser = as_role("truongyt")
    everything = browser.get("/tasks/").text
    assert everything.count('<span class="badge returned">Bị trả lại</span>') == 1
    only = browser.get("/tasks/?returned=1").text
    results = only.split('id="results"')[1]
    assert "Số hóa hồ sơ công việc" in results and "Hồ sơ sức khỏe" not in results
    assert 'id="returned" name="returned" type="checkbox" value="1" checked' in only
    assert "Hiển thị 1–1 trong 1 nhiệm vụ" in only


def test_an_action_whose_views_cannot_follow_is_done_and_the_person_is_told(
        app, as_role, task_id):
    from events.readmodels import tables

    browser = as_role("truongvp")
    # The read models' bookkeeping gone from under the app.
    with app.app_context(), storage.store().engine.begin() as conn:
        tables.positions.drop(conn)
    response = post_action(browser, task_id, "start", {"version": "1"})
    assert response.status_code == 303
    assert type(events_of(app, task_id)[-1]).__name__ == "WorkStarted"
    page = browser.get(f"/tasks/{task_id}").text
    assert "Đã ghi nhận, nhưng danh sách và bảng tổng hợp chưa cập nhật kịp" in page
    # The next page, after a request that saved nothing, says nothing of it.
    assert "chưa cập nhật kịp" not in browser.get(f"/tasks/{task_id}").text


@pytest.mark.both_stores
def test_the_lists_total_is_the_number_of_tasks_it_filters(app, as_role, seeded):
    # The total of a list filtered by state, unit and target alone comes from the
    # running totals, the rest from the board itself: both say what the rows say.
    with app.app_context():
        svc = seeded
        made = [svc.assign_task("lanhdao", unit=unit, deadline=date(2025, 3, 10 + n),
                                title=f"Việc {n}", **({"target": "CT02", "plan": "KH-CDS-2025"}
                                                     if n % 2 else {}))
                for n, unit in enumerate(["VP", "VP", "VP", "YT", "YT"])]
        for task in made[:2]:
            svc.start_task("truongvp", task)
        svc.start_task("truongyt", made[3])
        svc.cancel_task("lanhdao", made[4], "Không cần")
    browser = as_role("lanhdao")
    for query in ["", "state=in_progress", "unit=VP", "state=in_progress&unit=VP",
                  "state=assigned&unit=YT", "target=CT02", "unit=YT&target=CT02",
                  "state=cancelled", "state=in_progress&unit=VP&target=CT02",
                  "state=in_progress&unit=VP&deadline_from=2025-03-11", "q=việc&unit=VP"]:
        page = browser.get(f"/tasks/?{query}").text
        rows = page.count('<a class="title"')
        if rows:
            assert f"trong {rows} nhiệm vụ" in page, query
        else:
            assert "Không có nhiệm vụ nào." in page, query


@pytest.mark.both_stores
def test_a_lists_brief_rows_say_what_the_full_rows_say(app, seeded):
    from events import queries

    with app.app_context():
        svc, store = seeded, storage.store()
        made = [svc.assign_task("lanhdao", unit=unit, deadline=date(2025, 3, 2 + n),
                                title=f"Việc {n}", target="CT02" if n % 2 else None,
                                plan="KH-CDS-2025" if n % 2 else None)
                for n, unit in enumerate(["VP", "YT", "VP"])]
        svc.start_task("truongvp", made[0])
        svc.note_progress("truongvp", made[0], "Một nửa", percent=50)
        for sort in ("deadline", "activity"):
            full = queries.board(store, sort=sort, limit=2)
            brief = queries.board(store, sort=sort, limit=2, brief=True)
            assert brief.rows and len(brief.rows) == len(full.rows)
            assert [{k: row[k] for k in brief_row} for row, brief_row
                    in zip(full.rows, brief.rows, strict=True)] == brief.rows
            assert (brief.next_cursor, brief.total) == (full.next_cursor, full.total)
