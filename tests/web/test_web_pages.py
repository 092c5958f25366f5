"""Every page, as a whole page and as the htmx fragment it refreshes; sign-in; language."""

from __future__ import annotations

import re

import pytest

from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import Browser

PAGES = [
    # (who, url, the root id of the fragment)
    ("truongvp", "/overview", "dashboard"),
    ("truongvp", "/my-unit", "home"),
    ("truongvp", "/tasks/", "results"),
    ("truongvp", "/tasks/{task}", "task-panel"),
    ("truongvp", "/plan/", "plan"),
    ("giamsat", "/audit/", "audit-results"),
    ("lanhdao", "/tasks/new", "assign"),
    ("quantri", "/admin/units", "units"),
    ("quantri", "/admin/users", "users"),
]


@pytest.mark.parametrize(("who", "url", "root"), PAGES)
def test_each_page_is_a_whole_page_and_an_htmx_fragment(as_role, task_id, who, url, root):
    browser = as_role(who)
    url = url.format(task=task_id)
    page = browser.get(url)
    fragment = browser.get(url, htmx=True)
    assert page.status_code == 200
    assert page.text.startswith("<!doctype html>") and f'id="{root}"' in page.text
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<header" not in fragment.text
    assert fragment.text.strip().startswith("<") and f'id="{root}"' in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_history_restore_gets_the_whole_page(as_role, task_id):
    browser = as_role("truongvp")
    response = browser.client.get(f"/tasks/{task_id}", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert response.text.startswith("<!doctype html>")


@pytest.mark.parametrize("url", ["/", "/tasks/", "/plan/", "/audit/", "/admin/users"])
def test_pages_send_visitors_who_are_not_signed_in_to_the_sign_in_page(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_an_htmx_request_without_a_session_is_told_to_navigate_to_sign_in(client, seeded):
    response = client.get("/tasks/", htmx=True)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")


def test_signing_in_with_a_wrong_password_says_so_and_keeps_the_username(client, seeded):
    response = client.sign_in("truongvp", "not-the-password")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text
    assert 'value="truongvp"' in response.text


def test_a_deactivated_account_cannot_sign_in_and_is_signed_out(app, seeded, as_role):
    browser = as_role("canbovp")
    with app.app_context():
        seeded.deactivate_user("canbovp", "nghỉ việc", actor="quantri")
    assert browser.get("/").status_code == 302
    assert Browser(app.test_client()).sign_in("canbovp").status_code == 401


def test_a_password_reset_signs_out_the_old_sessions(app, seeded, as_role):
    browser = as_role("canbovp")
    with app.app_context():
        seeded.set_password("canbovp", "mat-khau-moi-1", actor="quantri")
    assert browser.get("/").status_code == 302


def test_signing_in_returns_to_the_page_asked_for_but_never_off_site(client, seeded):
    page = client.get("/sign-in?next=/plan/")
    from tests.webapp import PASSWORD, token
    data = {"username": "truongvp", "password": PASSWORD, "csrf_token": token(page.text)}
    assert client.client.post("/sign-in?next=/plan/", data=data).headers["Location"] == "/plan/"
    client.client.post("/sign-out", data={"csrf_token": token(client.get("/overview").text)})
    page = client.get("/sign-in")
    data["csrf_token"] = token(page.text)
    evil = client.client.post("/sign-in?next=//evil.example/", data=data)
    assert evil.headers["Location"] == "/"


def test_sign_in_attempts_are_rate_limited(app, seeded):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    browser = Browser(app.test_client())
    statuses = [browser.sign_in("truongvp", "wrong").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert "Quá nhiều lần thử" in browser.sign_in("truongvp", "wrong").text


def test_signing_out_needs_a_post_and_ends_the_session(as_role):
    browser = as_role("truongvp")
    assert browser.get("/sign-out").status_code == 405
    assert browser.post("/sign-out", page="/overview").status_code == 303
    assert browser.get("/").status_code == 302


def test_pages_carry_the_security_headers(as_role):
    response = as_role("truongvp").get("/overview")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only_and_same_site_lax(client, seeded):
    response = client.sign_in("truongvp")
    cookie = [c for c in response.headers.getlist("Set-Cookie") if "nhiemvu_session" in c][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_interface_is_vietnamese_by_default_and_english_on_request(as_role, task_id):
    browser = as_role("truongvp")
    assert "Bắt đầu thực hiện" in browser.get(f"/tasks/{task_id}").text
    switched = browser.get(f"/lang/en?next=/tasks/{task_id}")
    assert switched.headers["Location"] == f"/tasks/{task_id}"
    page = browser.get(f"/tasks/{task_id}").text
    assert "Start work" in page and 'lang="en"' in page
    assert "31/03/2025" in page  # dates stay dd/mm/yyyy


def test_words_on_a_page_follow_each_request_s_language_not_the_first_one(as_role):
    """Jinja folds a filter applied to a literal when it compiles the template; the
    dashboard's "cancelled"|grade_name must still be said in each visitor's language."""
    browser = as_role("truongvp")
    assert "Đã hủy: 0" in browser.get("/overview").text  # compiled while speaking Vietnamese
    browser.get("/lang/en")
    english = browser.get("/overview").text
    assert "Cancelled: 0" in english and "Đã hủy" not in english


def test_the_language_switch_never_redirects_off_site(as_role):
    response = as_role("truongvp").get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_an_unknown_task_is_a_clear_404(as_role):
    response = as_role("truongvp").get("/tasks/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "Không tìm thấy nhiệm vụ" in response.text


def test_the_dashboard_counts_link_to_the_filtered_list(as_role, task_id):
    page = as_role("lanhdao").get("/overview").text
    assert 'href="/tasks/?grade=open_on_time"' in page
    assert 'href="/tasks/?state=assigned"' in page
    assert '<span class="n">1</span>Đang thực hiện trong hạn' in page


def test_unknown_list_choices_are_dropped_and_the_list_shown(as_role, task_id):
    # Dates and cursors that cannot be read are a 400 instead (test_web_params.py).
    response = as_role("truongvp").get("/tasks/?state=nonsense&grade=x&unit=%3Cb%3E")
    assert response.status_code == 200


def test_a_task_page_stays_within_the_weight_budget_when_compressed(as_role, task_id):
    """≤ 100 KB on first load (page, CSS, htmx), ≤ 10 KB per htmx swap, gzip."""
    browser = as_role("truongvp")
    gzip = {"Accept-Encoding": "gzip"}
    page = browser.client.get(f"/tasks/{task_id}", headers=gzip)
    assert page.headers["Content-Encoding"] == "gzip"
    total = len(page.data)
    html = browser.get(f"/tasks/{task_id}").text
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(assets) == 3  # stylesheet, icon, htmx
    for asset in assets:
        with browser.client.get(asset.replace("&amp;", "&"), headers=gzip) as response:
            total += len(response.data)
            if not asset.startswith("/static/favicon"):
                assert response.headers["Content-Encoding"] == "gzip"
                assert "max-age=31536000" in response.headers["Cache-Control"]
    swap = browser.client.get(f"/tasks/{task_id}", headers={**gzip, "HX-Request": "true"})
    assert total <= 100 * 1024
    assert len(swap.data) <= 10 * 1024


def test_every_interface_string_has_an_english_translation():
    """Web, CLI, e-mail, event sentences and errors: one catalogue, all of it in English."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.mofile import read_mo

    from workflow import words

    root = Path(words.__file__).resolve().parent.parent
    # What `make translations` extracts: the same mapping file, the same keywords.
    with open(root / "babel.cfg") as mapping:
        method_map, _options = parse_mapping_cfg(mapping)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "N_": None, "lazy": None,
                "translate": None, "NP_": ((1, "c"), 2),
                "pgettext": ((1, "c"), 2)}
    found = {(context, msgid if isinstance(msgid, str) else msgid[0])
             for _f, _l, msgid, _c, context in extract_from_dir(
                 root, method_map, keywords=keywords)}
    assert ("state", "Đã giao") in found  # the domain's words are extracted too
    with open(words.CATALOGUE / "en/LC_MESSAGES/messages.mo", "rb") as handle:
        catalogue = read_mo(handle)
    # read_mo gives contexts as bytes
    translated = {(m.context.decode() if isinstance(m.context, bytes) else m.context,
                   m.id if isinstance(m.id, str) else m.id[0])
                  for m in catalogue if m.id and m.string}
    assert found - translated == set()


def test_an_htmx_request_refused_by_csrf_puts_the_message_above_the_form(as_role, task_id):
    """E.g. after signing in again in another tab: the panel and the typed text stay."""
    response = as_role("truongvp").client.post(
        f"/tasks/{task_id}/note", data={"text": "x"},
        headers={"HX-Request": "true", "X-CSRFToken": "stale"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reswap"] == "afterbegin"
    assert response.text.lstrip().startswith('<section id="error"')
    assert "hãy tải lại trang" in response.text


def test_an_unknown_action_or_a_malformed_task_id_is_404(as_role, task_id):
    browser = as_role("lanhdao")
    assert browser.post(f"/tasks/{task_id}/explode", page="/overview").status_code == 404
    assert browser.get("/tasks/not-a-uuid").status_code == 404


def test_the_plan_page_shows_each_target_against_its_range(as_role, app, seeded, task_id):
    browser = as_role("lanhdao")
    assert 'href="/plan/"' in browser.get("/overview").text  # the targets by pillar
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.submit_report("truongvp", task_id, "Xong", "64")
        seeded.verify_task("lanhdao", task_id)
    bars = browser.get("/plan/").text
    assert bars.count("<meter") == 11
    assert 'low="60.0" high="70.0"' in bars and 'value="64.0"' in bars
    assert "Đã xác nhận: 64 %" in bars


def test_the_audit_log_filters_by_person_and_type_newest_first(app, seeded, as_role,
                                                                task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        seeded.note_progress("canbovp", task_id, "Đã họp thôn")
    browser = as_role("giamsat")
    everything = browser.get("/audit/").text.split('id="audit-results"')[1]
    assert everything.index("ProgressNoted") < everything.index("WorkStarted")
    mine = browser.get("/audit/?actor=canbovp", htmx=True)
    assert "ProgressNoted" in mine.text and "WorkStarted" not in mine.text
    assert mine.headers["HX-Push-Url"] == "/audit/?actor=canbovp"
    typed = browser.get("/audit/?type=WorkStarted&since=2025-03-01&until=01/03/2025",
                        htmx=True)
    assert "truongvp" in typed.text and "ProgressNoted" not in typed.text
    browser.client.get("/lang/en")
    english = browser.get("/audit/?actor=canbovp", htmx=True).text
    assert "Noted progress: Đã họp thôn" in english and "Ghi nhận tiến độ" not in english
