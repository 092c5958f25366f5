"""Crafted parameters get a 400 (or a 422 beside the form) with a clear sentence,
never a 500, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)
from web import storage

BAD_POSITION = "Vị trí trang không hợp lệ (phải là số nguyên không âm)."
OUT_OF_RANGE = "nằm ngoài khoảng cho phép (01/01/2000 – 31/12/2100); hãy kiểm tra năm."
HEX = "0123456789abcdef0123456789abcdef"

CRAFTED_LINKS = {
    "/audit/?before=99999999999999999999": BAD_POSITION,
    "/audit/?before=%C2%B2": BAD_POSITION,  # ², a digit to str.isdigit()
    "/audit/?before=-1": BAD_POSITION,
    "/audit/?before=%EF%BC%91": BAD_POSITION,  # a full-width 1
    "/alerts/?before=%C2%B2": BAD_POSITION,
    "/alerts/?before=99999999999999999999": BAD_POSITION,
    "/tasks/?after=garbage": BAD_POSITION,
    f"/tasks/?after=2025-13-45.{HEX}": BAD_POSITION,
    "/audit/?since=9999-01-01": "Ngày 01/01/9999 " + OUT_OF_RANGE,
    "/audit/?until=1999-12-31": "Ngày 31/12/1999 " + OUT_OF_RANGE,
    "/audit/?since=hom-qua": "Ô “Từ ngày” không phải là một ngày hợp lệ.",
    "/audit/?until=31/02/2025": "Ô “Đến ngày” không phải là một ngày hợp lệ.",
    "/tasks/?deadline_from=31/02/2025": "Ô “Hạn từ ngày” không phải là một ngày hợp lệ.",
    "/tasks/?deadline_from=%D9%A2%D9%A0%D9%A2%D9%A5-01-01":  # Arabic-Indic digits
        "Ô “Hạn từ ngày” không phải là một ngày hợp lệ.",
    "/tasks/?deadline_to=9999-12-31": "Ngày 31/12/9999 " + OUT_OF_RANGE,
    "/tasks/?deadline_to=99999-12-31": "Ô “Hạn đến ngày” không phải là một ngày hợp lệ.",
    "/tasks/?q=%00": "Tham số “q” của địa chỉ trang chứa ký tự điều khiển",
    "/tasks/?unit=VP%00": "Tham số “unit” của địa chỉ trang chứa ký tự điều khiển",
    "/audit/?actor=%00": "Tham số “actor” của địa chỉ trang chứa ký tự điều khiển",
    "/plan/?code=%00": "Tham số “code” của địa chỉ trang chứa ký tự điều khiển",
}


@pytest.mark.parametrize("url", sorted(CRAFTED_LINKS))
def test_a_crafted_link_is_a_400_that_says_what_is_wrong(as_role, task_id, url):
    response = as_role("lanhdao").get(url)
    assert response.status_code == 400
    assert CRAFTED_LINKS[url] in response.text


def test_a_crafted_link_asked_by_htmx_gets_the_sentence_as_a_fragment(as_role, task_id):
    response = as_role("lanhdao").get("/audit/?before=%C2%B2", htmx=True)
    assert response.status_code == 400
    assert BAD_POSITION in response.text and "<html" not in response.text
    assert response.headers["HX-Retarget"] == "#main"


@pytest.mark.parametrize("up_to", ["²", "99999999999999999999", "1e3"])
def test_marking_alerts_read_up_to_a_crafted_position_is_a_400(as_role, task_id, up_to):
    response = as_role("truongvp").post("/alerts/read", {"up_to": up_to}, page="/alerts/")
    assert response.status_code == 400
    assert BAD_POSITION in response.text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("percent", "9" * 5000, "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100."),
    ("percent", "²", "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100."),
    ("version", "9" * 5000, "Phiên bản biểu mẫu không hợp lệ; hãy tải lại trang."),
    ("version", "٣", "Phiên bản biểu mẫu không hợp lệ; hãy tải lại trang."),
])
def test_a_crafted_number_in_a_progress_note_is_refused_beside_the_form(
        app, seeded, as_role, task_id, field, value, message):
    seeded.start_task("truongvp", task_id)
    response = as_role("canbovp").post(f"/tasks/{task_id}/note",
                                       {"text": "Đã họp thôn", field: value},
                                       page=f"/tasks/{task_id}")
    assert response.status_code == 422
    assert message in response.text
    with app.app_context():
        kinds = [type(e).__name__ for e in storage.service().history(task_id)]
    assert "ProgressNoted" not in kinds


@pytest.mark.parametrize("url", [
    "/audit/?since=2000-01-01&until=2100-12-31", "/audit/?since=01/03/2025",
    f"/tasks/?after=2025-03-31.{HEX}", "/tasks/?deadline_from=1/3/2025",
    "/alerts/?before=1", "/audit/?before=9223372036854775807",
])
def test_the_edges_of_what_may_be_asked_are_answered(as_role, task_id, url):
    assert as_role("lanhdao").get(url).status_code == 200
