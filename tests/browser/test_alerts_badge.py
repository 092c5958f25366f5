"""On a 360 px phone: a unit head whose task crossed a deadline threshold sees the unread
badge, opens the feed, marks it read and the badge clears — with htmx and without
JavaScript.

``NHIEMVU_SCREENSHOTS=1`` also refreshes the user guides' picture of the feed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect

from events.processes.sweep import sweep
from events.system import System
from tests.browser.test_task_flow import DOCS_SHOTS, sign_in
from workflow.alerts import AlertPolicy


def run_sweep(url: str, clock) -> int:
    """The real sweep, from a process-like second store on the app's database."""
    store = System(url, clock=clock)
    try:
        return sweep(store, policy=AlertPolicy()).raised
    finally:
        store.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_the_unread_badge_appears_and_clears_when_the_head_marks_the_feed_read(
        browser: Browser, live_app, sqlite_url, clock, tmp_path, javascript):
    base, _ = live_app
    # 02/03/2025 09:00: the YT task (due 05/03) is three days from its deadline.
    clock.advance(seconds=(datetime(2025, 3, 2, 2, 0, tzinfo=UTC) - clock()).total_seconds())
    assert run_sweep(sqlite_url, clock) == 1

    head = sign_in(browser, base, "truongyt", javascript)
    expect(head.locator("#alert-count")).to_have_text("1 chưa đọc")
    head.get_by_role("link", name="Cảnh báo").click()
    expect(head.get_by_role("heading", name="Cảnh báo")).to_be_visible()
    feed = head.locator("#alerts")
    expect(feed).to_contain_text("Sắp đến hạn, còn 3 ngày (hạn 05/03/2025).")
    expect(feed.locator("li.unread")).to_have_count(1)
    if os.environ.get("NHIEMVU_SCREENSHOTS") and javascript:
        head.screenshot(path=str(DOCS_SHOTS / "alerts.png"), full_page=True)

    head.get_by_role("button", name="Đánh dấu đã đọc").click()
    expect(head.get_by_role("status")).to_contain_text("Đã đánh dấu đã đọc.")
    expect(head.locator("#alert-count")).to_have_count(0)
    expect(feed.locator("li.unread")).to_have_count(0)
    expect(head.locator("#alert-link")).to_have_text("Cảnh báo")

    # The task link leads to the task page, whose history shows the alert.
    head.get_by_role("link", name="Hồ sơ sức khỏe điện tử (mẫu)").click()
    expect(head.locator("#timeline > li.event-DeadlineAlertRaised")).to_contain_text(
        "Sắp đến hạn, còn 3 ngày")
    expect(head.locator("#alert-count")).to_have_count(0)  # still read on another page
    assert head.evaluate("document.documentElement.scrollWidth") <= 360
    assert head.console_errors == []  # no CSP violation
    head.context.close()
