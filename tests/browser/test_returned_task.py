"""On a 360 px phone: a returned task says so at the top of its page, with the reason and
who returned it, until the unit reports again (issue 13)."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.test_task_flow import act, expect_state, sign_in


def test_a_unit_head_sees_a_returned_tasks_badge_and_reason_until_the_next_report(
        browser: Browser, live_app):
    base, task_id = live_app
    task_url = f"{base}/tasks/{task_id}"
    head = sign_in(browser, base, "truongvp", javascript=True)
    head.goto(task_url)
    act(head, "start", "Bắt đầu thực hiện")
    expect_state(head, "Đang thực hiện")
    act(head, "report", "Báo cáo kết quả", {"summary": "Đã số hóa 58% hồ sơ", "value": "58"})
    expect_state(head, "Đã báo cáo")

    leader = sign_in(browser, base, "lanhdao", javascript=True)
    leader.goto(task_url)
    act(leader, "return", "Trả lại", {"reason": "Chưa đạt 60%, bổ sung biên bản"})
    expect_state(leader, "Đang thực hiện")

    head.goto(task_url)
    notice = head.locator("#returned-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Chưa đạt 60%, bổ sung biên bản")
    expect(notice).to_contain_text("Người lanhdao")
    expect(head.locator(".facts .badge.returned")).to_have_text("Bị trả lại")
    # At the top: on a 360 px phone the reason is seen without scrolling.
    assert notice.bounding_box()["y"] < 740
    expect(head.locator("#returned-value")).to_contain_text("58")

    act(head, "report", "Báo cáo kết quả", {"summary": "Đã số hóa 63% hồ sơ", "value": "63"})
    expect_state(head, "Đã báo cáo")
    expect(head.locator("#returned-notice")).to_have_count(0)
    expect(head.locator(".badge.returned")).to_have_count(0)
