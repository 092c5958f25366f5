"""Damaged stored data never crashes a page: the record and its position are named.

The data is made through commands, then damaged with SQL on the stored events table
behind the app's back (a bad restore, a hand edit), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import date
from uuid import UUID

import pytest
from sqlalchemy import select

from tests.conftest import cli_on
from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import Browser, token
from web import storage
from workflow.base import named_id
from workflow.errors import DomainError

DAMAGED = "Bản ghi bị hỏng"


def _events(app):
    with app.app_context():
        store = storage.store()
        return store.engine, store.service.recorder.events_record_cls.__table__


def _position(app, originator_id: UUID, version: int) -> int:
    engine, events = _events(app)
    with engine.connect() as conn:
        return conn.execute(select(events.c.id).where(
            events.c.originator_id == originator_id,
            events.c.originator_version == version)).scalar_one()


def damage(app, originator_id: UUID, how: str, version: int = 2) -> int:
    """Damage one stored event; returns the position the app should name."""
    engine, events = _events(app)
    row = (events.c.originator_id == originator_id) & (events.c.originator_version == version)
    if how == "version gap":
        named = _position(app, originator_id, version + 1)
        change = events.delete().where(row)
    else:
        named = _position(app, originator_id, version)
        if how == "bad json":
            values = {"state": b'{"actor": "truongvp", "timestamp": '}
        elif how == "unknown topic":
            values = {"topic": "nhiemvu.nowhere:Gone"}
        else:  # a topic that decodes, with a body its event class cannot apply
            first = (events.c.originator_id == originator_id) & (events.c.originator_version == 1)
            with engine.connect() as conn:
                values = {"topic": conn.execute(select(events.c.topic).where(first)).scalar_one()}
        change = events.update().where(row).values(**values)
    with engine.begin() as conn:
        assert conn.execute(change).rowcount == 1
    # As found by a process that opens the store after the damage: one that loaded
    # the record before keeps the copy it loaded (test_cached_copy_... below).
    with app.app_context():
        storage.store().service.forget_loaded()
    return named


@pytest.fixture
def worked_on(seeded, task_id):
    """The task, started and with a progress note: versions 1, 2, 3."""
    seeded.start_task("truongvp", task_id)
    seeded.note_progress("truongvp", task_id, "Đã họp thôn")
    return task_id


KINDS = ["version gap", "bad json", "unknown topic", "misfit body"]


@pytest.mark.parametrize("how", KINDS)
def test_a_damaged_task_page_names_the_record_and_its_position(
        app, as_role, worked_on, how, caplog):
    position = damage(app, worked_on, how)
    browser = as_role("truongvp")

    with caplog.at_level(logging.ERROR):
        response = browser.get(f"/tasks/{worked_on}")

    assert response.status_code == 409
    assert DAMAGED in response.text
    assert f"tại vị trí {position} trong bảng sự kiện" in response.text
    assert str(worked_on) in response.text
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"position {position}" in r.getMessage() for r in logged)


@pytest.mark.parametrize("how", KINDS)
def test_the_rest_of_the_app_keeps_working_beside_a_damaged_task(
        app, seeded, as_role, worked_on, how):
    damage(app, worked_on, how)
    with app.app_context():
        other = seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 4, 30),
                                   title="Nhiệm vụ lành")
    browser = as_role("truongvp")
    for url in ("/my-unit", "/overview", "/tasks/", f"/tasks/{other}", "/audit/", "/plan/",
                "/alerts/"):
        assert browser.get(url).status_code == 200, url


def test_acting_on_a_damaged_task_with_htmx_says_so_in_the_panel(app, as_role, worked_on):
    position = damage(app, worked_on, "bad json")
    browser = as_role("truongvp")
    page = browser.get("/my-unit").text

    response = browser.client.post(f"/tasks/{worked_on}/note", headers={"HX-Request": "true"},
                                   data={"csrf_token": token(page), "text": "Thêm"})

    assert response.status_code == 409
    assert f"tại vị trí {position}" in response.text
    assert response.headers["HX-Retarget"] == "#main"


@pytest.mark.parametrize("how", KINDS)
def test_task_show_on_the_command_line_names_the_damage_and_exits_1(
        app, database_url, worked_on, how):
    position = damage(app, worked_on, how)

    result = cli_on(database_url)("task", "show", str(worked_on))

    assert result.exit_code == 1
    assert DAMAGED in result.output
    assert f"tại vị trí {position} trong bảng sự kiện" in result.output


def test_a_damaged_account_is_signed_out_and_logged_while_others_work_on(
        app, as_role, task_id, caplog):
    damaged_session = as_role("canbovp")
    others = as_role("truongvp")
    damage(app, named_id("user", "canbovp"), "bad json", version=1)

    with caplog.at_level(logging.ERROR):
        response = damaged_session.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert any("canbovp" in r.getMessage() and r.levelno == logging.ERROR
               for r in caplog.records)
    assert Browser(app.test_client()).sign_in("canbovp").status_code == 401
    for url in ("/my-unit", "/overview", "/tasks/", f"/tasks/{task_id}", "/audit/"):
        assert others.get(url).status_code == 200, url


def test_a_record_loaded_before_it_was_damaged_is_kept_as_loaded_until_reopened(
        app, seeded, worked_on):
    assert seeded.get_task(worked_on).version == 3  # now kept in this process's memory
    engine, events = _events(app)
    row = (events.c.originator_id == worked_on) & (events.c.originator_version == 2)
    with engine.begin() as conn:
        conn.execute(events.update().where(row).values(state=b'{"actor": '))

    # The copy loaded before the damage is what the log said then; the seal's
    # verification is what finds the damage (test_seal.py).
    assert seeded.get_task(worked_on).version == 3
    seeded.forget_loaded()
    with pytest.raises(DomainError) as raised:
        seeded.get_task(worked_on)
    assert raised.value.code == "record_damaged"
