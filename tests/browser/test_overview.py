"""On a 360 px phone: the leader's overview has its three charts, each named and
described for screen readers, and the page does not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_task_flow import sign_in

CHARTS = {
    "chart-targets": "Chỉ tiêu so với mục tiêu",
    "chart-units": "Đơn vị theo số nhiệm vụ quá hạn",
    "chart-trend": "Nhiệm vụ hoàn thành và đến hạn theo tháng, năm 2025",
}


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_the_overview_charts_are_present_described_and_fit_a_phone(
        browser: Browser, live_app, javascript):
    base, _ = live_app
    leader = sign_in(browser, base, "lanhdao", javascript)
    overview = leader.locator("#overview")
    expect(overview.locator("svg[role=img]")).to_have_count(3)
    for figure, name in CHARTS.items():
        chart = overview.get_by_role("img", name=name, exact=True)
        expect(chart).to_be_visible()
        described_by = chart.get_attribute("aria-describedby")
        assert described_by and leader.locator(f"#{described_by}").text_content().strip()
        assert leader.locator(f"#{figure} svg").get_attribute("viewBox")
    # The numbers as text: the targets' and units' tables, the months' in a <details>.
    expect(overview.locator("table.stack")).to_have_count(3)
    width = leader.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width} px"
    assert leader.console_errors == []  # no CSP violation
    leader.context.close()
