"""On a 360 px phone: an administrator reads the mail outbox as cards, told plainly that
no mail server is set, with the table's region reachable by keyboard.

``NHIEMVU_SCREENSHOTS=1`` also refreshes docs/screenshots/deliveries.png."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from playwright.sync_api import Browser, expect

from events.processes.sweep import sweep
from events.system import System
from tests.browser.test_task_flow import DOCS_SHOTS
from tests.commune import PASSWORD
from workflow.alerts import AlertPolicy


def queue_mail(url: str, clock) -> None:
    """A member of YT with an e-mail address, then the real sweep queues their mail."""
    store = System(url, clock=clock)
    try:
        store.service.add_user("thuky", "member", PASSWORD, unit="YT",
                               display_name="Thư ký", email="thuky@xa.gov.vn")
        sweep(store, policy=AlertPolicy(), mail=True)
    finally:
        store.close()


def test_the_deliveries_page_shows_its_mail_as_cards_on_a_phone(
        browser: Browser, live_app, sqlite_url, clock, monkeypatch):
    monkeypatch.delenv("NHIEMVU_SMTP_URL", raising=False)
    base, _ = live_app
    # 02/03/2025 09:00: the YT task (due 05/03) is three days from its deadline.
    clock.advance(seconds=(datetime(2025, 3, 2, 2, 0, tzinfo=UTC) - clock()).total_seconds())
    queue_mail(sqlite_url, clock)

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(f"{base}/alerts/deliveries")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thư thông báo")
    expect(page.locator("#smtp-note")).to_contain_text("NHIEMVU_SMTP_URL")
    region = page.get_by_role("region", name="Bảng thư thông báo")
    expect(region).to_contain_text("thuky@xa.gov.vn")
    expect(region).to_contain_text("Chờ gửi")
    region.focus()
    expect(region).to_be_focused()
    # As cards (SHELL's `table.stack` CSS): no row wider than the phone, no sideways scroll.
    for width in page.locator("table.stack tbody tr").evaluate_all(
            "rows => rows.map(r => r.getBoundingClientRect().right)"):
        assert width <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if os.environ.get("NHIEMVU_SCREENSHOTS"):  # the user guides' picture, on request
        page.screenshot(path=str(DOCS_SHOTS / "deliveries.png"), full_page=True)
    context.close()
