"""On a 360 px phone: a unit head and a leader take a task through its whole life,
with JavaScript (htmx swaps the panel) and without it (plain forms, redirects).

``NHIEMVU_SCREENSHOTS=1`` also refreshes the user guides' pictures in docs/screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.webapp import PASSWORD

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(browser: Browser, base: str, username: str, javascript: bool) -> Page:
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  java_script_enabled=javascript, locale="vi-VN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{base}/sign-in")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Each lands on the home of their role: a unit's own tasks, the overview, the log.
    page.wait_for_url(re.compile(r"/(my-unit|overview|audit/)"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def act(page: Page, action: str, label: str, fields: dict[str, str] | None = None,
        files: list[Path] | None = None) -> None:
    """Open the action's form (a <details>), fill it and submit it."""
    form = page.locator(f"#form-{action}")
    if action != "start":
        page.locator("details", has=form).locator("summary").click()
    for field, value in (fields or {}).items():
        form.locator(f"[name={field}]").fill(value)
    if files:
        form.locator("[name=evidence]").set_input_files([str(f) for f in files])
    form.get_by_role("button", name=label).click()


def expect_state(page: Page, text: str) -> None:
    expect(page.locator("#task-state")).to_have_text(text)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_task_goes_from_start_to_verified_with_a_return_on_a_phone(
        browser: Browser, live_app, tmp_path, javascript):
    base, task_id = live_app
    task_url = f"{base}/tasks/{task_id}"
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(b"%PDF-1.4 bien ban nghiem thu")

    head = sign_in(browser, base, "truongvp", javascript)
    if javascript:
        assert head.evaluate("typeof htmx") == "object"
    head.goto(task_url)
    act(head, "start", "Bắt đầu thực hiện")
    expect_state(head, "Đang thực hiện")
    act(head, "report", "Báo cáo kết quả",
        {"summary": "Đã số hóa 58% hồ sơ", "value": "58"}, files=[evidence])
    expect_state(head, "Đã báo cáo")
    expect(head.get_by_role("status")).to_contain_text("Đã gửi báo cáo kết quả.")

    leader = sign_in(browser, base, "lanhdao", javascript)
    leader.goto(task_url)
    act(leader, "return", "Trả lại", {"reason": "Chưa đạt 60%, bổ sung biên bản"})
    expect_state(leader, "Đang thực hiện")

    head.goto(task_url)
    expect(head.locator("#returned-notice")).to_contain_text("Chưa đạt 60%, bổ sung biên bản")
    if javascript:
        shots = DOCS_SHOTS if os.environ.get("NHIEMVU_SCREENSHOTS") else tmp_path
        shots.mkdir(parents=True, exist_ok=True)
        head.screenshot(path=str(shots / "task-returned.png"), full_page=True)
    act(head, "report", "Báo cáo kết quả", {"summary": "Đã số hóa 63% hồ sơ", "value": "63"})
    expect_state(head, "Đã báo cáo")

    leader.goto(task_url)
    act(leader, "verify", "Xác nhận hoàn thành", {"comment": "Đạt chỉ tiêu"})
    expect_state(leader, "Đã xác nhận hoàn thành")

    steps = leader.locator("#timeline > li")
    expect(steps).to_have_count(6)
    actors = [steps.nth(i).get_attribute("data-actor") for i in range(6)]
    assert actors == ["lanhdao", "truongvp", "truongvp", "lanhdao", "truongvp", "lanhdao"]
    texts = steps.all_inner_texts()
    for text, expected in zip(texts, [
            "Người lanhdao giao nhiệm vụ", "Người truongvp bắt đầu thực hiện",
            "Người truongvp báo cáo kết quả", "Người lanhdao trả lại báo cáo",
            "Người truongvp báo cáo kết quả", "Người lanhdao xác nhận hoàn thành"],
            strict=True):
        assert expected in text
    assert "Chưa đạt 60%, bổ sung biên bản" in texts[3]
    assert "bien-ban.pdf" in texts[2]
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", texts[0])
    # No horizontal scrolling at 360 px.
    assert leader.evaluate("document.documentElement.scrollWidth") <= 360
    assert head.console_errors == [] and leader.console_errors == []  # no CSP violation

    if javascript:
        # The user guides' pictures are refreshed on request only, so a test run
        # does not rewrite files in the repository.
        shots = DOCS_SHOTS if os.environ.get("NHIEMVU_SCREENSHOTS") else tmp_path
        save_screenshots(leader, head, base, task_url, shots)
    head.context.close()
    leader.context.close()


def save_screenshots(leader: Page, head: Page, base: str, task_url: str,
                     shots: Path) -> None:
    shots.mkdir(parents=True, exist_ok=True)
    leader.goto(task_url)
    leader.screenshot(path=str(shots / "task-page.png"), full_page=True)
    leader.goto(f"{base}/overview")
    expect(leader.locator("svg[role=img]")).to_have_count(3)  # the chairman's overview
    leader.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    head.goto(f"{base}/my-unit")
    head.screenshot(path=str(shots / "my-unit.png"), full_page=True)
    leader.goto(f"{base}/tasks/?q=ho+so")
    leader.screenshot(path=str(shots / "task-list.png"), full_page=True)
    leader.goto(f"{base}/plan/")
    leader.screenshot(path=str(shots / "plan.png"), full_page=True)
    leader.goto(f"{base}/tasks/new")
    leader.screenshot(path=str(shots / "assign.png"), full_page=True)
    head.goto(f"{base}/tasks/")
    head.get_by_label("Tìm kiếm").fill("suc khoe")
    expect(head.locator("#results")).to_contain_text("Hồ sơ sức khỏe điện tử")
    expect(head.locator("#results")).not_to_contain_text("Số hóa hồ sơ công việc")
    assert "q=suc+khoe" in head.url  # hx-push-url keeps the filters in the address
    head.get_by_text("Trình đơn", exact=True).click()  # sign-out is in the phone's menu
    head.locator("form[action='/sign-out'] button").click()
    # A screenshot taken while the sign-out is still navigating fails in Chromium.
    head.wait_for_url("**/sign-in**")
    expect(head.get_by_label("Tên đăng nhập")).to_be_visible()
    head.screenshot(path=str(shots / "sign-in.png"))
