"""Every refusal of the task endpoints: its status, its stable code, the field it names,
its message in Vietnamese or English, and always the one body shape
``{"error": {"code", "message", ...}}``, never a 500. Nothing refused is recorded."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api import *  # noqa: F403
from tests.api import Api
from tests.webapp import *  # noqa: F403
from tests.webapp import seed
from web import create_app, storage

# What an error may carry beside its code and message.
EXTRAS = {"field", "current_version"}


def refused(response, status: int, code: str, **extra) -> dict:
    """The error of ``response``, checked: status, JSON, exactly one ``error`` object
    with a code, a message for people, and only the documented extras."""
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["error"]
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", *EXTRAS}
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"].strip()
    for key, value in extra.items():
        assert error[key] == value, error
    return error


def _versions(api, task) -> list[int]:
    return [e["version"] for e in api.get(f"/tasks/{task}/history").get_json()["events"]]


@pytest.fixture
def started(app, seeded, task_id):
    """The VP task, started by its head: version 2, in progress."""
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    return task_id


@pytest.fixture
def reported(app, seeded, started):
    with app.app_context():
        seeded.submit_report("truongvp", started, "Đã hoàn thành")
    return started


# -- the body ---------------------------------------------------------------------

@pytest.mark.parametrize(("data", "content_type"), [
    ("{", "application/json"),
    ('{"reason": "Hủy"', "application/json"),
    ("[1, 2]", "application/json"),
    ('"Hủy"', "application/json"),
    ("12", "application/json"),
    ("null", "application/json"),
    (b'{"reason": "\xff"}', "application/json"),  # not UTF-8
    ('{"reason": "Hủy"}', "text/plain"),
    ("reason=H%E1%BB%A7y", "application/x-www-form-urlencoded"),
])
def test_a_body_that_is_not_a_json_object_is_refused(api, task_id, data, content_type):
    response = api.post(f"/tasks/{task_id}/cancel", data=data, content_type=content_type)
    refused(response, 400, "invalid_json")
    assert _versions(api, task_id) == [1]


def test_json_nested_deeper_than_the_parser_goes_is_refused_not_a_500(api, task_id):
    deep = "[" * 100_000 + "]" * 100_000
    response = api.post(f"/tasks/{task_id}/cancel", data=deep, content_type="application/json")
    refused(response, 400, "invalid_json")


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/tasks", {"title": "Mới", "unit": "VP", "deadline": "2025-04-30", "owner": "x"},
     "owner"),
    ("/tasks/{id}/cancel", {"reason": "Hủy", "why": "vì"}, "why"),
    ("/tasks/{id}/start", {"note": "bắt đầu"}, "note"),
    ("/tasks/{id}/extend", {"reason": "Chờ", "deadline": "2025-04-30", "days": 3}, "days"),
])
def test_an_unknown_field_is_refused_by_name(api, task_id, path, body, field):
    response = api.post(path.format(id=task_id), json=body)
    error = refused(response, 400, "unknown_field", field=field)
    assert f"“{field}”" in error["message"]


@pytest.mark.parametrize(("path", "who", "body", "field"), [
    ("/tasks", "lanhdao", {}, "title"),
    ("/tasks", "lanhdao", {"title": "Mới", "unit": "VP"}, "deadline"),
    ("/tasks", "lanhdao", {"title": "Mới", "deadline": "2025-04-30"}, "unit"),
    ("/tasks/{id}/cancel", "lanhdao", None, "reason"),  # no body at all
    ("/tasks/{id}/extend", "lanhdao", {"reason": "Chờ"}, "deadline"),
    ("/tasks/{id}/reassign", "lanhdao", {"reason": "Đổi"}, "unit"),
    ("/tasks/{id}/progress", "canbovp", {"percent": 10}, "note"),
    ("/tasks/{id}/report", "truongvp", {"value": 10}, "summary"),
])
def test_a_missing_field_is_refused_by_name(api, started, path, who, body, field):
    response = api.post(path.format(id=started), who, body)
    error = refused(response, 400, "missing_field", field=field)
    assert f"“{field}”" in error["message"]
    assert _versions(api, started) == [1, 2]


@pytest.mark.parametrize(("body", "field"), [
    ({"note": "Tiến độ", "percent": "12"}, "percent"),  # strict: text is not a number
    ({"note": "Tiến độ", "percent": 12.5}, "percent"),
    ({"note": "Tiến độ", "percent": True}, "percent"),
    ({"note": "Tiến độ", "percent": 101}, "percent"),
    ({"note": "Tiến độ", "percent": -1}, "percent"),
    ({"note": "Tiến độ", "value": "50"}, "value"),
    ({"note": "Tiến độ", "links": "https://a.example.vn"}, "links"),
    ({"note": "Tiến độ", "links": [1]}, "links.0"),
    ({"note": 12}, "note"),
    ({"note": None}, "note"),
    ({"note": "Tiến độ", "expected_version": "2"}, "expected_version"),
    ({"note": "Tiến độ", "expected_version": 0}, "expected_version"),
])
def test_a_value_of_the_wrong_type_or_range_is_refused_by_name(api, started, body, field):
    response = api.post(f"/tasks/{started}/progress", "canbovp", body)
    refused(response, 400, "invalid_field", field=field)
    assert _versions(api, started) == [1, 2]


def test_a_whole_number_written_with_a_point_is_a_whole_number(api, started):
    # JSON Schema's "integer" takes 2.0 (the document says integer, so the API does).
    response = api.post(f"/tasks/{started}/progress", "canbovp",
                        {"note": "Tiến độ", "percent": 40.0, "expected_version": 2.0})
    assert response.status_code == 200, response.json
    assert response.json["percent"] == 40 and response.json["version"] == 3


def test_numbers_that_json_does_not_have_are_refused(api, started):
    for number in ("NaN", "Infinity", "-Infinity"):
        data = f'{{"note": "Tiến độ", "value": {number}}}'
        response = api.post(f"/tasks/{started}/progress", "canbovp", data=data,
                            content_type="application/json")
        assert response.status_code == 400, number
        assert response.get_json()["error"]["code"] in {"invalid_json", "invalid_field"}


@pytest.mark.parametrize(("deadline", "code"), [
    ("2025-02-30", "invalid_date"),
    ("31/04/2025", "invalid_date"),
    ("2025-04-31", "invalid_date"),
    ("ngày mai", "invalid_date"),
    ("", "invalid_date"),
    ("9999-01-01", "date_out_of_range"),
    ("1999-12-31", "date_out_of_range"),
    ("2040-01-01", "deadline_too_far"),  # more than ten years after today (01/03/2025)
    ("2025-02-28", "due_date_in_past"),
])
def test_a_bad_deadline_is_refused_on_assigning(api, deadline, code):
    response = api.post("/tasks", json={"title": "Mới", "unit": "VP", "deadline": deadline})
    refused(response, 400, code)
    assert api.get("/tasks").get_json()["total"] == 0


@pytest.mark.parametrize(("deadline", "code"), [
    ("2025-02-30", "invalid_date"),
    ("9999-01-01", "date_out_of_range"),
    ("2040-01-01", "deadline_too_far"),
    ("2025-02-01", "deadline_in_past"),
])
def test_a_bad_deadline_is_refused_on_extending(api, task_id, deadline, code):
    response = api.post(f"/tasks/{task_id}/extend",
                        json={"reason": "Chờ kinh phí", "deadline": deadline})
    refused(response, 400, code)
    assert _versions(api, task_id) == [1]


@pytest.mark.parametrize("action", ["return", "extend", "reassign", "cancel"])
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_empty_reason_is_refused(api, reported, action, reason):
    body = {"reason": reason, "deadline": "2025-04-30", "unit": "YT"}
    body = {key: body[key] for key in {"return": ["reason"], "cancel": ["reason"],
                                       "extend": ["reason", "deadline"],
                                       "reassign": ["reason", "unit"]}[action]}
    response = api.post(f"/tasks/{reported}/{action}", json=body)
    error = refused(response, 400, "reason_required")
    assert error["message"] == "Cần nêu lý do."
    assert _versions(api, reported) == [1, 2, 3]


@pytest.mark.parametrize(("path", "who", "body", "message"), [
    ("/tasks", "lanhdao", {"title": " ", "unit": "VP", "deadline": "2025-04-30"},
     "Cần nhập tiêu đề."),
    ("/tasks/{id}/progress", "canbovp", {"note": ""}, "Cần nhập nội dung tiến độ."),
    ("/tasks/{id}/report", "truongvp", {"summary": "  "}, "Cần nhập nội dung báo cáo."),
])
def test_an_empty_text_is_refused(api, started, path, who, body, message):
    response = api.post(path.format(id=started), who, body)
    assert refused(response, 400, "text_required")["message"] == message
    assert _versions(api, started) == [1, 2]


@pytest.mark.parametrize(("path", "body", "field", "limit"), [
    ("/tasks", {"title": "t" * 201, "unit": "VP", "deadline": "2025-04-30"}, "title", 200),
    ("/tasks", {"title": "Mới", "description": "m" * 5001, "unit": "VP",
                "deadline": "2025-04-30"}, "description", 5000),
    ("/tasks/{id}/cancel", {"reason": "l" * 1001}, "reason", 1000),
    ("/tasks/{id}/extend", {"reason": "Chờ", "deadline": "2025-04-30" + " " * 10},
     "deadline", 10),
])
def test_oversize_text_is_refused_with_its_limit(api, task_id, path, body, field, limit):
    response = api.post(path.format(id=task_id), json=body)
    error = refused(response, 400, "field_too_long", field=field)
    assert str(limit) in error["message"]
    assert _versions(api, task_id) == [1]


def test_text_at_its_limit_is_taken(api, task_id):
    response = api.post(f"/tasks/{task_id}/cancel", json={"reason": "l" * 1000})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "cancelled"


@pytest.mark.parametrize(("path", "who", "body"), [
    ("/tasks", "lanhdao", {"title": "Hai\ndòng", "unit": "VP", "deadline": "2025-04-30"}),
    ("/tasks", "lanhdao", {"title": "Mới", "description": "Mã\x1b[31m", "unit": "VP",
                           "deadline": "2025-04-30"}),
    ("/tasks/{id}/progress", "canbovp", {"note": "Nửa\x00chừng"}),
    ("/tasks/{id}/cancel", "lanhdao", {"reason": "Hủy\x07"}),
])
def test_control_characters_are_refused(api, started, path, who, body):
    response = api.post(path.format(id=started), who, body)
    refused(response, 400, "text_control_character")
    assert _versions(api, started) == [1, 2]
    assert api.get("/tasks").get_json()["total"] == 1


# -- the query --------------------------------------------------------------------

@pytest.mark.parametrize(("query", "code", "field"), [
    ("foo=1", "unknown_field", "foo"),
    ("page=2", "unknown_field", "page"),
    ("limit=0", "invalid_field", "limit"),
    ("limit=201", "invalid_field", "limit"),
    ("limit=abc", "invalid_field", "limit"),
    ("limit=99999999999999999999999", "invalid_field", "limit"),
    ("state=done", "invalid_field", "state"),
    ("grade=good", "invalid_field", "grade"),
    ("overdue=maybe", "invalid_field", "overdue"),
    ("q=" + "a" * 101, "field_too_long", "q"),
    ("cursor=zzz", "invalid_cursor", None),
    ("cursor=2025-99-99|abc", "invalid_cursor", None),
    ("due_before=2025-13-01", "invalid_date", None),
    ("as_of=abc", "invalid_date", None),
    ("as_of=2025-03-01T25:00", "invalid_date", None),
    ("as_of=1999-01-01", "date_out_of_range", None),
    ("as_of=2025-03-02", "instant_in_future", None),  # the clock: 09:00 on 01/03/2025
    ("as_of=2025-03-01T09:01", "instant_in_future", None),
    ("q=%00", "text_control_character", None),
])
def test_a_bad_list_parameter_is_refused(api, task_id, query, code, field):
    extra = {"field": field} if field else {}
    error = refused(api.get(f"/tasks?{query}"), 400, code, **extra)
    if field is None:
        assert "field" not in error


def test_a_repeated_parameter_is_refused(api, task_id):
    refused(api.get("/tasks?state=assigned&state=verified"), 400, "invalid_field")
    refused(api.get("/tasks?limit=1&limit=2"), 400, "invalid_field")


def test_the_past_may_be_asked_for_up_to_now(api, task_id):
    # The same instant written three ways, all taken: Vietnam time, UTC, an offset.
    for as_of in ("2025-03-01T09:00", "2025-03-01T02:00:00Z", "2025-03-01T09:00%2B07:00"):
        assert api.get(f"/tasks?as_of={as_of}").status_code == 200, as_of


@pytest.mark.parametrize(("query", "code"), [
    ("bogus=1", "unknown_field"),
    ("as_of=hôm qua", "invalid_date"),
    ("as_of=2026-01-01", "instant_in_future"),
    ("as_of=2025-03-01&as_of=2025-02-01", "invalid_field"),
])
def test_a_bad_parameter_of_one_task_is_refused(api, task_id, query, code):
    refused(api.get(f"/tasks/{task_id}?{query}"), 400, code)


# -- who ----------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [
    None, "Bearer", "Bearer ", "Bearer nv1.khong-phai-khoa", "Basic bGFuaGRhbzpwdw==",
    "nv1.khong-co-kieu"])
def test_without_a_valid_token_the_answer_is_401(api, task_id, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    for response in (api.get("/tasks", None, headers=headers),
                     api.post(f"/tasks/{task_id}/cancel", None, {"reason": "Hủy"},
                              headers=headers)):
        refused(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _versions(api, task_id) == [1]


def test_a_revoked_token_is_refused_with_401(app, api, task_id):
    assert api.get("/tasks", "truongvp").status_code == 200
    with app.app_context():
        _, username, token_id, _ = api.tokens["truongvp"].split(".", 3)
        storage.service().revoke_token(username, token_id, "Lộ khóa", "quantri")
    refused(api.post(f"/tasks/{task_id}/start", "truongvp"), 401, "unauthorized")
    assert _versions(api, task_id) == [1]


@pytest.mark.parametrize(("path", "who", "body", "code"), [
    ("/tasks", "canbovp", {"title": "Mới", "unit": "VP", "deadline": "2025-04-30"},
     "permission_denied"),
    ("/tasks/{id}/cancel", "giamsat", {"reason": "Hủy"}, "permission_denied"),
    ("/tasks/{id}/verify", "quantri", {}, "permission_denied"),
    ("/tasks/{id}/start", "lanhdao", {}, "permission_denied"),
    ("/tasks/{id}/start", "truongyt", {}, "other_unit"),
])
def test_what_the_rules_forbid_this_person_is_403(api, task_id, path, who, body, code):
    refused(api.post(path.format(id=task_id), who, body), 403, code)
    assert _versions(api, task_id) == [1]
    assert api.get("/tasks").get_json()["total"] == 1


# -- where and how --------------------------------------------------------------------

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_an_unknown_task_is_404(api, task_id):
    for response in (api.get(f"/tasks/{UNKNOWN}"), api.get(f"/tasks/{UNKNOWN}/history"),
                     api.get(f"/tasks/{UNKNOWN}?as_of=2025-02-28"),
                     api.post(f"/tasks/{UNKNOWN}/cancel", json={"reason": "Hủy"}),
                     api.post(f"/tasks/{UNKNOWN}/start", "truongvp")):
        error = refused(response, 404, "unknown_task")
        assert UNKNOWN in error["message"]


@pytest.mark.parametrize("path", [
    "/tasks/not-a-uuid", "/tasks/12345", "/tasks/not-a-uuid/history", "/nope",
    "/tasks/{id}/fly", "/tasks/{id}/history/1", "/", "/task"])
def test_an_address_the_api_does_not_have_is_404(api, task_id, path):
    refused(api.get(path.format(id=task_id)), 404, "not_found")


def test_an_action_on_a_non_uuid_id_is_404(api):
    refused(api.post("/tasks/not-a-uuid/cancel", json={"reason": "Hủy"}), 404, "not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/tasks/{id}", {"GET"}),
    ("DELETE", "/tasks/{id}", {"GET"}),
    ("PATCH", "/tasks", {"GET", "POST"}),
    ("DELETE", "/tasks", {"GET", "POST"}),
    ("GET", "/tasks/{id}/start", {"POST"}),
    ("POST", "/tasks/{id}/history", {"GET"}),
])
def test_a_method_the_address_does_not_take_is_405(api, task_id, method, path, allowed):
    response = api.client.open("/api/v1" + path.format(id=task_id), method=method,
                               headers={"Authorization": f"Bearer {api.tokens['lanhdao']}"})
    error = refused(response, 405, "method_not_allowed")
    assert method in error["message"]
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert _versions(api, task_id) == [1]


# -- when -----------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "who", "body"), [
    ("verify", "lanhdao", {}),
    ("return", "lanhdao", {"reason": "Làm lại"}),
    ("report", "truongvp", {"summary": "Xong"}),
])
def test_an_action_the_state_does_not_allow_is_409(api, task_id, action, who, body):
    error = refused(api.post(f"/tasks/{task_id}/{action}", who, body), 409,
                    "transition_not_allowed")
    assert "“Đã giao”" in error["message"]  # the state it is in, by name
    assert _versions(api, task_id) == [1]


def test_a_cancelled_task_takes_no_more_actions(api, task_id):
    assert api.post(f"/tasks/{task_id}/cancel", json={"reason": "Hủy"}).status_code == 200
    refused(api.post(f"/tasks/{task_id}/cancel", json={"reason": "Hủy lần nữa"}), 409,
            "transition_not_allowed")
    refused(api.post(f"/tasks/{task_id}/start", "truongvp"), 409, "transition_not_allowed")
    assert _versions(api, task_id) == [1, 2]


@pytest.mark.parametrize("stale", [1, 2, 4, 99])
def test_a_stale_expected_version_is_409_with_the_version_now(app, seeded, api, started,
                                                              stale):
    with app.app_context():
        seeded.note_progress("canbovp", started, "Một phần ba", 33)
    now = api.get(f"/tasks/{started}").get_json()["version"]
    assert now == 3

    response = api.post(f"/tasks/{started}/progress", "canbovp",
                        {"note": "Hai phần ba", "percent": 66, "expected_version": stale})

    refused(response, 409, "concurrent_change", current_version=now)
    assert _versions(api, started) == [1, 2, 3]
    assert api.get(f"/tasks/{started}").get_json()["percent"] == 33
    # With the version it has now, the same change is taken.
    retried = api.post(f"/tasks/{started}/progress", "canbovp",
                       {"note": "Hai phần ba", "percent": 66, "expected_version": now})
    assert (retried.status_code, retried.get_json()["version"]) == (200, 4)


# -- the language ---------------------------------------------------------------------

def test_messages_are_vietnamese_by_default_and_english_when_asked(api, task_id):
    def message(lang, response_of):
        return response_of(lang).get_json()["error"]["message"]

    asks = {
        "unknown_field": lambda lang: api.get("/tasks?foo=1", lang=lang),
        "transition_not_allowed": lambda lang: api.post(f"/tasks/{task_id}/verify",
                                                        lang=lang),
        "unknown_task": lambda lang: api.get(f"/tasks/{UNKNOWN}", lang=lang),
        "not_found": lambda lang: api.get("/nope", lang=lang),
        "unauthorized": lambda lang: api.get("/tasks", None, lang=lang),
        "reason_required": lambda lang: api.post(f"/tasks/{task_id}/cancel",
                                                 json={"reason": ""}, lang=lang),
    }
    vietnamese = {
        "unknown_field": "Trường “foo” không được nhận ở đây.",
        "transition_not_allowed": "Không thể xác nhận hoàn thành khi nhiệm vụ đang ở "
                                  "trạng thái “Đã giao”.",
        "unknown_task": f"Không tìm thấy nhiệm vụ “{UNKNOWN}”.",
        "not_found": "Không có địa chỉ này trong API.",
        "reason_required": "Cần nêu lý do.",
    }
    english = {
        "unknown_field": "The field “foo” is not accepted here.",
        "transition_not_allowed": "Cannot verify a task that is assigned.",
        "not_found": "The API has no such address.",
    }
    for code, ask in asks.items():
        vi, en = message(None, ask), message("en", ask)
        assert vi != en, code
        assert message("vi", ask) == vi
        assert message("fr", ask) == vi  # a language we lack: Vietnamese
        assert message("en-US,en;q=0.9,vi;q=0.5", ask) == en
        if code in vietnamese:
            assert vi == vietnamese[code]
        if code in english:
            assert en == english[code]


# -- the database away ----------------------------------------------------------------

@pytest.mark.postgres
def test_while_the_database_is_away_the_api_answers_503_as_json_then_recovers(
        forwarder, clock, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": forwarder.url, "CLOCK": clock,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    try:
        with app.app_context():
            service = storage.service()
            seed(service)
            tokens = {name: service.create_token(name, "tests") for name in ("lanhdao",)}
            task = service.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 31),
                                       title="Số hóa hồ sơ")
        api = Api(app.test_client(), tokens)
        assert api.get(f"/tasks/{task}").status_code == 200
        forwarder.stop()

        for lang in (None, "en"):
            for response in (api.get("/tasks", lang=lang), api.get(f"/tasks/{task}", lang=lang),
                             api.post(f"/tasks/{task}/cancel", json={"reason": "Hủy"},
                                      lang=lang)):
                refused(response, 503, "unavailable")
                assert int(response.headers["Retry-After"]) > 0
        vi = api.get("/tasks").get_json()["error"]["message"]
        assert vi == "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau."
        assert api.get("/tasks", lang="en").get_json()["error"]["message"] != vi

        forwarder.start()
        assert api.get(f"/tasks/{task}").get_json()["state"] == "assigned"  # nothing done
        assert api.post(f"/tasks/{task}/cancel", json={"reason": "Hủy"}).status_code == 200
    finally:
        storage.close(app)
