"""Sessions end on the server: a copied cookie dies with sign-out and deactivation."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner

from tests.conftest import cli_on
from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import Browser, token
from web import storage

pytestmark = pytest.mark.both_stores  # the sessions are rows in the store's database

COOKIE = "nhiemvu_session"


def _replay(app, cookie: str) -> Browser:
    """A second browser holding a copy of ``cookie`` (as a thief would)."""
    copy = Browser(app.test_client())
    copy.client.set_cookie(COOKIE, cookie)
    return copy


def test_a_cookie_replayed_after_sign_out_records_nothing_and_goes_to_sign_in(
        app, seeded, as_role, task_id):
    seeded.start_task("truongvp", task_id)
    browser = as_role("canbovp")
    page = browser.get(f"/tasks/{task_id}").text
    stolen = browser.client.get_cookie(COOKIE).value
    assert browser.post("/sign-out", page="/overview").status_code == 303

    replayed = _replay(app, stolen).client.post(f"/tasks/{task_id}/note", data={
        "csrf_token": token(page), "text": "Ghi bằng cookie cũ"})

    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/sign-in")
    with app.app_context():
        kinds = [type(e).__name__ for e in storage.service().history(task_id)]
    assert "ProgressNoted" not in kinds


def test_a_cookie_copied_before_sign_out_works_until_then(app, as_role):
    browser = as_role("canbovp")
    copy = _replay(app, browser.client.get_cookie(COOKIE).value)
    assert copy.get("/overview").status_code == 200


@pytest.mark.parametrize("by", ["cli", "web"])
def test_a_session_from_before_a_deactivation_stays_dead_after_reactivation(
        app, database_url, as_role, by):
    browser = as_role("canbovp")
    if by == "cli":
        nhiemvu = cli_on(database_url)
        assert nhiemvu("user", "deactivate", "canbovp", "--reason", "Nghỉ").exit_code == 0
        assert nhiemvu("user", "reactivate", "canbovp", "--reason", "Về").exit_code == 0
    else:
        admin = as_role("quantri")
        assert admin.post("/admin/users/canbovp/deactivate",
                          {"reason": "Nghỉ"}, page="/admin/users").status_code == 303
        assert admin.post("/admin/users/canbovp/reactivate",
                          {"reason": "Về"}, page="/admin/users").status_code == 303

    assert browser.get("/overview").status_code == 302
    assert browser.get("/overview").headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("change", [(("deactivate", "canbovp", "--reason", "Nghỉ"), None),
                                    (("password", "canbovp"), "mật khẩu mới dài 12\n")])
def test_a_change_to_the_account_elsewhere_ends_the_session_at_the_next_click(
        app, database_url, as_role, change):
    # The person's record is kept between requests (web/reads.py): another process's
    # change to it must still count on the very next page.
    browser = as_role("canbovp")
    assert browser.get("/overview").status_code == 200
    assert browser.get("/tasks/").status_code == 200
    args, typed = change
    assert cli_on(database_url)("user", *args, input=typed).exit_code == 0
    assert browser.get("/overview").status_code == 302


def test_a_fresh_sign_in_after_reactivation_works(app, database_url, as_role):
    as_role("canbovp")
    nhiemvu = cli_on(database_url)
    assert nhiemvu("user", "deactivate", "canbovp", "--reason", "Nghỉ").exit_code == 0
    assert nhiemvu("user", "reactivate", "canbovp", "--reason", "Về").exit_code == 0

    again = as_role("canbovp")

    assert again.get("/overview").status_code == 200
    assert "Người canbovp" in again.get("/overview").text


def test_a_session_cookie_from_before_server_sessions_signs_nobody_in(app, seeded):
    # The old cookie carried "username|fingerprint"; no row answers to it.
    browser = Browser(app.test_client())
    with browser.client.session_transaction() as session:
        session["_user_id"] = "canbovp|0123456789abcdef"
    assert browser.get("/overview").status_code == 302


def _hours_later(monkeypatch, start: int, hours: float) -> None:
    """The cookie signer's clock (itsdangerous) ``hours`` after ``start``; the server's
    session rows keep their own (their seven-day cap is not reached here)."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: start + int(hours * 3600))


def test_a_page_opened_renews_the_cookie_for_eight_more_hours(app, as_role, monkeypatch):
    browser = as_role("canbovp")
    signed = int(time.time())
    _hours_later(monkeypatch, signed, 7.9)
    assert browser.get("/overview").status_code == 200
    _hours_later(monkeypatch, signed, 15.8)
    assert browser.get("/overview").status_code == 200
    _hours_later(monkeypatch, signed, 23.8)
    expired = browser.get("/overview")
    assert expired.status_code == 302
    assert expired.headers["Location"].startswith("/sign-in")


def test_the_alert_badge_polling_alone_does_not_keep_a_session_alive(app, as_role,
                                                                    monkeypatch):
    """An open tab polls the badge every minute: left alone, it is signed out eight
    hours after the last page the person opened (the poll then answers nothing, so
    what is being typed stays; the next click goes to sign-in)."""
    browser = as_role("canbovp")
    signed = int(time.time())
    for hours in (2, 4, 6, 7.9):
        _hours_later(monkeypatch, signed, hours)
        assert browser.get("/alerts/badge", htmx=True).status_code == 200
    _hours_later(monkeypatch, signed, 8.05)
    assert browser.get("/alerts/badge", htmx=True).status_code == 204
    expired = browser.get("/overview")
    assert expired.status_code == 302
    assert expired.headers["Location"].startswith("/sign-in")
