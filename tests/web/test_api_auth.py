"""Who a request to /api/v1 acts for: the person whose token it carries, read afresh
each time, never a browser's session; failed tokens are rate-limited like sign-ins."""

from __future__ import annotations

import pytest

from tests.api import *  # noqa: F403
from tests.webapp import *  # noqa: F403
from tests.webapp import events_of, post_action
from web import storage
from workflow import tokens as token_text

pytestmark = pytest.mark.both_stores


def _unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["code"] == "unauthorized"


def test_no_wrong_or_revoked_token_is_anyone(app, api, tokens):
    good = tokens["lanhdao"]
    _unauthorized(api.get("/tasks", who=None))
    _unauthorized(api.get("/tasks", headers={"Authorization": f"Basic {good}"}, who=None))
    _unauthorized(api.get("/tasks", who=good[:-2] + "xx"))
    _unauthorized(api.get("/tasks", who=good.replace("lanhdao", "khongai", 1)))
    assert api.get("/tasks", who="lanhdao").status_code == 200
    with app.app_context():
        storage.service().revoke_token("lanhdao", token_text.parse(good)[1], "Lộ khóa")
    _unauthorized(api.get("/tasks", who="lanhdao"))


def test_a_deactivated_persons_token_stops_and_comes_back_with_the_account(app, api):
    assert api.get("/tasks", who="canbovp").status_code == 200
    with app.app_context():
        storage.service().deactivate_user("canbovp", "Nghỉ việc", actor="quantri")
    _unauthorized(api.get("/tasks", who="canbovp"))
    with app.app_context():
        storage.service().reactivate_user("canbovp", "Đi làm lại", actor="quantri")
    assert api.get("/tasks", who="canbovp").status_code == 200


def test_a_token_acts_with_its_persons_role_and_unit_and_says_so(app, api, task_id):
    member = api.post(f"/tasks/{task_id}/verify", "canbovp", {})
    assert (member.status_code, member.json["error"]["code"]) == (403, "permission_denied")
    other = api.post(f"/tasks/{task_id}/start", "truongyt")
    assert (other.status_code, other.json["error"]["code"]) == (403, "other_unit")
    assert api.post(f"/tasks/{task_id}/start", "truongvp").status_code == 200
    with app.app_context():
        events = storage.service().history(task_id)
    # Assigned through the service (as the web does), started through the API.
    assert [(e.actor, getattr(e, "via", None)) for e in events] == [
        ("lanhdao", None), ("truongvp", "api")]


def test_only_what_a_token_does_is_marked_api(app, api, as_role, task_id):
    started = post_action(as_role("truongvp"), task_id, "start", {"version": "1"})
    assert started.status_code in (302, 303)
    noted = api.post(f"/tasks/{task_id}/progress", "canbovp",
                     {"note": "Đã khảo sát", "percent": 20})
    assert noted.status_code == 200, noted.json
    assert [(e.actor, getattr(e, "via", None)) for e in events_of(app, task_id)] == [
        ("lanhdao", None), ("truongvp", None), ("canbovp", "api")]


def test_a_signed_in_browser_without_a_token_is_not_signed_in_to_the_api(as_role, api):
    browser = as_role("lanhdao")
    response = browser.client.get("/api/v1/tasks")
    _unauthorized(response)
    # Nor does a POST need the page's CSRF token: a token is not sent by a browser.
    assert api.post("/tasks", "lanhdao", {"title": "Qua API", "unit": "VP",
                                          "deadline": "2025-04-30"}).status_code == 201


def test_the_document_needs_no_token(api):
    response = api.get("/openapi.json", who=None)
    assert response.status_code == 200 and response.json["openapi"].startswith("3.1")


def test_failed_tokens_are_limited_like_sign_ins(app, api):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    statuses = [api.get("/tasks", who="nv1.lanhdao.00000000.sai").status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = api.get("/tasks", who="lanhdao", lang="en")
    assert limited.status_code == 429
    assert limited.json["error"] == {"code": "rate_limited", "message":
                                     "Too many attempts; wait a minute and try again."}


def test_refusals_speak_the_requested_language(api):
    vi = api.get("/tasks", who=None)
    en = api.get("/tasks", who=None, lang="en-US,en;q=0.9")
    assert vi.json["error"]["message"].startswith("Cần một khóa truy cập hợp lệ")
    assert en.json["error"]["message"].startswith("A valid access token is needed")
