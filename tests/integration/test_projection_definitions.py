"""A read model computed under other settings or older code is rebuilt on opening.

Each projection records what its rows were computed with (``definition()``); the
alert schedule's includes the ``NHIEMVU_ALERT_*`` days. Opening a store whose
recorded definition differs rebuilds that projection, and only that one.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select, text, update

from events import queries
from events.queries.as_of import as_of
from events.readmodels import alert_tables, tables
from events.system import System
from tests.readmodels import assign, commune

S = alert_tables.schedule


def next_alert(store, task_id: str) -> date | None:
    key = task_id.replace("-", "")
    with store.engine.connect() as conn:
        return conn.execute(select(S.c.next_alert_on).where(S.c.task_id == key)).scalar_one()


def definition(store, name: str) -> str:
    D = tables.definitions
    with store.engine.connect() as conn:
        return conn.execute(select(D.c.definition).where(D.c.name == name)).scalar_one()


def test_changing_the_alert_days_rebuilds_the_schedule_when_the_store_is_next_opened(
        database_url, clock, monkeypatch, caplog):
    with System(database_url, clock=clock) as store:  # today 01/03/2025
        commune(store)
        task_id = assign(store, deadline=date(2025, 3, 31))
        assert next_alert(store, task_id) == date(2025, 3, 24)  # 7 days before
        before = definition(store, "alert_schedule")
    monkeypatch.setenv("NHIEMVU_ALERT_APPROACHING_DAYS", "14,2")
    with caplog.at_level(logging.WARNING), System(database_url, clock=clock) as store:
        assert next_alert(store, task_id) == date(2025, 3, 17)  # 14 days before
        assert definition(store, "alert_schedule") != before
        assert "approaching=14,2" in definition(store, "alert_schedule")
    assert "alert_schedule" in caplog.text and "rebuilding" in caplog.text


def test_unchanged_definitions_leave_every_read_model_as_it_is(database_url, clock, caplog):
    with System(database_url, clock=clock) as store:
        commune(store)
        task_id = assign(store, deadline=date(2025, 3, 31))
        # A mark no replay would write: it survives only if nothing is rebuilt.
        with store.engine.begin() as conn:
            conn.execute(update(S).values(title="dấu kiểm tra"))
            conn.execute(update(tables.tasks).values(title="dấu kiểm tra"))
    with caplog.at_level(logging.WARNING), System(database_url, clock=clock) as store:
        with store.engine.connect() as conn:
            assert conn.execute(select(S.c.title)).scalar_one() == "dấu kiểm tra"
            assert conn.execute(select(tables.tasks.c.title)).scalar_one() == "dấu kiểm tra"
        assert next_alert(store, task_id) == date(2025, 3, 24)
    assert "rebuilding" not in caplog.text


def test_rows_written_by_an_older_version_of_a_projection_are_rebuilt(database_url, clock):
    with System(database_url, clock=clock) as store:
        commune(store)
        assign(store, title="Số hóa hồ sơ")
        with store.engine.begin() as conn:
            conn.execute(update(tables.tasks).values(title="viết bởi mã cũ"))
            conn.execute(update(S).values(title="viết bởi mã cũ"))
            # As if the board's rows had been written by a version 0 of its code.
            conn.execute(text("UPDATE rm_projection_definition SET definition = 'v0' "
                              "WHERE name = 'tasks'"))
    with System(database_url, clock=clock) as store:
        with store.engine.connect() as conn:
            assert conn.execute(select(tables.tasks.c.title)).scalar_one() == "Số hóa hồ sơ"
            # Only the stale projection was rebuilt.
            assert conn.execute(select(S.c.title)).scalar_one() == "viết bởi mã cũ"
        assert definition(store, "tasks") == f"v{store.projections.by_name['tasks'].version}"
        status = {s["name"]: s for s in store.projections.status()}
        assert status["tasks"]["behind"] == 0 and status["tasks"]["rows"] == 1


def test_a_store_whose_board_lacks_a_column_of_a_new_index_is_rebuilt_on_opening(
        database_url, clock):
    # As a store written before the board kept each row's position: no column, no
    # index on it, an older definition. Opening it must rebuild, not fail on the index.
    with System(database_url, clock=clock) as store:
        commune(store)
        assign(store, title="Số hóa hồ sơ")
        instant = clock.moment
        with store.engine.begin() as conn:
            conn.execute(text("DROP INDEX rm_task_by_position"))
            conn.execute(text("ALTER TABLE rm_task DROP COLUMN position"))
            conn.execute(text("UPDATE rm_projection_definition SET definition = 'v1' "
                              "WHERE name = 'tasks'"))
    clock.advance(minutes=1)
    with System(database_url, clock=clock) as store:
        assert definition(store, "tasks") == f"v{store.projections.by_name['tasks'].version}"
        with as_of(store, instant) as past:
            assert [r["title"] for r in queries.board(past).rows] == ["Số hóa hồ sơ"]
