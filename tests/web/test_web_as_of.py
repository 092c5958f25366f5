"""Pages as they stood at an instant: ``?as_of=`` on the dashboard, the list, a task,
the plan's progress."""

from __future__ import annotations

import re

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)

BEFORE = "2025-01-01T08:00"  # Vietnam time, before anything below was done


def _later(app, seeded, clock, task_id):
    """Time passes; the task is started and reported, another task is assigned."""
    clock.advance(days=3)
    seeded.start_task("truongvp", task_id)
    seeded.submit_report("truongvp", task_id, "Đã số hóa", value="80")
    seeded.assign_task("lanhdao", unit="YT", deadline=clock.moment.date(),
                       title="Tập huấn kỹ năng số")


def _instant_after_assigning(clock) -> str:
    return clock.moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_the_dashboard_as_of_an_instant_shows_its_numbers_and_says_so(
        app, seeded, clock, as_role, task_id):
    clock.advance(seconds=1)
    then = _instant_after_assigning(clock)
    _later(app, seeded, clock, task_id)
    browser = as_role("lanhdao")
    now = browser.get("/overview")
    past = browser.get("/overview", query_string={"as_of": then})
    assert past.status_code == 200
    assert "as-of-banner" in past.text and "as-of-banner" not in now.text
    assert "Số liệu tại thời điểm" in past.text
    # Then: one task, assigned; now: two, one of them reported.
    total = re.compile(r'Tổng số</a>|Tổng số: <a href="[^"]*">(\d+)</a>')
    assert total.search(past.text).group(1) == "1"
    assert total.search(now.text).group(1) == "2"
    # The links keep the instant: the list they open is the list of then.
    assert "as_of=" in re.search(r'href="(/tasks/\?grade=open_on_time[^"]*)"', past.text).group(1)


def test_the_task_list_and_a_task_as_of_an_instant(app, seeded, clock, as_role, task_id):
    clock.advance(seconds=1)
    then = _instant_after_assigning(clock)
    _later(app, seeded, clock, task_id)
    browser = as_role("truongvp")
    listing = browser.get("/tasks/", query_string={"as_of": then})
    assert listing.status_code == 200
    assert "Số hóa hồ sơ công việc" in listing.text
    assert "Tập huấn kỹ năng số" not in listing.text
    page = browser.get(f"/tasks/{task_id}", query_string={"as_of": then})
    assert page.status_code == 200
    # Then it was only assigned: no report, and the past offers no action.
    assert "Đã số hóa" not in page.text
    assert 'action="/tasks/' not in page.text
    assert "Đã số hóa" in browser.get(f"/tasks/{task_id}").text


def test_a_task_not_yet_assigned_at_the_instant_is_not_found(as_role, task_id):
    page = as_role("truongvp").get(f"/tasks/{task_id}", query_string={"as_of": BEFORE})
    assert page.status_code == 404


@pytest.mark.parametrize(("value", "words"), [
    ("9999-01-01", "01/01/9999"),
    ("30/02/2025", "không phải là một ngày hợp lệ"),
    ("hôm qua", "không phải là một ngày hợp lệ"),
    ("2100-01-01T00:00", "chưa tới"),
])
def test_an_instant_that_cannot_be_used_is_a_clear_400(as_role, task_id, value, words):
    page = as_role("lanhdao").get("/overview", query_string={"as_of": value})
    assert page.status_code == 400
    assert words in page.text


def test_the_plan_page_as_of_an_instant_before_the_plan_has_none(as_role, task_id):
    browser = as_role("lanhdao")
    assert "Chưa có kế hoạch nào." not in browser.get("/plan/").text
    page = browser.get("/plan/", query_string={"as_of": BEFORE})
    assert page.status_code == 200
    assert "Chưa có kế hoạch nào." in page.text and "as-of-banner" in page.text
