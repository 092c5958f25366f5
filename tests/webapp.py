"""Fixtures and helpers for the web tests: an app on an empty store, seeded by commands.

Imported with ``from tests.webapp import *`` so pytest sees the fixtures; CSRF stays
on, so every POST carries the token read from the page, as a browser would. The
people are ``tests.commune.WEB_PEOPLE``, all with ``PASSWORD``.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.commune import PASSWORD, WEB_PEOPLE, build
from web import create_app, storage
from workflow.clock import LOCAL_TZ

__all__ = ["PASSWORD", "Browser", "app", "as_role", "client", "other_worker", "quarter",
           "seed", "seeded", "task_id", "token", "upload", "vn"]

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def worker(database_url, clock, tmp_path):
    """An app on the test store, as one process of ``serve --workers`` is: a second
    one made later keeps nothing the first has kept."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "DATABASE_URL": database_url, "CLOCK": clock,
                       "INSTANCE_PATH": str(tmp_path / "instance")})


@pytest.fixture
def app(database_url, clock, tmp_path):
    app = worker(database_url, clock, tmp_path)
    yield app
    storage.close(app)


@pytest.fixture
def other_worker(app, database_url, clock, tmp_path):
    """A second app on the same store, as another process of ``serve --workers``."""
    other = worker(database_url, clock, tmp_path)
    yield other
    storage.close(other)


def fresh_pages(database_url, clock, tmp_path, username: str, urls: list[str],
                language: str | None = None) -> list[str]:
    """``urls`` as a worker that has kept nothing renders them for ``username``."""
    fresh = worker(database_url, clock, tmp_path)
    try:
        browser = Browser(fresh.test_client())
        assert browser.sign_in(username).status_code == 303
        if language:
            browser.get(f"/lang/{language}?next=/overview")
        return [browser.get(url).text for url in urls]
    finally:
        storage.close(fresh)


def seed(svc) -> None:
    """Units VP and YT, ``WEB_PEOPLE``, the seed plan."""
    build(svc, WEB_PEOPLE, units=("VP", "YT"))


@pytest.fixture
def seeded(app):
    """The app's store, seeded (see ``seed``); returns the service."""
    with app.app_context():
        svc = storage.service()
        seed(svc)
        return svc


@pytest.fixture
def task_id(app, seeded):
    """A task of unit VP, linked to target CT02, due 31/03/2025."""
    with app.app_context():
        return seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 31),
                                  title="Số hóa hồ sơ công việc", target="CT02",
                                  plan="KH-CDS-2025", description="Mẫu: dữ liệu thử")


def vn(*parts: int) -> datetime:
    """An instant given in Vietnam time, as the app stores it (UTC)."""
    return datetime(*parts, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def quarter(app, seeded, clock):
    """The first quarter played, the clock at 02/04/2025 09:00 in Vietnam."""
    with app.app_context():
        svc = seeded
        done = svc.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 31),
                               title="Số hóa hồ sơ công việc", target="CT02",
                               plan="KH-CDS-2025")
        late = svc.assign_task("lanhdao", unit="YT", deadline=date(2025, 3, 10),
                               title="Tập huấn kỹ năng số cho cán bộ y tế")
        svc.start_task("truongvp", done)
        svc.start_task("truongyt", late)
        clock.moment = vn(2025, 3, 10, 15, 0)
        svc.submit_report("truongvp", done, "Đã số hóa 65 % hồ sơ", value="65")
        clock.moment = vn(2025, 3, 12, 10, 0)
        svc.verify_task("lanhdao", done, "Đạt")
    clock.moment = vn(2025, 4, 2, 9, 0)
    return {"done": done, "late": late}


def events_of(app, task_id) -> list:
    """The task's recorded events, read through the service."""
    with app.app_context():
        return storage.service().history(task_id)


def post_action(browser, task_id, action, data=None, htmx=False, **kwargs):
    """Post one of the task page's forms, with the page's CSRF token."""
    return browser.post(f"/tasks/{task_id}/{action}", data or {},
                        page=f"/tasks/{task_id}", htmx=htmx, **kwargs)


def upload(content: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(content), filename=name)


class Browser:
    """A test client that signs in and posts forms with the page's CSRF token."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def sign_in(self, username: str, password: str = PASSWORD):
        page = self.client.get("/sign-in")
        return self.client.post("/sign-in", data={
            "username": username, "password": password, "csrf_token": token(page.text)})

    def get(self, url: str, htmx: bool = False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url: str, data: dict | None = None, *, page: str | None = None,
             htmx: bool = False, multipart: bool = False, **kwargs):
        """POST as the form on ``page`` (default: ``url`` itself) would, token included."""
        form_page = self.client.get(page or url)
        data = {"csrf_token": token(form_page.text), **(data or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        if multipart:
            # Encoded here, in memory: the test client would spill big bodies to a
            # temporary file that it never closes.
            boundary, body = encode_multipart(MultiDict(data))
            return self.client.post(url, data=body, headers=headers,
                                    content_type=f"multipart/form-data; boundary={boundary}")
        return self.client.post(url, data=data, headers=headers, **kwargs)


@pytest.fixture
def client(app) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def as_role(app, seeded):
    """``as_role("truongvp")`` → a Browser signed in as that person."""
    def sign_in(username: str) -> Browser:
        browser = Browser(app.test_client())
        response = browser.sign_in(username)
        assert response.status_code == 303, response.text
        return browser
    return sign_in
