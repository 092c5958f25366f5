"""The home by role: ``/`` sends each person where their work is; ``/my-unit`` lists
a unit's open tasks, the most urgent first (web/home.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)

SECTIONS = ('id="home-overdue"', 'id="home-due_soon"', 'id="home-returned"', 'id="home-rest"')


@pytest.fixture
def unit_work(app, seeded, clock):
    """VP's tasks of every kind on 10/03/2025, and one of YT's."""
    with app.app_context():
        def task(title, deadline, unit="VP"):
            return seeded.assign_task("lanhdao", unit=unit, deadline=deadline, title=title)
        task("Việc quá hạn", date(2025, 3, 5))
        task("Việc sắp đến hạn", date(2025, 3, 14))
        returned = task("Việc bị trả lại", date(2025, 4, 20))
        task("Việc còn lâu", date(2025, 4, 30))
        done = task("Việc đã xong", date(2025, 4, 10))
        task("Việc của trạm y tế", date(2025, 3, 6), unit="YT")
        for task_id in (returned, done):
            seeded.start_task("truongvp", task_id)
            seeded.submit_report("truongvp", task_id, "Đã làm xong")
        seeded.return_task("lanhdao", returned, "Thiếu minh chứng")
        seeded.verify_task("lanhdao", done)
    clock.advance(days=9)  # 10/03/2025


def section_of(page: str, key: str) -> str:
    return page.split(f'id="home-{key}"')[1].split("</section>")[0]


@pytest.mark.parametrize("who", ["truongvp", "canbovp"])
def test_a_unit_head_or_member_lands_on_their_units_open_tasks_most_urgent_first(
        as_role, unit_work, who):
    browser = as_role(who)
    landing = browser.get("/")
    assert landing.status_code == 303 and landing.headers["Location"] == "/my-unit"
    page = browser.get("/my-unit").text
    assert [page.index(s) for s in SECTIONS] == sorted(page.index(s) for s in SECTIONS)
    assert "Việc quá hạn" in section_of(page, "overdue")
    assert "Việc sắp đến hạn" in section_of(page, "due_soon")
    returned = section_of(page, "returned")
    assert "Việc bị trả lại" in returned and '<span class="badge returned">' in returned
    assert "Việc còn lâu" in section_of(page, "rest")
    assert "(1)" in section_of(page, "overdue") and "(1)" in section_of(page, "rest")
    assert "Việc của trạm y tế" not in page  # another unit's
    assert "Việc đã xong" not in page  # not open any more
    assert "Xem tất cả nhiệm vụ của xã" in page and 'href="/tasks/?unit=VP"' in page


def test_each_task_shows_in_one_section_only(as_role, unit_work, app, seeded):
    with app.app_context():
        late = seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 12),
                                  title="Trả lại, sắp đến hạn")
        seeded.start_task("truongvp", late)
        seeded.submit_report("truongvp", late, "Xong")
        seeded.return_task("lanhdao", late, "Làm lại")
    page = as_role("truongvp").get("/my-unit").text
    assert page.count("Trả lại, sắp đến hạn") == 1
    assert "Trả lại, sắp đến hạn" in section_of(page, "due_soon")


@pytest.mark.parametrize(("who", "where"), [
    ("lanhdao", "/overview"), ("quantri", "/overview"), ("giamsat", "/audit/")])
def test_leaders_and_admins_land_on_the_overview_and_auditors_on_the_audit_log(
        as_role, who, where):
    browser = as_role(who)
    landing = browser.get("/")
    assert landing.status_code == 303 and landing.headers["Location"] == where
    assert browser.get(where).status_code == 200


def test_signing_in_without_a_next_page_goes_to_the_home(client, seeded):
    assert client.sign_in("truongvp").headers["Location"] == "/"


def test_my_unit_for_someone_without_a_unit_says_so_and_links_on(as_role, unit_work):
    page = as_role("lanhdao").get("/my-unit")
    assert page.status_code == 200
    assert "không thuộc đơn vị nào" in page.text and 'href="/overview"' in page.text


def test_the_nav_offers_my_unit_to_those_with_one_and_the_overview_to_all(as_role, seeded):
    head = as_role("truongvp").get("/overview").text
    leader = as_role("lanhdao").get("/overview").text
    assert "Đơn vị của tôi" in head and "Tổng quan" in head
    assert "Đơn vị của tôi" not in leader and "Tổng quan" in leader
    assert as_role("truongvp").get("/overview").status_code == 200  # anyone can switch


def test_the_home_keeps_a_past_instant_and_shows_the_unit_as_it_was(as_role, unit_work):
    browser = as_role("truongvp")
    landing = browser.get("/?as_of=2025-03-01T10:00")
    assert landing.headers["Location"] == "/my-unit?as_of=2025-03-01T10:00"
    page = browser.get("/my-unit?as_of=2025-03-01T10:00").text
    assert "as-of-banner" in page
    # On 01/03 the task now overdue was still due soon, within its 7 days.
    assert "Việc quá hạn" in section_of(page, "due_soon")
    assert "Việc quá hạn" not in section_of(page, "overdue")


def test_the_unit_home_is_an_htmx_fragment_too(as_role, unit_work):
    fragment = as_role("truongvp").get("/my-unit", htmx=True).text
    assert fragment.strip().startswith('<section id="home"') and "<header" not in fragment
