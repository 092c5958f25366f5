"""What a page keeps between requests is never stale (web/versioned.py).

The overview's section is kept under the version of the data and today: a write by
this worker or another one, a new day, another language or a page of the past must
each give what a worker that keeps nothing renders. "Another worker" is a second app
on the same database: its own store, its own kept values, as a gunicorn worker has.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from events.queries.version import versions
from events.readmodels.audit import AuditLog
from events.readmodels.board import TaskBoard
from events.readmodels.organisation import Organisation, Plans
from tests.webapp import *  # noqa: F403
from tests.webapp import fresh_pages, post_action
from web import storage
from web.versioned import Versioned


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The SQL every engine of the process sends inside the block, in order."""
    seen: list[str] = []

    def executed(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", executed)


def _section(page: str) -> str:
    return page.split('<section id="dashboard"')[1].split("</main>")[0]


def _figures(page: str) -> str:
    """The overview's figures: its section before the recent activity."""
    return _section(page).split("<h2>Hoạt động gần đây</h2>")[0]


def _recent(page: str) -> str:
    return _section(page).split("<h2>Hoạt động gần đây</h2>")[1]


def _fresh(database_url, clock, tmp_path, url: str, language: str | None = None) -> str:
    """``url`` as a worker that has kept nothing renders it for the leader."""
    return fresh_pages(database_url, clock, tmp_path, "lanhdao", [url], language)[0]


@pytest.mark.both_stores
def test_another_workers_writes_show_on_this_workers_next_overview(
        app, as_role, seeded, other_worker, database_url, clock, tmp_path):
    browser = as_role("lanhdao")
    before = _section(browser.get("/overview").text)
    assert "Việc của tiến trình khác" not in _section(browser.get("/overview").text)
    with other_worker.app_context():
        other = storage.service()
        task = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 5),
                                 title="Việc của tiến trình khác")
    after = _section(browser.get("/overview").text)
    assert after != before and "Việc của tiến trình khác" in after
    assert after == _section(_fresh(database_url, clock, tmp_path, "/overview"))
    with other_worker.app_context():
        storage.service().start_task("truongvp", task)
        storage.service().note_progress("truongvp", task, "Đã xong một nửa", percent=50)
    noted = _section(browser.get("/overview").text)
    assert noted != after and "Đã xong một nửa" not in after
    assert noted == _section(_fresh(database_url, clock, tmp_path, "/overview"))
    with other_worker.app_context():
        linked = storage.service().assign_task(
            "lanhdao", unit="VP", deadline=date(2025, 3, 20), title="Việc có chỉ tiêu",
            target="CT02", plan="KH-CDS-2025")
        storage.service().start_task("truongvp", linked)
        storage.service().submit_report("truongvp", linked, "Xong", "64")
        storage.service().verify_task("lanhdao", linked)
    verified = _section(browser.get("/overview").text)
    assert "CT02 · 64 % · Đạt" in verified
    assert verified == _section(_fresh(database_url, clock, tmp_path, "/overview"))


@pytest.mark.both_stores
def test_every_kind_of_write_by_another_worker_shows_on_the_next_overview(
        app, as_role, seeded, other_worker, database_url, clock, tmp_path):
    # The figures are kept under a version that notes do not move: every other write
    # must move it, whichever worker made it.
    with other_worker.app_context():
        other = storage.service()
        linked = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 5),
                                   title="Việc có chỉ tiêu", target="CT02",
                                   plan="KH-CDS-2025")
        moved = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 4),
                                  title="Việc sẽ chuyển đơn vị")
        dropped = other.assign_task("lanhdao", unit="YT", deadline=date(2025, 3, 6),
                                    title="Việc sẽ hủy")
    writes = [
        lambda svc: svc.start_task("truongvp", linked),
        lambda svc: svc.submit_report("truongvp", linked, "Xong", "64"),
        lambda svc: svc.return_task("lanhdao", linked, "Cần bổ sung"),
        lambda svc: svc.submit_report("truongvp", linked, "Đã bổ sung", "71"),
        lambda svc: svc.verify_task("lanhdao", linked),
        lambda svc: svc.extend_deadline("lanhdao", moved, date(2025, 3, 28), "Lùi hạn"),
        lambda svc: svc.reassign_task("lanhdao", moved, "YT", "Chuyển đơn vị"),
        lambda svc: svc.cancel_task("lanhdao", dropped, "Không còn cần"),
        lambda svc: svc.rename_unit("YT", "Trạm y tế xã (tên mới)"),
    ]
    browser = as_role("lanhdao")
    for write in writes:
        before = _figures(browser.get("/overview").text)
        with other_worker.app_context():
            write(storage.service())
        after = _figures(browser.get("/overview").text)
        assert after != before
        assert after == _figures(_fresh(database_url, clock, tmp_path, "/overview"))


@pytest.mark.both_stores
def test_another_workers_note_shows_in_the_recent_activity_and_leaves_the_figures(
        app, as_role, seeded, task_id, other_worker, database_url, clock, tmp_path):
    with other_worker.app_context():
        storage.service().start_task("truongvp", task_id)
    browser = as_role("lanhdao")
    before = browser.get("/overview").text
    with other_worker.app_context():
        storage.service().note_progress("truongvp", task_id, "Ghi chú của tiến trình khác",
                                        percent=40)
    after = browser.get("/overview").text
    assert "Ghi chú của tiến trình khác" in _recent(after)
    assert _figures(after) == _figures(before)
    fresh = _fresh(database_url, clock, tmp_path, "/overview")
    assert _section(after) == _section(fresh)


@pytest.mark.both_stores
def test_a_read_model_behind_the_others_is_not_shown_from_before(
        app, as_role, seeded, task_id, other_worker, database_url, clock, tmp_path):
    # While one read model is emptied and caught up again (what a change of its
    # definition does), the audit log's latest event is the same; the overview must
    # follow the read model all the same.
    browser = as_role("lanhdao")
    full = _figures(browser.get("/overview").text)
    with other_worker.app_context():
        storage.store().projections.reset("tasks")
    emptied = _figures(browser.get("/overview").text)
    assert emptied != full
    assert emptied == _figures(_fresh(database_url, clock, tmp_path, "/overview"))
    with other_worker.app_context():
        storage.store().projections.catch_up("tasks")
    assert _figures(browser.get("/overview").text) == full
    assert full == _figures(_fresh(database_url, clock, tmp_path, "/overview"))


@pytest.mark.both_stores
def test_only_notes_leave_the_version_but_notes(app, seeded, task_id):
    with app.app_context():
        store, svc = storage.live(), seeded
        first = versions(store)
        svc.start_task("truongvp", task_id)
        started = versions(store)
        assert started.every != first.every and started.but_notes != first.but_notes
        svc.note_progress("truongvp", task_id, "Một ghi chú", percent=30)
        noted = versions(store)
        assert noted.every != started.every and noted.but_notes == started.but_notes
        svc.add_unit("CNS3", "Tổ công nghệ số thôn 3", "team")
        added = versions(store)
        assert added.but_notes != noted.but_notes
        # More notes in a row than the latest events first looked at: the mark is
        # then found type by type, and is the same.
        for n in range(40):
            svc.note_progress("truongvp", task_id, f"Ghi chú {n}", percent=n)
        assert versions(store).but_notes == added.but_notes
        svc.extend_deadline("lanhdao", task_id, date(2025, 4, 30), "Lùi hạn")
        assert versions(store).but_notes != added.but_notes


def test_the_audit_log_files_every_event_the_version_but_notes_answers_for():
    # ``Versions.but_notes`` stands for the read models of tasks, plans and the
    # organisation through the audit log: it must read every area they read.
    assert AuditLog.areas >= TaskBoard.areas | Organisation.areas | Plans.areas


def test_this_workers_own_write_shows_on_its_next_overview(
        app, as_role, seeded, task_id, database_url, clock, tmp_path):
    leader = as_role("lanhdao")
    before = _section(leader.get("/overview").text)
    head = as_role("truongvp")
    assert head.post(f"/tasks/{task_id}/start", page=f"/tasks/{task_id}").status_code == 303
    after = _section(leader.get("/overview").text)
    assert after != before
    assert after == _section(_fresh(database_url, clock, tmp_path, "/overview"))


def test_a_new_day_shows_on_the_overview_without_any_write(
        app, as_role, seeded, clock, database_url, tmp_path):
    with app.app_context():
        seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 2),
                           title="Việc đến hạn ngày mai")
    browser = as_role("lanhdao")
    today = _section(browser.get("/overview").text)
    assert "Quá hạn: 0" in today
    clock.advance(days=2)
    later = _section(browser.get("/overview").text)
    assert later != today and "Quá hạn: 1" in later
    assert later == _section(_fresh(database_url, clock, tmp_path, "/overview"))


def test_each_language_gets_its_own_overview(app, as_role, seeded, task_id, database_url,
                                            clock, tmp_path):
    browser = as_role("lanhdao")
    vietnamese = _section(browser.get("/overview").text)
    browser.get("/lang/en?next=/overview")
    english = _section(browser.get("/overview").text)
    assert "Overdue" in english and "Quá hạn" not in english
    assert english == _section(_fresh(database_url, clock, tmp_path, "/overview", "en"))
    browser.get("/lang/vi?next=/overview")
    assert _section(browser.get("/overview").text) == vietnamese


def test_the_overview_of_the_past_is_not_the_one_kept_for_now(app, as_role, seeded, clock):
    with app.app_context():
        clock.advance(hours=1)
        before = clock().isoformat()
        clock.advance(hours=1)
        seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 20),
                           title="Việc giao sau thời điểm đó")
    browser = as_role("lanhdao")
    assert "Việc giao sau thời điểm đó" in browser.get("/overview").text
    past = browser.get("/overview", query_string={"as_of": before}).text
    assert "Việc giao sau thời điểm đó" not in past
    assert "Việc giao sau thời điểm đó" in browser.get("/overview").text


def test_the_htmx_fragment_is_the_kept_section(app, as_role, seeded, task_id):
    browser = as_role("lanhdao")
    page = browser.get("/overview").text
    fragment = browser.get("/overview", htmx=True).text
    assert fragment.lstrip().startswith('<section id="dashboard"') and fragment in page


@pytest.mark.both_stores
def test_units_and_people_another_worker_records_show_on_this_workers_next_page(
        app, as_role, seeded, task_id, other_worker):
    browser = as_role("lanhdao")
    assert "Tổ công nghệ số thôn 2" not in browser.get("/tasks/").text
    assert "Cán bộ mới" not in browser.get("/audit/").text
    assert "Văn phòng UBND xã" in browser.get(f"/tasks/{task_id}").text
    with other_worker.app_context():
        other = storage.service()
        other.add_unit("CNS2", "Tổ công nghệ số thôn 2", "team")
        other.add_user("canbomoi", "member", "mật khẩu dài đủ 12", unit="VP",
                       display_name="Cán bộ mới")
        other.rename_unit("VP", "Văn phòng Ủy ban")
    assert "Tổ công nghệ số thôn 2" in browser.get("/tasks/").text
    assert "Cán bộ mới" in browser.get("/audit/").text
    page = browser.get(f"/tasks/{task_id}").text
    assert "Văn phòng Ủy ban" in page and "Văn phòng UBND xã" not in page


def test_a_page_rendered_after_a_command_reads_the_store_again(app, as_role, seeded, task_id):
    # The note form's answer is the task page, rendered in the request that recorded
    # the note: its history includes it, whatever the request read before.
    browser = as_role("truongvp")
    assert post_action(browser, task_id, "start", {"version": "1"}).status_code == 303
    answer = post_action(browser, task_id, "note", {"text": "Ghi chú mới nhất"}, htmx=True)
    assert answer.status_code == 200 and "Ghi chú mới nhất" in answer.text


@pytest.mark.both_stores
def test_a_kept_page_asks_the_session_version_and_alerts_in_one_query(
        app, as_role, seeded, task_id, raise_alerts):
    # The session's row, the data's version and the header's unread count are one
    # query (web/sessions.py, ``find``); a page kept whole needs nothing else.
    raise_alerts(date(2025, 3, 24))
    browser = as_role("truongvp")
    first = browser.get("/overview").text
    with statements_sent() as seen:
        again = browser.get("/overview").text
    # The form token is signed anew each second (Flask-WTF): on a slow machine the two
    # requests may fall in different seconds; the rest of the page is the kept one.
    assert len(_SIGNED_TOKEN.findall(first)) == 2  # the sign-out form's and htmx's
    assert _unsigned(again) == _unsigned(first) and 'id="alert-count">1<' in again
    assert len(seen) == 1 and "web_sessions" in seen[0], seen


def _unsigned(page: str) -> str:
    return _SIGNED_TOKEN.sub("token", page)


_SIGNED_TOKEN = re.compile(r"[\w-]+\.[\w-]{6}\.[\w-]{27}")


def test_requests_asking_for_one_version_at_once_compute_it_once():
    kept, started, release = Versioned(), threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "section"

    answers: list[str] = []
    first = threading.Thread(target=lambda: answers.append(kept.get("page", 1, compute)))
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=lambda: answers.append(kept.get("page", 1, compute)))
              for _ in range(3)]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join(5)
    assert answers == ["section"] * 4 and len(calls) == 1
    # Another version is computed anew; a failed computation is not kept.
    assert kept.get("page", 2, lambda: "newer") == "newer"
    with pytest.raises(ZeroDivisionError):
        kept.get("page", 3, lambda: 1 / 0)
    assert kept.get("page", 3, lambda: "after the failure") == "after the failure"


@pytest.mark.both_stores
def test_a_note_leaves_the_seal_kept_and_a_task_page_asks_nothing_of_it(
        app, as_role, seeded, task_id, other_worker):
    # The audit page's seal and the task page's damage check are kept under the
    # seal's marks, read in the page's first query (web/sessions.py) and with the
    # version after a command: a note moves the data's version, not them, so no page
    # reads the seal's tables again.
    from events.processes import sealing

    with other_worker.app_context():
        sealing.checkpoint(storage.live(), "request")
        assert sealing.verify_and_record(storage.live())["intact"]
    browser = as_role("truongvp")
    browser.get("/audit/")
    browser.get(f"/tasks/{task_id}")
    with other_worker.app_context():
        storage.service().start_task("truongvp", task_id)
        storage.service().note_progress("truongvp", task_id, "Đang làm", percent=10)
    with statements_sent() as seen:
        audit = browser.get("/audit/").text
        task = browser.get(f"/tasks/{task_id}").text
        # The panel after this worker's own note: the version read again brings them.
        noted = post_action(browser, task_id, "note", {"text": "Gần xong"}, htmx=True).text
    assert "Đang làm" in audit and "Đang làm" in task and "Nguyên vẹn · <time" in audit
    assert "Gần xong" in noted
    asked = [statement for statement in seen if "web_sessions" not in statement]
    read = [s for s in asked if "ORDER BY rm_seal_verification.position DESC" in s
            or "ORDER BY rm_seal_checkpoint.size DESC" in s]
    assert asked and not read, read
