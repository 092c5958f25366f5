"""/api/v1/reports: the issued period reports, each one's content byte for byte,
what changed since, and issuing one (leaders and auditors only).

The first quarter of 2025 is played through the service, as the web's report tests
play it: a VP task linked to CT02 is reported with 65 on 10/03 and verified on
12/03; a YT task due 10/03 is still in progress at the end of March. The clock then
stands at 02/04/2025 09:00, when the quarter's report is issued through the API.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.api import *  # noqa: F403  (fixtures)
from tests.webapp import *  # noqa: F403  (fixtures)
from web import storage

MISSING = "00000000-0000-4000-8000-000000000000"



@pytest.fixture
def issued(api, quarter) -> dict:
    """The quarter's report, issued by a leader through the API: its metadata."""
    response = api.post("/reports", "lanhdao", json={"period": "2025-Q1"})
    assert response.status_code == 201, response.text
    return response.get_json()


def test_a_leader_issues_the_quarter_and_gets_its_record(issued):
    assert issued["period"] == {"code": "2025-Q1", "kind": "quarter",
                                "first_day": "2025-01-01", "last_day": "2025-03-31"}
    assert issued["title"] == "quý I năm 2025"
    # The quarter is over: its figures as they stood at its last second.
    assert issued["cutoff"] == "2025-03-31T16:59:59Z"
    assert issued["issued_at"] == "2025-04-02T02:00:00Z"
    assert (issued["issued_by"], issued["issued_by_name"], issued["number"]) == (
        "lanhdao", "Người lanhdao", "")
    assert len(issued["digest"]) == 64 and issued["format"] == 1
    assert issued["checkpoint"]["size"] >= issued["position"] > 0
    assert issued["checkpoint"]["at"] == "2025-04-02T02:00:00Z"


def test_everyone_signed_in_reads_the_list_newest_first(api, issued):
    again = api.post("/reports", "giamsat", json={"period": "2025-03"}).get_json()

    response = api.get("/reports", "canboyt")

    assert response.status_code == 200
    listed = response.get_json()["reports"]
    assert [r["id"] for r in listed] == [again["id"], issued["id"]]
    assert listed[1] == issued


def test_the_content_is_the_same_bytes_every_time_and_hashes_to_the_digest(
        api, app, issued, quarter):
    first = api.get(f"/reports/{issued['id']}", "truongvp")
    with app.app_context():  # the log moves on: a late report about the quarter
        storage.service().submit_report("truongyt", quarter["late"], "Báo cáo muộn")
    second = api.get(f"/reports/{issued['id']}", "canbovp", lang="en")

    assert first.status_code == second.status_code == 200
    assert first.mimetype == "application/json"
    assert first.data == second.data
    digest = hashlib.sha256(first.data).hexdigest()
    assert digest == issued["digest"] == first.headers["X-Report-Digest"]
    assert first.headers["ETag"] == f'"{digest}"'
    content = json.loads(first.data)
    assert content["period"]["code"] == "2025-Q1" and content["format"] == 1
    assert content["cutoff"] == "2025-03-31T16:59:59+00:00"
    # The canonical form: sorted keys, no spaces, UTF-8 (not \u escapes).
    assert first.data == json.dumps(content, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")).encode("utf-8")
    assert "Tập huấn kỹ năng số cho cán bộ y tế".encode() in first.data


def test_the_meta_says_the_digest_matches_and_what_changed_since(api, app, issued, quarter):
    before = api.get(f"/reports/{issued['id']}/meta").get_json()
    with app.app_context():
        storage.service().submit_report("truongyt", quarter["late"], "Báo cáo muộn")
    after = api.get(f"/reports/{issued['id']}/meta").get_json()
    in_english = api.get(f"/reports/{issued['id']}/meta", lang="en").get_json()

    assert before["digest_matches"] is True and before["changed_since"] == []
    assert {k: v for k, v in before.items() if k not in ("digest_matches",
                                                         "changed_since")} == issued
    assert after["digest_matches"] is True
    [late] = after["changed_since"]
    assert (late["type"], late["task"], late["actor"]) == (
        "ReportSubmitted", str(quarter["late"]), "truongyt")
    assert late["changes"][0]["text"] == "Trạng thái: Đang thực hiện → Đã báo cáo"
    assert in_english["title"] == "Q1 2025"
    assert in_english["changed_since"][0]["changes"][0]["text"] == \
        "State: in progress → reported"


def test_an_auditor_issues_with_a_cutoff_and_a_number(api, quarter):
    response = api.post("/reports", "giamsat", json={
        "period": "2025-Q1", "cutoff": "2025-03-31T17:00", "number": " 07/BC-UBND "})

    assert response.status_code == 201, response.text
    found = response.get_json()
    assert (found["cutoff"], found["number"], found["issued_by"]) == (
        "2025-03-31T10:00:00Z", "07/BC-UBND", "giamsat")


def test_a_custom_range_and_the_running_quarter_as_of_now(api, quarter):
    custom = api.post("/reports", json={"period": "2025-03-01..2025-03-15"}).get_json()
    running = api.post("/reports", json={"period": "2025-Q2"}).get_json()

    assert custom["period"] == {"code": "2025-03-01..2025-03-15", "kind": "custom",
                                "first_day": "2025-03-01", "last_day": "2025-03-15"}
    assert running["cutoff"] == "2025-04-02T02:00:00Z"  # now: the quarter runs


@pytest.mark.parametrize("who", ["truongvp", "canbovp", "quantri"])
def test_only_leaders_and_auditors_may_issue(api, quarter, who):
    # Told before anything about what was sent: a bad period too is a 403.
    for body in ({"period": "2025-Q1"}, {"period": "2025-Q9"}):
        response = api.post("/reports", who, json=body)
        assert response.status_code == 403, response.text
        assert response.get_json()["error"]["code"] == "permission_denied"
    assert api.get("/reports", who).get_json()["reports"] == []


@pytest.mark.parametrize("body, code, says", [
    ({"period": "2025-Q5"}, "invalid_period", "Kỳ báo cáo “2025-Q5” không hợp lệ"),
    ({"period": "quý 1"}, "invalid_period", "Kỳ báo cáo “quý 1” không hợp lệ"),
    ({"period": "2025-03-31..2025-03-01"}, "invalid_period", "ngày cuối trước ngày đầu"),
    ({"period": "2025-Q3"}, "invalid_period", "chưa tới"),
    ({"period": "2025-Q1", "cutoff": "2025-04-03T08:00"}, "invalid_period", "chưa tới"),
    ({"period": "2025-Q1", "cutoff": "2024-12-01"}, "invalid_period", "trước ngày đầu"),
    ({"period": "2025-Q1", "cutoff": "31/03/2025 25:00"}, "invalid_date",
     "Trường “cutoff” không phải là một ngày hợp lệ."),
    ({"period": "2025-Q1", "number": "a\tb"}, "invalid_period", "Số hiệu báo cáo"),
    ({"period": "2025-Q1", "number": "x" * 41}, "field_too_long", "tối đa 40 ký tự"),
    ({"period": "2025-Q1", "kind": "quarter"}, "unknown_field", "“kind”"),
    ({"period": 2025}, "invalid_field", "“period”"),
    ({}, "missing_field", "“period”"),
])
def test_what_cannot_be_issued_is_a_400_saying_why(api, quarter, body, code, says):
    response = api.post("/reports", "lanhdao", json=body)

    assert response.status_code == 400, response.text
    error = response.get_json()["error"]
    assert error["code"] == code and says in error["message"], error
    assert api.get("/reports").get_json()["reports"] == []


def test_the_refusal_speaks_english_on_request(api, quarter):
    error = api.post("/reports", json={"period": "2025-Q5"}, lang="en").get_json()["error"]
    assert error["message"].startswith("Report period “2025-Q5” is not valid; type 2025-06")


def test_an_unknown_report_is_a_404_with_its_code(api, issued):
    for path in (f"/reports/{MISSING}", f"/reports/{MISSING}/meta"):
        response = api.get(path)
        assert response.status_code == 404, path
        error = response.get_json()["error"]
        assert error["code"] == "unknown_report"
        assert error["message"] == f"Không tìm thấy báo cáo “{MISSING}”."
    assert api.get("/reports/not-a-report").status_code == 404


def test_without_a_token_nothing_is_read_or_issued(api, issued):
    for response in (api.get("/reports", None), api.get(f"/reports/{issued['id']}", None),
                     api.post("/reports", None, json={"period": "2025-Q1"})):
        assert response.status_code == 401
    assert len(api.get("/reports").get_json()["reports"]) == 1
