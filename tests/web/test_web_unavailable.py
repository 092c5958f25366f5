"""The database goes away: pages answer 503 with Retry-After, then recover on their own.

The real PostgreSQL sits behind a forwarder the test switches off and on again; the
app is never restarted.
"""

from __future__ import annotations

import time

import pytest

from tests.webapp import PASSWORD, Browser, seed, token
from web import create_app, storage

UNAVAILABLE = "Không kết nối được cơ sở dữ liệu."


@pytest.fixture
def app(forwarder, clock, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": forwarder.url, "CLOCK": clock,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        seed(storage.service())
    yield app
    storage.close(app)


def _poll(ask, until, seconds: float) -> list:
    """Ask until the answer satisfies ``until`` (or fail at the deadline); every answer."""
    answers = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answers.append(ask())
        if until(answers[-1]):
            return answers
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting; answers: {sorted(set(answers))}")


def _sign_in_form(app) -> tuple[Browser, dict[str, str]]:
    """A browser on the sign-in page, and what it would post."""
    browser = Browser(app.test_client())
    page = browser.get("/sign-in")
    assert page.status_code == 200
    return browser, {"username": "truongvp", "password": PASSWORD,
                     "csrf_token": token(page.text)}


def _signed_in(app) -> Browser:
    browser = Browser(app.test_client())
    assert browser.sign_in("truongvp").status_code == 303
    return browser


def _assert_unavailable(response, *, fragment: bool = False) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert UNAVAILABLE in response.text
    assert ("<html" in response.text) is not fragment


def test_while_the_database_is_away_sign_in_answers_503_with_retry_after(app, forwarder):
    signing_in, form = _sign_in_form(app)
    forwarder.stop()

    _assert_unavailable(Browser(app.test_client()).get("/sign-in"))
    _assert_unavailable(signing_in.client.post("/sign-in", data=form))


def test_while_the_database_is_away_an_htmx_request_gets_a_fragment_saying_so(
        app, forwarder):
    browser = _signed_in(app)
    forwarder.stop()

    response = browser.get("/tasks/?q=so", htmx=True)

    _assert_unavailable(response, fragment=True)
    assert response.headers["HX-Retarget"] == "#main"


def test_while_the_database_is_away_the_badge_poll_leaves_the_page_alone(app, forwarder):
    browser = _signed_in(app)
    forwarder.stop()

    response = browser.get("/alerts/badge", htmx=True)

    assert response.status_code == 503
    assert response.headers["HX-Reswap"] == "none"


def test_when_the_database_is_back_the_same_requests_succeed_without_a_restart(
        app, forwarder):
    signing_in, form = _sign_in_form(app)
    browser = _signed_in(app)
    forwarder.stop()
    assert Browser(app.test_client()).get("/sign-in").status_code == 503
    assert browser.get("/tasks/?q=so", htmx=True).status_code == 503

    forwarder.start()

    assert Browser(app.test_client()).get("/sign-in").status_code == 200
    assert signing_in.client.post("/sign-in", data=form).status_code == 303
    assert browser.get("/tasks/?q=so", htmx=True).status_code == 200


def test_a_store_that_could_not_open_opens_on_a_later_request(forwarder, clock, tmp_path):
    forwarder.stop()
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": forwarder.url, "CLOCK": clock,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    try:
        _assert_unavailable(Browser(app.test_client()).get("/sign-in"))
        forwarder.start()
        # A failed open is tried again a few seconds later (storage.RETRY_SECONDS);
        # meanwhile requests fail fast, still with 503.
        statuses = _poll(lambda: Browser(app.test_client()).get("/sign-in").status_code,
                         until=lambda status: status == 200, seconds=30)
        assert set(statuses[:-1]) <= {503}
    finally:
        storage.close(app)
