"""The task page as its readers see it: returned work in plain sight, honest facts, and
the small refusals of its forms (issue 13)."""

from __future__ import annotations

import hashlib
import re
from zoneinfo import ZoneInfo

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import events_of, post_action, upload

BADGE = '<span class="badge returned">Bị trả lại</span>'


def returned_task(app, seeded, task_id, value="62"):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.note_progress("canbovp", task_id, "Đã số hóa phần lớn", percent="70")
        seeded.submit_report("truongvp", task_id, "Đã số hóa 62%", value)
        seeded.return_task("lanhdao", task_id, "Thiếu biên bản nghiệm thu")


def pct(number: str) -> re.Pattern[str]:
    """The percent as Babel writes it in Vietnamese ("62%" or "62 %": CLDR decides)."""
    return re.compile(re.escape(number) + r"\s?%")


def facts(page: str) -> str:
    return page.split('<dl class="facts">')[1].split("</dl>")[0]


@pytest.mark.both_stores
def test_a_returned_task_shows_its_badge_and_who_returned_it_why_and_when(
        app, seeded, as_role, task_id):
    returned_task(app, seeded, task_id)
    page = as_role("truongvp").get(f"/tasks/{task_id}").text
    returned = events_of(app, task_id)[-1]
    when = returned.timestamp.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    notice = page.split('id="returned-notice"')[1].split("</div>")[0]
    assert "Thiếu biên bản nghiệm thu" in notice and "Người lanhdao" in notice
    assert when.strftime("%d/%m/%Y %H:%M") in notice
    assert BADGE in facts(page)
    # The notice comes before the facts, at the top of the page.
    assert page.index('id="returned-notice"') < page.index('<dl class="facts">')


def test_the_facts_show_a_returned_value_as_returned_never_as_current(
        app, seeded, as_role, task_id):
    returned_task(app, seeded, task_id)
    box = facts(as_role("lanhdao").get(f"/tasks/{task_id}").text)
    assert "Giá trị báo cáo đã bị trả lại" in box and pct("62").search(box)
    assert "<dt>Giá trị báo cáo</dt>" not in box


@pytest.mark.both_stores
def test_after_the_next_report_the_returned_notice_and_badge_are_gone(
        app, seeded, as_role, task_id):
    returned_task(app, seeded, task_id)
    with app.app_context():
        seeded.submit_report("truongvp", task_id, "Đã bổ sung biên bản", "64")
    page = as_role("truongvp").get(f"/tasks/{task_id}").text
    assert 'id="returned-notice"' not in page and BADGE not in page
    assert re.search(r"<dt>Giá trị báo cáo</dt><dd>64\s?%</dd>", facts(page))


def test_a_task_in_progress_never_returned_has_no_returned_notice(
        app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    page = as_role("truongvp").get(f"/tasks/{task_id}").text
    assert 'id="returned-notice"' not in page and BADGE not in page


def test_a_verified_task_reads_100_percent_done_not_its_last_progress_note(
        app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.note_progress("canbovp", task_id, "Gần xong", percent="70")
        seeded.submit_report("truongvp", task_id, "Xong", "65")
        seeded.verify_task("lanhdao", task_id)
    box = facts(as_role("truongvp").get(f"/tasks/{task_id}").text)
    state = box.split("<dt>Trạng thái</dt>")[1].split("</dd>")[0]
    assert pct("100").search(state) and "70" not in state
    assert re.search(r"<dt>Giá trị đã xác nhận</dt><dd>65\s?%</dd>", box)


# -- the reassign form's placeholder ---------------------------------------------

def test_the_reassign_list_preselects_a_placeholder_not_a_unit(as_role, task_id):
    page = as_role("lanhdao").get(f"/tasks/{task_id}").text
    select = page.split('<select id="reassign-unit"')[1].split("</select>")[0]
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first and "disabled" in first and "selected" in first
    assert "— Chọn đơn vị —" in select
    assert select.count("selected") == 1


def test_a_reassignment_without_a_unit_is_refused_and_nothing_recorded(
        app, as_role, task_id):
    response = post_action(as_role("lanhdao"), task_id, "reassign",
                           {"unit": "", "reason": "Đổi đơn vị"})
    assert response.status_code == 422
    assert "Hãy chọn đơn vị sẽ nhận nhiệm vụ." in response.text
    assert [type(e).__name__ for e in events_of(app, task_id)] == ["TaskAssigned"]


# -- each form names its own deadline field ----------------------------------------

def test_a_past_deadline_on_the_assign_form_names_the_assign_forms_field(as_role, seeded):
    response = as_role("lanhdao").post("/tasks/new", {
        "title": "Việc cũ", "unit": "YT", "deadline": "2024-01-01"})
    assert response.status_code == 422
    assert "Hạn hoàn thành (01/01/2024) không được trước hôm nay" in response.text
    assert "Hạn mới" not in response.text.split('role="alert"')[1].split("</p>")[0]


def test_a_past_deadline_on_the_extend_form_still_names_the_new_deadline(
        as_role, task_id):
    response = post_action(as_role("lanhdao"), task_id, "extend",
                           {"deadline": "01/01/2024", "reason": "Lùi hạn"})
    assert response.status_code == 422
    assert "Hạn mới (01/01/2024) không được trước hôm nay" in response.text


# -- a double submit is not someone else's change ------------------------------------

@pytest.mark.both_stores
def test_the_same_form_posted_twice_says_it_was_already_done(app, seeded, as_role, task_id):
    browser = as_role("truongvp")
    assert post_action(browser, task_id, "start", {"version": "1"}).status_code == 303
    again = post_action(browser, task_id, "start", {"version": "1"}, htmx=True)
    assert again.status_code == 200
    assert "Bạn đã gửi thao tác này rồi." in again.text
    assert "vừa được người khác cập nhật" not in again.text
    assert [type(e).__name__ for e in events_of(app, task_id)] == [
        "TaskAssigned", "WorkStarted"]


def test_a_double_submit_without_htmx_lands_on_the_task_with_the_notice(
        app, seeded, as_role, task_id):
    browser = as_role("lanhdao")
    form = {"version": "1", "deadline": "30/04/2025", "reason": "Chờ thiết bị"}
    assert post_action(browser, task_id, "extend", form).status_code == 303
    again = post_action(browser, task_id, "extend", form)
    assert again.status_code == 303
    assert "Bạn đã gửi thao tác này rồi." in browser.get(f"/tasks/{task_id}").text
    assert len(events_of(app, task_id)) == 2


def test_a_stale_form_for_another_action_of_ones_own_is_a_conflict(
        app, seeded, as_role, task_id):
    # My own start, then a stale note form: not a repeat of the note.
    browser = as_role("truongvp")
    post_action(browser, task_id, "start", {"version": "1"})
    response = post_action(browser, task_id, "note",
                           {"version": "1", "text": "Tiến độ"}, htmx=True)
    assert response.status_code == 422
    assert "vừa được người khác cập nhật" in response.text


# -- a percent is a whole number ---------------------------------------------------

@pytest.mark.parametrize("typed", ["50,5", "50.5"])
def test_a_fractional_percent_is_asked_as_a_whole_number(app, seeded, as_role, task_id,
                                                          typed):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    response = post_action(as_role("canbovp"), task_id, "note",
                           {"text": "Tiến độ", "percent": typed})
    assert response.status_code == 422
    assert "phải là số nguyên" in response.text


def test_a_measured_value_may_still_be_a_decimal(app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    response = post_action(as_role("canbovp"), task_id, "note",
                           {"text": "Tiến độ", "value": "50,5"})
    assert response.status_code == 303
    assert str(events_of(app, task_id)[-1].value) == "50.5"


# -- evidence on a progress note ----------------------------------------------------

@pytest.mark.both_stores
def test_a_progress_note_carries_files_and_links_shown_and_downloadable(
        app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    content = b"%PDF-1.4 danh sach tap huan"
    response = post_action(as_role("canbovp"), task_id, "note", {
        "text": "Đã tập huấn 20 người", "percent": "40",
        "links": "https://dichvucong.gov.vn/tap-huan",
        "evidence": upload(content, "Danh sách.pdf")}, multipart=True)
    assert response.status_code == 303
    digest = hashlib.sha256(content).hexdigest()
    noted = events_of(app, task_id)[-1]
    assert type(noted).__name__ == "ProgressNoted"
    assert noted.evidence == [
        {"sha256": digest, "name": "Danh sách.pdf", "size": len(content),
         "media_type": "application/pdf"},
        {"url": "https://dichvucong.gov.vn/tap-huan"}]
    leader = as_role("lanhdao")
    page = leader.get(f"/tasks/{task_id}").text
    step = page.split('class="event event-ProgressNoted"')[1].split("</li>\n  ")[0]
    assert f'href="/tasks/{task_id}/evidence/{digest}">Danh sách.pdf</a>' in step
    assert '<a href="https://dichvucong.gov.vn/tap-huan"' in step
    assert "27 B" in step  # the filesize filter, not "27 Bytes"
    download = leader.get(f"/tasks/{task_id}/evidence/{digest}")
    assert download.data == content
    download.close()


def test_the_note_form_takes_files_and_links(app, seeded, as_role, task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    page = as_role("canbovp").get(f"/tasks/{task_id}").text
    form = page.split('id="form-note"')[0].rsplit("<form", 1)[1] + page.split(
        'id="form-note"')[1].split("</form>")[0]
    assert 'enctype="multipart/form-data"' in form
    assert 'id="note-evidence" name="evidence" type="file"' in form
    assert 'id="note-links" name="links"' in form


def test_the_times_on_the_task_page_have_no_microseconds(app, seeded, as_role, task_id):
    returned_task(app, seeded, task_id)
    page = as_role("truongvp").get(f"/tasks/{task_id}").text
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps and all(re.fullmatch(r"[\d\-T:+]+", s) for s in stamps), stamps
