"""Deadline alerts in the web app: the header's unread badge, the feed, marking as read,
and the alerts in a task's history.

Alerts are raised by the real sweep (``events.processes.sweep``) with the app's clock
moved forward; nothing is inserted by hand. The VP task of ``task_id`` is due
31/03/2025 and the clock starts at 01/03/2025 09:00.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import PASSWORD, token
from workflow.alerts import AlertInbox

_COUNT = re.compile(r'id="alert-count">(\d+)')
_UP_TO = re.compile(r'name="up_to" value="(\d+)"')


def badge_count(html: str) -> int:
    found = _COUNT.search(html)
    return int(found.group(1)) if found else 0


def test_the_badge_shows_the_unread_count_to_the_people_told_and_no_one_else(
        as_role, task_id, raise_alerts):
    assert raise_alerts(date(2025, 3, 24)).raised == 1  # "7 days left"
    for who, expected in [("truongvp", 1), ("canbovp", 1), ("truongyt", 0), ("lanhdao", 0)]:
        browser = as_role(who)
        page = browser.get("/overview")
        fragment = browser.get("/alerts/badge", htmx=True)
        assert badge_count(page.text) == expected, who
        assert badge_count(fragment.text) == expected, who
        assert "<header" not in fragment.text
        assert 'href="/alerts/"' in page.text and 'href="/alerts/"' in fragment.text


def test_the_polled_badge_is_a_small_fragment_that_polls_without_inline_script(
        as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    browser = as_role("truongvp")
    page = browser.get("/tasks/")
    fragment = browser.get("/alerts/badge", htmx=True)
    assert len(fragment.data) <= 1024
    header = page.text.split("<main", 1)[0]
    assert re.search(r'id="alert-badge"[^>]*hx-get="/alerts/badge"', header)
    assert 'hx-trigger="every 60s, alerts-read from:body"' in header
    assert "<script>" not in page.text


def test_a_badge_poll_after_the_session_ended_does_not_send_the_page_to_sign_in(client):
    # Another click would; a background poll must not throw away a half-typed form.
    response = client.get("/alerts/badge", htmx=True)
    assert response.status_code == 204
    assert "HX-Redirect" not in response.headers
    assert client.get("/alerts/", htmx=True).headers.get("HX-Redirect")


def test_the_feed_lists_the_persons_alerts_newest_first_linking_to_their_task(
        as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    raise_alerts(date(2025, 3, 28))
    browser = as_role("truongvp")
    page = browser.get("/alerts/")
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    three = page.text.index("Sắp đến hạn, còn 3 ngày (hạn 31/03/2025).")
    seven = page.text.index("Sắp đến hạn, còn 7 ngày (hạn 31/03/2025).")
    assert three < seven
    assert page.text.count(f'href="/tasks/{task_id}"') == 2
    assert page.text.count('class="new"') == 2
    fragment = browser.get("/alerts/", htmx=True)
    assert fragment.text.strip().startswith('<section id="alerts"')
    assert "Sắp đến hạn, còn 3 ngày" in fragment.text
    browser.client.get("/lang/en")
    assert "Deadline approaching, 3 days left (due 31/03/2025)." in browser.get("/alerts/").text
    assert "Chưa có cảnh báo nào." in as_role("truongyt").get("/alerts/").text


def test_the_feed_pages_back_by_position(app, as_role, task_id, raise_alerts):
    app.config["PAGE_SIZE"] = 1
    raise_alerts(date(2025, 3, 24))
    raise_alerts(date(2025, 3, 28))
    browser = as_role("truongvp")
    first = browser.get("/alerts/")
    assert "còn 3 ngày" in first.text and "còn 7 ngày" not in first.text
    older = re.search(r'href="(/alerts/\?before=\d+)"', first.text).group(1)
    second = browser.get(older)
    assert "còn 7 ngày" in second.text and "còn 3 ngày" not in second.text
    assert "before=" not in second.text.split('id="alerts"', 1)[1]  # no further page


def test_marking_as_read_clears_the_count_and_is_recorded_as_an_event(
        app, seeded, as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    raise_alerts(date(2025, 3, 28))
    browser = as_role("truongvp")
    response = browser.post("/alerts/read", {"up_to": _UP_TO.search(
        browser.get("/alerts/").text).group(1)}, page="/alerts/")
    assert response.status_code == 303 and response.headers["Location"] == "/alerts/"
    page = browser.get("/alerts/")
    assert badge_count(page.text) == 0
    assert "Đã đánh dấu đã đọc." in page.text and 'class="new"' not in page.text
    assert 'id="mark-read"' not in page.text  # nothing left to mark
    assert badge_count(as_role("canbovp").get("/overview").text) == 2  # each person reads their own
    with app.app_context():
        events = seeded.history(AlertInbox.create_id("truongvp"))
    assert [type(e).__name__ for e in events] == ["AlertInboxOpened", "AlertsRead"]
    assert events[-1].actor == "truongvp"


def test_marking_as_read_with_htmx_swaps_the_list_and_tells_the_badge(
        as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    browser = as_role("truongvp")
    up_to = _UP_TO.search(browser.get("/alerts/").text).group(1)
    response = browser.post("/alerts/read", {"up_to": up_to}, page="/alerts/", htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "alerts-read"
    assert response.text.strip().startswith('<section id="alerts"')
    assert "Đã đánh dấu đã đọc." in response.text and 'class="new"' not in response.text
    assert badge_count(browser.get("/alerts/badge", htmx=True).text) == 0
    again = browser.post("/alerts/read", {"up_to": up_to}, page="/alerts/", htmx=True)
    assert "Không có cảnh báo mới." in again.text


def test_an_alert_raised_after_the_page_was_shown_stays_unread(as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    browser = as_role("truongvp")
    shown = browser.get("/alerts/").text
    raise_alerts(date(2025, 3, 28))  # arrives while the page is open
    response = browser.client.post("/alerts/read", data={
        "csrf_token": token(shown), "up_to": _UP_TO.search(shown).group(1)})
    assert response.status_code == 303
    page = browser.get("/alerts/").text
    assert badge_count(page) == 1
    assert re.search(r'class="new">Mới</span> <strong>Sắp đến hạn, còn 3 ngày', page)
    assert page.count('class="new"') == 1


def test_a_position_beyond_the_newest_alert_does_not_silence_later_ones(
        as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    browser = as_role("truongvp")
    browser.post("/alerts/read", {"up_to": "999999999"}, page="/alerts/")
    raise_alerts(date(2025, 3, 28))
    assert badge_count(browser.get("/overview").text) == 1


@pytest.mark.parametrize("up_to", ["", "abc", "-3", "²"])
def test_marking_as_read_without_a_position_is_a_clear_400(as_role, task_id, up_to):
    response = as_role("truongvp").post("/alerts/read", {"up_to": up_to}, page="/alerts/")
    assert response.status_code == 400
    assert "Vị trí trang không hợp lệ" in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_marking_as_read_without_the_csrf_token_is_refused(
        app, seeded, as_role, task_id, raise_alerts, htmx):
    raise_alerts(date(2025, 3, 24))
    browser = as_role("truongvp")
    up_to = _UP_TO.search(browser.get("/alerts/").text).group(1)
    headers = {"HX-Request": "true"} if htmx else {}
    response = browser.client.post("/alerts/read", data={"up_to": up_to}, headers=headers)
    assert response.status_code == 400
    assert "hãy tải lại trang" in response.text
    assert badge_count(browser.get("/overview").text) == 1
    with app.app_context():
        assert seeded.history(AlertInbox.create_id("truongvp")) == []


def test_the_task_history_shows_its_alerts_among_its_events_in_order(
        app, seeded, as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 3, 24))
    with app.app_context():
        seeded.start_task("truongvp", task_id)  # recorded after the first alert
    raise_alerts(date(2025, 3, 28))
    for day in (30, 31):  # "1 day left", "due today" (a catch-up would say only the latest)
        raise_alerts(date(2025, 3, day))
    raise_alerts(date(2025, 4, 1))  # missed
    browser = as_role("truongvp")
    for response in (browser.get(f"/tasks/{task_id}"),
                     browser.get(f"/tasks/{task_id}", htmx=True)):
        steps = re.findall(r'<li class="event event-(\w+)" data-actor="([^"]+)"', response.text)
        assert steps == [("TaskAssigned", "lanhdao"), ("DeadlineAlertRaised", "scheduler"),
                         ("WorkStarted", "truongvp"),
                         *[("DeadlineAlertRaised", "scheduler")] * 4]
        text = response.text
        assert text.index("Sắp đến hạn, còn 7 ngày (hạn 31/03/2025).") \
            < text.index("Người truongvp bắt đầu thực hiện.") \
            < text.index("Sắp đến hạn, còn 3 ngày (hạn 31/03/2025).") \
            < text.index("Sắp đến hạn, còn 1 ngày (hạn 31/03/2025).") \
            < text.index("Đến hạn hôm nay (31/03/2025).") \
            < text.index("Đã quá hạn (hạn 31/03/2025).")
        assert "Đã báo cho:</strong> <span class=\"pre\">Người canbovp, Người truongvp<" \
            in text
    browser.client.get("/lang/en")
    english = browser.get(f"/tasks/{task_id}").text
    assert "Deadline approaching, 7 days left (due 31/03/2025)." in english
    assert "Deadline approaching, 1 day left (due 31/03/2025)." in english
    assert "Deadline missed (was 31/03/2025)." in english


def test_an_overdue_task_is_escalated_to_leadership_in_their_feed(
        as_role, task_id, raise_alerts):
    raise_alerts(date(2025, 4, 1))
    leader = as_role("lanhdao")
    page = leader.get("/alerts/").text
    assert badge_count(page) == 1
    assert "Đã quá hạn (hạn 31/03/2025)." in page and "đã báo lãnh đạo" in page
    assert badge_count(as_role("lanhdao2").get("/overview").text) == 1
    assert badge_count(as_role("truongyt").get("/overview").text) == 0


def test_admins_see_the_mail_deliveries_and_others_may_not(
        app, seeded, as_role, task_id, raise_alerts):
    with app.app_context():
        seeded.add_user("thuky", "member", PASSWORD, unit="VP", display_name="Thư ký",
                        email="thuky@xa.gov.vn")
    raise_alerts(date(2025, 3, 24))  # 09:00: the sweep queues the mail
    page = as_role("quantri").get("/alerts/deliveries")
    assert page.status_code == 200
    assert "thuky@xa.gov.vn" in page.text and "Chờ gửi" in page.text
    assert as_role("quantri").get("/alerts/deliveries", htmx=True).text.strip().startswith(
        '<section id="deliveries"')
    assert as_role("truongvp").get("/alerts/deliveries").status_code == 403
    assert as_role("lanhdao").get("/alerts/deliveries").status_code == 403


def test_the_deliveries_page_says_it_lists_mail_and_that_smtp_is_not_set(
        as_role, monkeypatch):
    monkeypatch.delenv("NHIEMVU_SMTP_URL", raising=False)
    page = as_role("quantri").get("/alerts/deliveries").text
    assert "<title>Thư thông báo" in page and "Thư đã gửi" not in page
    assert ("Chưa cấu hình máy chủ thư (NHIEMVU_SMTP_URL): thư chờ gửi sẽ không được "
            "gửi đi.") in page
    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="' in page
    assert '<table class="stack">' in page


def test_the_deliveries_page_says_nothing_of_smtp_once_it_is_set(as_role, monkeypatch):
    monkeypatch.setenv("NHIEMVU_SMTP_URL", "smtp://mail.xa.gov.vn:25")
    page = as_role("quantri").get("/alerts/deliveries").text
    assert "Chưa cấu hình máy chủ thư" not in page
