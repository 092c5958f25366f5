"""The chairman's overview on the dashboard: targets against their ranges, units
ranked, the trend by month; honest target figures; the overview of the past."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.webapp import *  # noqa: F403

PLAN = "KH-CDS-2025"


def _overview(page: str) -> str:
    """The overview section, its no-break spaces (of "64 %") read as spaces."""
    section = page.split('<section id="overview"')[1].split("</section>")[0]
    return section.replace("\u00a0", " ").replace("\u202f", " ")


def _assign(svc, unit: str, deadline: date, title: str, target: str | None = None):
    return svc.assign_task("lanhdao", unit=unit, deadline=deadline, title=title,
                           target=target, plan=PLAN if target else None)


def _verify(svc, task_id, head: str, value: str | None = None) -> None:
    svc.start_task(head, task_id)
    svc.submit_report(head, task_id, "Xong", value)
    svc.verify_task("lanhdao", task_id)


@pytest.mark.both_stores
def test_the_overview_draws_every_target_against_its_range_with_a_band_word(
        app, as_role, seeded):
    with app.app_context():
        _verify(seeded, _assign(seeded, "VP", date(2025, 3, 31), "Số hóa hồ sơ", "CT02"),
                "truongvp", "64")
        _verify(seeded, _assign(seeded, "YT", date(2025, 3, 31), "Thanh toán", "CT09"),
                "truongyt", "40")
    overview = _overview(as_role("lanhdao").get("/overview").text)
    chart = overview.split('id="chart-targets"')[1].split("</figure>")[0]
    assert chart.count('class="chart-track"') == 11
    assert chart.count('class="chart-band"') + chart.count('class="chart-mark"') == 11
    assert 'class="chart-band" x="180.0" y="52" width="30.0"' in chart  # CT02: 60–70 %
    assert "CT02 · 64 % · Đạt" in chart and "CT09 · 40 % · Chưa đạt" in chart
    assert "CT01 · Chưa có số liệu" in chart
    assert 'style=' not in overview


@pytest.mark.both_stores
def test_a_small_verified_task_does_not_hide_the_open_main_task_of_its_target(
        app, as_role, seeded, clock):
    with app.app_context():
        main = _assign(seeded, "VP", date(2025, 3, 10), "Báo cáo trực tuyến toàn xã", "CT04")
        seeded.start_task("truongvp", main)
        small = _assign(seeded, "VP", date(2025, 3, 5), "Báo cáo thử của văn phòng", "CT04")
        _verify(seeded, small, "truongvp", "100")
        clock.advance(days=20)  # the main task is now overdue
    browser = as_role("lanhdao")
    overview = _overview(browser.get("/overview").text)
    row = overview.split('href="/tasks/?target=CT04"')[1].split("</tr>")[0]
    assert "100 %" in row and "Đạt" in row
    assert f'href="/tasks/{small}">Báo cáo thử của văn phòng</a>, 01/03/2025' in row
    assert "1 nhiệm vụ liên quan còn mở" in row
    assert "CT04 · 100 % · Đạt · 1 còn mở" in overview
    plan_page = browser.get("/plan/").text
    assert "Báo cáo thử của văn phòng" in plan_page
    assert "1 nhiệm vụ liên quan còn mở" in plan_page


def test_units_are_ranked_by_overdue_tasks_then_on_time_rate_with_idle_units_too(
        app, as_role, seeded, clock):
    with app.app_context():
        seeded.add_unit("CNS", "Tổ công nghệ số cộng đồng thôn 1", "team")
        _assign(seeded, "YT", date(2025, 3, 2), "Việc quá hạn của trạm")
        _verify(seeded, _assign(seeded, "VP", date(2025, 3, 2), "Việc đúng hạn"), "truongvp")
        clock.advance(days=5)
    page = as_role("lanhdao").get("/overview").text
    table = _overview(page).split('id="chart-units"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row" data-label="Đơn vị"><a [^>]*>([^<]+)</a>', table)
    assert names == ["Trạm y tế", "Văn phòng UBND xã", "Tổ công nghệ số cộng đồng thôn 1"]
    vp = table.split("Văn phòng UBND xã</a>")[1].split("</tr>")[0]
    assert "100 %" in vp
    idle = table.split("Tổ công nghệ số cộng đồng thôn 1</a>")[1].split("</tr>")[0]
    assert ">0<" in idle and "—" in idle
    assert "Tỷ lệ đúng hạn: số nhiệm vụ được xác nhận hoàn thành" in page
    # The per-unit counts become cards on a phone, idle units included.
    counts = page.split("Theo đơn vị</h2>")[1].split("</table>")[0]
    assert '<table class="stack">' in counts
    assert "Tổ công nghệ số cộng đồng thôn 1" in counts and 'data-label="Quá hạn"' in counts


@pytest.mark.both_stores
def test_the_trend_counts_each_month_what_fell_due_and_what_was_verified(
        app, as_role, seeded, clock):
    with app.app_context():
        first = _assign(seeded, "VP", date(2025, 3, 20), "Việc tháng ba", "CT01")
        _assign(seeded, "VP", date(2025, 3, 25), "Việc tháng ba nữa", "CT01")
        late = _assign(seeded, "YT", date(2025, 4, 15), "Việc tháng tư", "CT10")
        _verify(seeded, first, "truongvp")  # 01/03
        clock.advance(days=44, hours=15)  # 14/04 17:00 UTC: 15/04 00:00 in Vietnam
        _verify(seeded, late, "truongyt")
    page = as_role("lanhdao").get("/overview").text
    table = _overview(page).split('id="chart-trend"')[1].split("</table>")[0]
    rows = {month: (due, done) for month, due, done in re.findall(
        r'data-label="Tháng">(\d\d)/2025</th>\s*<td class="num" data-label="Đến hạn">'
        r'(\d+)</td>\s*<td class="num" data-label="Hoàn thành">(\d+)', table)}
    assert len(rows) == 12
    assert rows["03"] == ("2", "1") and rows["04"] == ("1", "1") and rows["01"] == ("0", "0")


def test_the_overview_of_the_past_is_what_it_was_then(app, as_role, seeded, clock):
    with app.app_context():
        task = _assign(seeded, "VP", date(2025, 3, 20), "Số hóa hồ sơ", "CT02")
        clock.advance(days=1)
        before = clock().isoformat()
        browser = as_role("lanhdao")
        then = _overview(browser.get("/overview").text)
        clock.advance(days=1)
        _verify(seeded, task, "truongvp", "64")
    now = _overview(browser.get("/overview").text)
    past = _overview(browser.get("/overview", query_string={"as_of": before}).text)
    assert "CT02 · 64 % · Đạt" in now
    assert "CT02 · Chưa có số liệu" in past and "CT02 · Chưa có số liệu" in then
    assert past.replace("&amp;as_of=", "").count("chart-bar") == then.count("chart-bar")


def test_the_overview_speaks_english_with_english_numbers(app, as_role, seeded):
    with app.app_context():
        _verify(seeded, _assign(seeded, "VP", date(2025, 3, 31), "Số hóa hồ sơ", "CT02"),
                "truongvp", "64.5")
    browser = as_role("lanhdao")
    browser.get("/lang/en?next=/overview")
    page = browser.get("/overview")
    assert page.status_code == 200
    assert "CT02 · 64.5%" in _overview(page.text)
