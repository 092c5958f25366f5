"""The rows of the task list and the entries of the audit log are kept by what they
show (web/fragments.py): whatever changes in a row, whichever worker changed it, the
next page shows it as a worker that keeps nothing renders it, in each language."""

from __future__ import annotations

import re
from datetime import date

import pytest

from events.queries.bounded import Bounded
from tests.webapp import *  # noqa: F403
from tests.webapp import fresh_pages
from web import storage


def _main(page: str) -> str:
    return page.split('<main id="main"')[1].split("</main>")[0]


def _fresh(database_url, clock, tmp_path, username: str, urls: list[str],
           language: str) -> list[str]:
    """``urls`` as a worker that has kept nothing renders them for ``username``."""
    return [_main(page) for page in fresh_pages(database_url, clock, tmp_path, username,
                                                 urls, language)]


PAGES = ["/tasks/", "/tasks/?unit=VP", "/tasks/?state=in_progress", "/tasks/?sort=activity",
         "/audit/", "/audit/?unit=YT", "/overview", "/plan/"]


@pytest.mark.both_stores
@pytest.mark.parametrize("language", ["vi", "en"])
def test_what_another_worker_changes_in_a_row_shows_on_the_next_page(
        app, as_role, seeded, other_worker, database_url, clock, tmp_path, language):
    with other_worker.app_context():
        other = storage.service()
        first = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 5),
                                  title="Việc thứ nhất", target="CT02", plan="KH-CDS-2025")
        second = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 20),
                                   title="Việc thứ hai")
    writes = [
        lambda svc: svc.start_task("truongvp", first),
        lambda svc: svc.note_progress("truongvp", first, "Đang làm", percent=20),
        lambda svc: svc.submit_report("truongvp", first, "Xong", "64"),
        lambda svc: svc.return_task("lanhdao", first, "Cần bổ sung"),
        lambda svc: svc.extend_deadline("lanhdao", second, date(2025, 3, 28), "Lùi hạn"),
        lambda svc: svc.reassign_task("lanhdao", second, "YT", "Chuyển đơn vị"),
        lambda svc: svc.rename_unit("YT", "Trạm y tế xã (tên mới)"),
        lambda svc: svc.cancel_task("lanhdao", second, "Không còn cần"),
    ]
    browser = as_role("lanhdao")
    browser.get(f"/lang/{language}?next=/overview")
    for write in writes:
        before = [_main(browser.get(url).text) for url in PAGES]
        with other_worker.app_context():
            write(storage.service())
        after = [_main(browser.get(url).text) for url in PAGES]
        assert after != before
        assert after == _fresh(database_url, clock, tmp_path, "lanhdao", PAGES, language)


def test_a_new_day_regrades_the_kept_rows(app, as_role, seeded, clock, database_url, tmp_path):
    with app.app_context():
        seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 2),
                           title="Việc đến hạn ngày mai")
    browser = as_role("lanhdao")
    today = _main(browser.get("/tasks/").text)
    clock.advance(days=2)
    later = _main(browser.get("/tasks/").text)
    assert later != today
    assert later == _fresh(database_url, clock, tmp_path, "lanhdao", ["/tasks/"], "vi")[0]


def test_one_persons_rows_are_the_same_html_for_another(app, as_role, seeded, task_id,
                                                       database_url, clock, tmp_path):
    # Nothing a row shows depends on who asks: what a leader's page kept, a unit head's
    # page may show; both as a fresh worker renders them for each.
    urls = ["/tasks/", "/audit/"]
    as_role("lanhdao").get("/tasks/")
    as_role("lanhdao").get("/audit/")
    head = as_role("truongvp")
    seen = [_main(head.get(url).text) for url in urls]
    assert seen == _fresh(database_url, clock, tmp_path, "truongvp", urls, "vi")


def test_the_kept_parts_are_bounded():
    kept = Bounded(3)
    for n in range(10):
        assert kept.get(n, lambda n=n: f"part {n}") == f"part {n}"
    assert len(kept) == 3
    # The least recently used goes first: 7 was asked again, so 8 is dropped for 10.
    assert kept.get(7, lambda: "made again") == "part 7"
    kept.get(10, lambda: "part 10")
    assert kept.get(8, lambda: "made again") == "made again"
    assert kept.get(7, lambda: "made again") == "part 7"


def test_each_language_gets_its_own_rows(app, as_role, seeded, task_id, database_url, clock,
                                         tmp_path):
    urls = ["/tasks/", "/audit/", "/overview"]
    browser = as_role("lanhdao")
    vietnamese = [_main(browser.get(url).text) for url in urls]
    browser.get("/lang/en?next=/overview")
    english = [_main(browser.get(url).text) for url in urls]
    assert english == _fresh(database_url, clock, tmp_path, "lanhdao", urls, "en")
    browser.get("/lang/vi?next=/overview")
    assert [_main(browser.get(url).text) for url in urls] == vietnamese


def _header(page: str) -> str:
    """The header, but for the sign-out form's token (each session has its own)."""
    header = page.split('<header class="top">')[1].split("</header>")[0]
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', header)


@pytest.mark.both_stores
def test_the_header_follows_the_persons_alerts_and_role(
        app, as_role, seeded, task_id, other_worker, raise_alerts, database_url, clock,
        tmp_path):
    # Kept by the person's unread count, role and unit: a new alert, a new role
    # granted in another worker, show on the next page, as a fresh worker shows them.
    head, member = as_role("truongvp"), as_role("canbovp")
    before = _header(head.get("/tasks/").text)
    assert _header(member.get("/tasks/").text) != before
    raise_alerts(date(2025, 3, 24))
    # Three weeks on, the session has lapsed: signed in again.
    head = as_role("truongvp")
    alerted = _header(head.get("/tasks/").text)
    assert alerted != before and 'id="alert-count">1<' in alerted
    assert alerted == _header(_fresh_page(database_url, clock, tmp_path, "truongvp", "/tasks/"))
    with other_worker.app_context():
        storage.service().grant_role("truongvp", "leader", None, "Lên lãnh đạo")
    # A new role ends the person's sessions: they sign in again.
    promoted = _header(as_role("truongvp").get("/tasks/").text)
    assert promoted != alerted and "Giao nhiệm vụ" in promoted
    assert promoted == _header(_fresh_page(database_url, clock, tmp_path, "truongvp",
                                           "/tasks/"))


def _fresh_page(database_url, clock, tmp_path, username: str, url: str) -> str:
    return fresh_pages(database_url, clock, tmp_path, username, [url])[0]


def test_each_role_gets_its_own_header(app, as_role, seeded, database_url, clock, tmp_path):
    # A leader, an admin and an auditor have no unit and no alerts: only their role
    # tells their menus apart.
    for who in ("lanhdao", "quantri", "giamsat", "lanhdao2"):
        seen = _header(as_role(who).get("/tasks/").text)
        assert seen == _header(_fresh_page(database_url, clock, tmp_path, who, "/tasks/")), who


def test_the_audit_log_says_each_entry_in_the_readers_language_with_todays_names(
        app, as_role, seeded, task_id):
    # The entries are also kept said (events.queries.audit), once per process for
    # every app in it: what they say is checked here, not against another app.
    browser = as_role("lanhdao")
    entry = '<span class="muted">{}</span><br>'
    vietnamese = browser.get("/audit/").text
    assert entry.format("Giao nhiệm vụ") in vietnamese
    browser.get("/lang/en?next=/audit/")
    english = browser.get("/audit/").text
    assert entry.format("Task assigned") in english
    assert entry.format("Giao nhiệm vụ") not in english
    assert '<abbr title="VP">Văn phòng UBND xã</abbr>' in english
    with app.app_context():
        storage.service().rename_unit("VP", "Văn phòng Ủy ban")
    renamed = browser.get("/audit/").text
    assert '<abbr title="VP">Văn phòng Ủy ban</abbr>' in renamed
    assert "Văn phòng UBND xã</abbr>" not in renamed


def test_each_filter_form_shows_its_own_filters(app, as_role, seeded, task_id):
    browser = as_role("lanhdao")
    for state in ("assigned", "in_progress", "assigned"):
        page = browser.get(f"/tasks/?state={state}&unit=VP").text
        assert f'<option value="{state}" selected>' in page
        assert page.count(" selected>") == 2  # the state and the unit
    for kind in ("TaskAssigned", "WorkStarted", ""):
        page = browser.get(f"/audit/?type={kind}&unit=YT").text
        assert (f'<option value="{kind}" selected>' in page) == bool(kind)
        assert page.count(" selected>") == (2 if kind else 1)


@pytest.mark.both_stores
def test_a_note_another_worker_makes_reorders_the_list_by_last_activity(
        app, as_role, seeded, other_worker, database_url, clock, tmp_path):
    # The list by deadline is kept under the version notes leave alone; the list by
    # last activity is not: a note puts its task first.
    with other_worker.app_context():
        other = storage.service()
        older = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 5),
                                  title="Việc giao trước")
        other.start_task("truongvp", older)
        clock.advance(minutes=5)
        other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 6),
                          title="Việc giao sau")
    urls = ["/tasks/", "/tasks/?sort=activity"]
    browser = as_role("lanhdao")
    by_deadline, by_activity = (_main(browser.get(url).text) for url in urls)
    assert by_activity.index("Việc giao sau") < by_activity.index("Việc giao trước")
    clock.advance(minutes=5)
    with other_worker.app_context():
        storage.service().note_progress("truongvp", older, "Ghi chú mới", percent=10)
    after = [_main(browser.get(url).text) for url in urls]
    assert after[0] == by_deadline
    assert after[1] != by_activity
    assert after[1].index("Việc giao trước") < after[1].index("Việc giao sau")
    assert after == _fresh(database_url, clock, tmp_path, "lanhdao", urls, "vi")


@pytest.mark.both_stores
def test_the_audit_pages_seal_follows_another_workers_checkpoint_and_verification(
        app, as_role, seeded, task_id, other_worker, database_url, clock, tmp_path):
    from events.processes import sealing

    browser = as_role("giamsat")
    assert "Chưa kiểm tra lần nào." in browser.get("/audit/").text
    with other_worker.app_context():
        latest = sealing.checkpoint(storage.live(), "request")
    page = browser.get("/audit/").text
    assert f'<dd id="seal-size">{latest.size}</dd>' in page
    assert _main(page) == _fresh(database_url, clock, tmp_path, "giamsat", ["/audit/"], "vi")[0]
    with other_worker.app_context():
        assert sealing.verify_and_record(storage.live())["intact"]
    page = browser.get("/audit/").text
    assert "Nguyên vẹn · <time" in page
    assert _main(page) == _fresh(database_url, clock, tmp_path, "giamsat", ["/audit/"], "vi")[0]


def _panel(page: str) -> str:
    """The task page's panel, but for the forms' tokens (each session has its own)."""
    panel = page.split('<section id="task-panel"')[1].split("</section>")[0]
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', panel)


@pytest.mark.both_stores
@pytest.mark.parametrize("language", ["vi", "en"])
def test_what_another_worker_records_shows_on_the_next_task_page(
        app, as_role, seeded, other_worker, raise_alerts, database_url, clock, tmp_path,
        language):
    # The facts, the returned notice and the timeline are kept per version of the task
    # (web/task_page.py): after each write, whoever made it, the page is the one a
    # worker that keeps nothing renders, for a leader and for the unit's head.
    with other_worker.app_context():
        other = storage.service()
        task = other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 20),
                                 title="Việc có chỉ tiêu", target="CT02", plan="KH-CDS-2025")
        other.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 25), title="Việc khác")
    writes = [
        lambda svc: svc.start_task("truongvp", task),
        lambda svc: svc.note_progress("truongvp", task, "Đang làm", percent=20),
        lambda svc: svc.submit_report("truongvp", task, "Xong", "64"),
        lambda svc: svc.return_task("lanhdao", task, "Cần bổ sung"),
        lambda svc: svc.note_progress("truongvp", task, "Bổ sung", percent=80),
        lambda svc: svc.extend_deadline("lanhdao", task, date(2025, 3, 28), "Lùi hạn"),
        lambda svc: svc.rename_unit("VP", "Văn phòng (tên mới)"),
        lambda svc: raise_alerts(date(2025, 3, 27)),
        lambda svc: svc.reassign_task("lanhdao", task, "YT", "Chuyển đơn vị"),
        lambda svc: svc.rename_unit("YT", "Trạm y tế xã (tên mới)"),
    ]
    url = f"/tasks/{task}"
    for write in writes:
        before = [_panel(browser.get(url).text) for browser in _signed_in(as_role, language)]
        with other_worker.app_context():
            write(storage.service())
        # Signed in again: a sweep weeks later outlives a session.
        browsers = _signed_in(as_role, language)
        after = [_panel(browser.get(url).text) for browser in browsers]
        assert after != before
        assert after == [_panel(page) for who in ("lanhdao", "truongvp")
                         for page in fresh_pages(database_url, clock, tmp_path, who, [url],
                                                 language)]
        # The htmx panel is made of the same kept parts.
        assert _panel(browsers[0].get(url, htmx=True).text) == after[0]


def _signed_in(as_role, language: str) -> list:
    """A leader and the unit's head, signed in now, reading in ``language``."""
    browsers = [as_role("lanhdao"), as_role("truongvp")]
    for browser in browsers:
        browser.get(f"/lang/{language}?next=/overview")
    return browsers


def test_the_task_page_of_the_past_is_not_the_one_kept_for_now(app, as_role, seeded,
                                                              task_id, clock):
    browser = as_role("lanhdao")
    clock.advance(seconds=1)
    instant = clock.moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    clock.advance(minutes=10)
    with app.app_context():
        storage.service().start_task("truongvp", task_id)
        storage.service().note_progress("truongvp", task_id, "Đã làm một nửa", percent=50)
    now = _panel(browser.get(f"/tasks/{task_id}").text)
    then = _panel(browser.get(f"/tasks/{task_id}", query_string={"as_of": instant}).text)
    assert "Đã làm một nửa" in now and "Đã làm một nửa" not in then
    assert _panel(browser.get(f"/tasks/{task_id}").text) == now
