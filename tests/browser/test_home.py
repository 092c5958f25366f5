"""On a 360 px phone a unit head signs in and sees their own unit's open tasks first,
the most urgent at the top, the rest of the commune one tap away."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.test_task_flow import sign_in


def test_a_unit_head_signs_in_and_sees_their_units_tasks_first(browser: Browser, live_app):
    base, _task_id = live_app
    head = sign_in(browser, base, "truongyt", javascript=True)
    assert head.url.endswith("/my-unit")
    expect(head.get_by_role("heading", level=1)).to_have_text("Trạm y tế")
    # Due 05/03 on 01/03: the first section with a task, above everything else.
    due = head.locator("#home-due_soon")
    expect(due.get_by_role("link", name="Hồ sơ sức khỏe điện tử (mẫu)")).to_be_visible()
    expect(head.locator("main")).not_to_contain_text("Số hóa hồ sơ công việc")  # VP's task
    box = due.bounding_box()
    assert box is not None and box["width"] <= 360
    head.get_by_role("link", name="Xem tất cả nhiệm vụ của xã").click()
    head.wait_for_url(re.compile(r"/tasks/"))
    expect(head.locator("#results")).to_contain_text("Số hóa hồ sơ công việc")
    head.context.close()
