"""Who may do what over HTTP, CSRF on every POST, escaping, no external URLs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import web
from tests.webapp import *  # noqa: F403  (fixtures)
from web import create_app, storage

# An example URL for every POST route; the test below fails when a route is added
# without one, so no state-changing route escapes the CSRF check.
POST_URLS = {
    "auth.login": "/sign-in",
    "auth.logout": "/sign-out",
    "tasks.act": "/tasks/{task}/start",
    "tasks.create": "/tasks/new",
    "admin.add_unit": "/admin/units",
    "admin.rename_unit": "/admin/units/VP/rename",
    "admin.deactivate_unit": "/admin/units/VP/deactivate",
    "admin.add_user": "/admin/users",
    "admin.deactivate_user": "/admin/users/canbovp/deactivate",
    "admin.reactivate_user": "/admin/users/canbovp/reactivate",
    "admin.reset_password": "/admin/users/canbovp/password",
    "alerts.mark_read": "/alerts/read",
    "reports.issue": "/reports/",
}


def _posts(app, api: bool) -> dict[str, str]:
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and rule.endpoint.startswith("api.") == api}


def test_every_post_route_has_an_example_url(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    assert set(_posts(app, api=False)) == set(POST_URLS)


def test_the_apis_posts_need_no_csrf_token_because_no_cookie_signs_them_in(app, as_role,
                                                                          task_id):
    """The API is exempt from CSRF (web.api): safe only while a session cookie, which a
    browser sends on its own, never acts there. Every API POST with a signed-in
    browser's cookie and no token is refused, and nothing is recorded."""
    browser = as_role("lanhdao")
    routes = _posts(app, api=True)
    assert len(routes) >= 10
    for endpoint, rule in routes.items():
        url = rule.replace("<uuid:task_id>", str(task_id))
        response = browser.client.post(url, json={"reason": "x", "title": "x", "unit": "VP",
                                                  "deadline": "2025-05-01", "period": "2025-Q1"})
        assert response.status_code == 401, endpoint
        assert response.json["error"]["code"] == "unauthorized"
    with app.app_context():
        assert len(storage.service().history(task_id)) == 1


@pytest.mark.parametrize("endpoint", sorted(POST_URLS))
@pytest.mark.parametrize("htmx", [False, True])
def test_a_post_without_the_csrf_token_is_refused(app, as_role, task_id, endpoint, htmx):
    browser = as_role("quantri" if endpoint.startswith("admin") else "truongvp")
    url = POST_URLS[endpoint].format(task=task_id)
    headers = {"HX-Request": "true"} if htmx else {}
    response = browser.client.post(url, data={"reason": "x", "version": "1"},
                                   headers=headers)
    assert response.status_code == 400
    assert "hãy tải lại trang" in response.text
    with app.app_context():
        assert len(storage.service().history(task_id)) == 1


# The permission table of DOMAIN.md, over the task routes: action -> who may.
MAY = {
    "start": {"truongvp", "canbovp"},
    "note": {"truongvp", "canbovp"},
    "report": {"truongvp"},
    "verify": {"lanhdao", "lanhdao2"},  # the reporter (truongvp) never verifies
    "return": {"lanhdao", "lanhdao2"},
    "extend": {"lanhdao", "lanhdao2"},
    "reassign": {"lanhdao", "lanhdao2"},
    "cancel": {"lanhdao", "lanhdao2"},
}
FORM = {
    "start": {}, "note": {"text": "Tiến độ"}, "report": {"summary": "Kết quả"},
    "verify": {}, "return": {"reason": "Thiếu"},
    "extend": {"deadline": "2025-05-01", "reason": "Chậm"},
    "reassign": {"unit": "YT", "reason": "Đổi"}, "cancel": {"reason": "Thôi"},
}
PEOPLE_ALL = ["lanhdao", "lanhdao2", "quantri", "giamsat", "truongvp", "canbovp",
              "truongyt", "canboyt"]


def _bring_to(svc, task_id, action):
    """Put the task in a state where ``action`` is possible for someone."""
    if action in ("note", "report", "verify", "return"):
        svc.start_task("truongvp", task_id)
    if action in ("verify", "return"):
        svc.submit_report("truongvp", task_id, "Đã xong")


@pytest.mark.parametrize("action", sorted(MAY))
def test_each_person_may_take_exactly_the_actions_of_the_permission_table(
        app, seeded, as_role, task_id, action):
    with app.app_context():
        _bring_to(seeded, task_id, action)
        before = len(seeded.history(task_id))
    url = f"/tasks/{task_id}"
    refused = [who for who in PEOPLE_ALL if who not in MAY[action]]
    for who in refused:
        browser = as_role(who)
        assert f'id="form-{action}"' not in browser.get(url).text, who
        response = browser.post(f"{url}/{action}", FORM[action], page=url)
        assert response.status_code == 403, who
        assert 'role="alert"' in response.text
    for who in MAY[action]:
        assert f'id="form-{action}"' in as_role(who).get(url).text, who
    with app.app_context():
        assert len(seeded.history(task_id)) == before
    response = as_role(sorted(MAY[action])[0]).post(f"{url}/{action}", FORM[action],
                                                    page=url)
    assert response.status_code == 303, response.text
    with app.app_context():
        assert len(seeded.history(task_id)) == before + 1


# Pages and forms outside the task: who gets in (200/303) and who is refused (403).
GUARDED = [
    ("GET", "/tasks/new", {"lanhdao", "lanhdao2"}),
    ("POST", "/tasks/new", {"lanhdao", "lanhdao2"}),
    ("GET", "/admin/units", {"lanhdao", "lanhdao2", "quantri"}),
    ("POST", "/admin/units", {"lanhdao", "lanhdao2", "quantri"}),
    ("GET", "/admin/users", {"quantri"}),
    ("POST", "/admin/users", {"quantri"}),
    ("POST", "/admin/users/canbo2yt/password", {"quantri"}),
    ("POST", "/admin/users/canbo2yt/deactivate", {"quantri"}),
]


def _guarded_form(url: str, who: str) -> dict[str, str]:
    return {
        "/tasks/new": {"title": "Việc", "unit": "YT", "deadline": "2025-06-01"},
        "/admin/units": {"code": f"TN-{who}", "name": "Đoàn thanh niên"},
        "/admin/users": {"username": f"moi-{who}", "role": "member", "unit": "YT",
                         "password": "mat-khau-dai"},
        "/admin/users/canbo2yt/password": {"password": "mat-khau-moi"},
        "/admin/users/canbo2yt/deactivate": {"reason": "Nghỉ"},
    }[url]


@pytest.mark.parametrize(("method", "url", "allowed"), GUARDED)
def test_leader_and_admin_pages_refuse_everyone_else(as_role, method, url, allowed):
    for who in PEOPLE_ALL:
        browser = as_role(who)
        if method == "GET":
            response, expected = browser.get(url), 200
        else:
            response, expected = browser.post(url, _guarded_form(url, who), page="/overview"), 303
        assert response.status_code == (expected if who in allowed else 403), who


XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"


def _assert_escaped(html: str) -> None:
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_stored_markup_in_every_text_field_comes_back_escaped(app, seeded, as_role):
    with app.app_context():
        seeded.add_unit("XSS", XSS, actor="quantri")
        seeded.add_user("xss", "unit_head", "mat-khau-dai", unit="XSS", display_name=XSS)
        task = seeded.assign_task("lanhdao", unit="XSS", deadline=date(2025, 4, 1),
                                  title=XSS, description=XSS, target="CT01",
                                  plan="KH-CDS-2025")
        seeded.start_task("xss", task)
        seeded.note_progress("xss", task, XSS)
        link = "https://x.vn/" + XSS.replace(" ", "%20")  # a valid URL, markup and all
        seeded.submit_report("xss", task, XSS, evidence=[{"url": link}])
        seeded.return_task("lanhdao", task, XSS)
        seeded.extend_deadline("lanhdao", task, date(2025, 5, 1), XSS)
        seeded.reassign_task("lanhdao", task, "VP", XSS)
    leader, admin = as_role("lanhdao"), as_role("quantri")
    for html in (leader.get(f"/tasks/{task}").text, leader.get(f"/tasks/{task}", htmx=True).text,
                 leader.get("/tasks/").text, leader.get("/overview").text,
                 leader.get("/audit/").text,
                 admin.get("/admin/units").text, admin.get("/admin/users").text):
        _assert_escaped(html)
    typed = leader.post(f"/tasks/{task}/return", {"reason": XSS}, page=f"/tasks/{task}")
    _assert_escaped(typed.text)  # refused (not reported), and the typed text is escaped
    searched = leader.get("/tasks/?q=" + XSS)
    assert "<script>alert(1)" not in searched.text


EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)
# An XML namespace is a name, never fetched (an SVG file needs its xmlns).
NAMESPACE = re.compile(r'xmlns(?::\w+)?="[^"]*"')


def test_no_template_or_static_file_references_an_external_url():
    root = Path(web.__file__).parent
    files = [p for folder in ("templates", "static") for p in (root / folder).rglob("*")
             if p.is_file()]
    assert files
    found = {str(p.relative_to(root)):
             EXTERNAL.findall(NAMESPACE.sub("", p.read_text(errors="ignore"))) for p in files}
    assert {name: urls for name, urls in found.items() if urls} == {}
