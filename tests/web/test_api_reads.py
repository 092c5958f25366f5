"""/api/v1/summary, /targets, /plans and /alerts: what the dashboard and the plan's
page show, for programs, now and as of an instant, and each person's own alerts.

The commune's March is played through the service with the app's clock: the VP task
of ``task_id`` (target CT02, range 60 - 70 %, due 31/03) is started on 01/03,
reported with 65 on 10/03 15:00 and verified on 12/03 10:00; a YT task due 10/03 is
started and left in progress, so by 12/03 it is overdue. Alerts are raised by the
real sweep.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.api import *  # noqa: F403  (fixtures)
from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import vn

ZERO_STATES = {"assigned": 0, "in_progress": 0, "reported": 0, "verified": 0, "cancelled": 0}
ZERO_GRADES = {"done_on_time": 0, "done_late": 0, "open_on_time": 0, "open_overdue": 0,
               "cancelled": 0}



@pytest.fixture
def march(app, seeded, task_id, clock):
    """The month played (see the module); the clock at 12/03/2025 10:00."""
    with app.app_context():
        svc = seeded
        late = svc.assign_task("lanhdao", unit="YT", deadline=date(2025, 3, 10),
                               title="Tập huấn kỹ năng số cho cán bộ y tế")
        svc.start_task("truongvp", task_id)
        svc.start_task("truongyt", late)
        clock.moment = vn(2025, 3, 10, 15, 0)
        svc.submit_report("truongvp", task_id, "Đã số hóa 65 % hồ sơ", value="65")
        clock.moment = vn(2025, 3, 12, 10, 0)
        svc.verify_task("lanhdao", task_id, "Đạt")
    return {"done": task_id, "late": late}


def by(rows: list[dict], key: str, value: str) -> dict:
    return next(row for row in rows if row[key] == value)


def test_the_summary_counts_the_commune_each_unit_and_each_pillar(api, march):
    response = api.get("/summary", "canbovp")  # everyone signed in may read it

    assert response.status_code == 200, response.text
    found = response.get_json()
    assert found["as_of"] is None and found["today"] == "2025-03-12"
    assert found["plan"] == "KH-CDS-2025"
    assert found["total"] == 2
    assert found["by_state"] == {**ZERO_STATES, "verified": 1, "in_progress": 1}
    assert found["by_grade"] == {**ZERO_GRADES, "done_on_time": 1, "open_overdue": 1}
    assert found["overdue"] == 1
    vp, yt = by(found["units"], "unit", "VP"), by(found["units"], "unit", "YT")
    assert (vp["unit_name"], vp["total"], vp["by_state"]["verified"], vp["overdue"]) == (
        "Văn phòng UBND xã", 1, 1, 0)
    assert (yt["total"], yt["by_state"]["in_progress"], yt["by_grade"]["open_overdue"],
            yt["overdue"]) == (1, 1, 1, 1)
    digital_government = by(found["pillars"], "code", "CQS")  # CT02's pillar
    assert digital_government["name_en"] == "Digital government"
    assert digital_government["total"] == 1
    assert digital_government["by_grade"]["done_on_time"] == 1
    assert digital_government["bands"] == {"below": 0, "within": 1, "above": 0}
    assert all(p["total"] == 0 for p in found["pillars"] if p["code"] != "CQS")


def test_the_summary_as_of_an_instant_is_what_it_was_then(api, march):
    before_the_report = api.get("/summary?as_of=2025-03-05T12:00").get_json()
    end_of_the_10th = api.get("/summary?as_of=2025-03-10").get_json()

    assert before_the_report["as_of"] == "2025-03-05T05:00:00Z"
    assert before_the_report["today"] == "2025-03-05"
    assert before_the_report["by_state"] == {**ZERO_STATES, "in_progress": 2}
    assert before_the_report["by_grade"] == {**ZERO_GRADES, "open_on_time": 2}
    # A whole day is as it stood when the day ended: reported, YT due that very day.
    assert end_of_the_10th["as_of"] == "2025-03-10T16:59:59Z"
    assert end_of_the_10th["by_state"] == {**ZERO_STATES, "in_progress": 1, "reported": 1}
    assert end_of_the_10th["by_grade"]["open_overdue"] == 0
    assert api.get("/summary").get_json()["by_state"]["verified"] == 1  # now is untouched


def test_every_active_unit_has_a_row_even_without_tasks(api, seeded):
    found = api.get("/summary").get_json()

    assert found["total"] == 0
    assert [row["unit"] for row in found["units"]] == ["VP", "YT"]
    assert all(row["by_state"] == ZERO_STATES and row["total"] == 0 for row in found["units"])


@pytest.mark.parametrize("path, code, field", [
    ("/summary?as_of=2025-03-30", "instant_in_future", None),
    ("/summary?as_of=hôm qua", "invalid_date", None),
    ("/summary?as_of=2025-02-30", "invalid_date", None),
    ("/summary?when=2025-03-01", "unknown_field", "when"),
    ("/targets?as_of=9999-01-01", "date_out_of_range", None),
    ("/targets?plan=KH-KHAC", "unknown_plan", None),
    ("/alerts?cursor=abc", "invalid_cursor", None),
    ("/alerts?limit=0", "invalid_field", "limit"),
    ("/alerts?limit=201", "invalid_field", "limit"),
])
def test_bad_parameters_are_a_400_saying_what_is_wrong(api, march, path, code, field):
    response = api.get(path)

    assert response.status_code == 400, response.text
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert error["message"] and "Traceback" not in error["message"]


def test_a_bad_instant_is_said_in_vietnamese_by_default(api, march):
    error = api.get("/summary?as_of=2025-02-30").get_json()["error"]
    assert error["message"] == "Tham số “as_of” không phải là một ngày hợp lệ."


@pytest.mark.parametrize("path", ["/summary", "/targets", "/plans", "/alerts"])
def test_without_a_token_it_is_a_401(api, seeded, path):
    response = api.get(path, None)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_each_target_has_its_range_measured_value_and_band(api, march):
    response = api.get("/targets", "truongyt")

    assert response.status_code == 200, response.text
    found = response.get_json()
    assert found["plan"] == "KH-CDS-2025" and found["as_of"] is None
    assert [t["code"] for t in found["targets"]][:4] == ["CT01", "CT02", "CT03", "CT04"]
    ct02 = by(found["targets"], "code", "CT02")
    assert (ct02["range"], ct02["min"], ct02["max"], ct02["unit"]) == ("60 - 70%", 60, 70, "%")
    assert ct02["pillar"] == "CQS" and ct02["text"].startswith("60 - 70% hồ sơ công việc")
    assert (ct02["measured"], ct02["measured_verified"], ct02["measured_band"]) == (
        65, True, "within")
    assert ct02["measured_at"] == "2025-03-12T03:00:00Z"
    assert ct02["source_task"] == str(march["done"])
    assert ct02["source_title"] == "Số hóa hồ sơ công việc"
    assert (ct02["total"], ct02["by_state"]["verified"], ct02["open_tasks"]) == (1, 1, 0)
    ct01 = by(found["targets"], "code", "CT01")
    assert (ct01["measured"], ct01["measured_band"], ct01["source_task"]) == (None, None, None)


def test_targets_as_of_between_report_and_verification_show_the_reported_value(api, march):
    found = api.get("/targets?as_of=2025-03-11T08:00&plan=kh-cds-2025").get_json()

    assert found["as_of"] == "2025-03-11T01:00:00Z" and found["plan"] == "KH-CDS-2025"
    ct02 = by(found["targets"], "code", "CT02")
    assert (ct02["measured"], ct02["measured_verified"], ct02["band"],
            ct02["reported_band"]) == (65, False, None, "within")
    assert ct02["by_state"]["reported"] == 1 and ct02["open_tasks"] == 1


def test_the_plans_list_names_the_plan_in_force(api, seeded):
    response = api.get("/plans", "giamsat")

    assert response.status_code == 200
    assert response.get_json() == {"in_force": "KH-CDS-2025", "plans": [{
        "code": "KH-CDS-2025", "title": "Kế hoạch chuyển đổi số năm 2025",
        "organisation": "UBND xã Thanh Hương", "adopted_on": "2025-02-13"}]}


# -- alerts --------------------------------------------------------------------

@pytest.fixture
def alerted(task_id, raise_alerts):
    """Three alerts of the VP task for its unit: 7 and 3 days left, then due today."""
    for day in (date(2025, 3, 24), date(2025, 3, 28), date(2025, 3, 31)):
        assert raise_alerts(day).raised == 1
    return task_id


def test_the_callers_own_alerts_newest_first(api, alerted):
    response = api.get("/alerts", "truongvp")

    assert response.status_code == 200, response.text
    found = response.get_json()
    assert found["unread"] == 3 and found["next_cursor"] is None
    assert [a["sentence"] for a in found["alerts"]] == [
        "Đến hạn hôm nay (31/03/2025).",
        "Sắp đến hạn, còn 3 ngày (hạn 31/03/2025).",
        "Sắp đến hạn, còn 7 ngày (hạn 31/03/2025)."]
    newest = found["alerts"][0]
    assert (newest["task"], newest["kind"], newest["unit"], newest["deadline"],
            newest["unread"]) == (str(alerted), "due_today", "VP", "2025-03-31", True)
    positions = [a["position"] for a in found["alerts"]]
    assert positions == sorted(positions, reverse=True)
    # Someone the alerts were not for sees none of them.
    assert api.get("/alerts", "truongyt").get_json() == {"alerts": [], "unread": 0,
                                                          "next_cursor": None}


def test_the_alerts_page_through_with_the_cursor_without_repeating(api, alerted):
    everything = [a["alert_id"] for a in api.get("/alerts", "canbovp").get_json()["alerts"]]
    seen, cursor, pages = [], None, 0
    while True:
        found = api.get("/alerts?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                        "canbovp").get_json()
        seen += [a["alert_id"] for a in found["alerts"]]
        pages += 1
        cursor = found["next_cursor"]
        if cursor is None:
            break
    assert pages == 2 and seen == everything and len(set(seen)) == 3


def test_the_alerts_speak_english_on_request(api, alerted):
    found = api.get("/alerts", "truongvp", lang="en").get_json()
    assert found["alerts"][-1]["sentence"] == \
        "Deadline approaching, 7 days left (due 31/03/2025)."
