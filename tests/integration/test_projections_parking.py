"""A read model that meets an event it cannot apply parks it and goes on.

One bad event must not stop that read model, the others, or the commands whose
catch-up meets it; ``retry`` applies parked events again once the cause is fixed.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from events import queries
from events.readmodels import tables
from events.readmodels.board import TaskBoard
from tests.readmodels import assign, commune, digest, report
from workflow.task import Task


@pytest.fixture
def broken_board(monkeypatch):
    """The task board made to fail on one progress note (the note's text says so)."""
    applies = TaskBoard._on_ProgressNoted

    def failing(self, row, event, data):
        if data["text"] == "hỏng":
            raise RuntimeError("the board cannot apply this note")
        applies(self, row, event, data)

    monkeypatch.setattr(TaskBoard, "_on_ProgressNoted", failing)
    return monkeypatch


def positions(store) -> dict[str, int]:
    return {s["name"]: s["position"] for s in store.projections.status()}


def board_row(store, task_id: str) -> dict:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(tables.tasks).where(
            tables.tasks.c.id == task_id.replace("-", ""))).mappings().one())


def test_an_event_one_projection_cannot_apply_is_parked_and_every_view_reaches_the_head(
        store, broken_board):
    commune(store)
    task_id = assign(store)
    store.service.start_task("head_vp", task_id)
    store.service.note_progress("head_vp", task_id, "hỏng", percent=40)  # succeeds
    assert not store.service.views_lag()
    store.service.note_progress("head_vp", task_id, "Tiếp tục", percent=60)
    head = store.projections.head()

    assert set(positions(store).values()) == {head}
    [parked] = store.projections.parked()
    assert parked["projection"] == "tasks"
    assert parked["position"] == head - 1
    assert parked["topic"] == "nhiemvu.task.ProgressNoted"
    assert parked["error"] == "RuntimeError: the board cannot apply this note"
    assert {s["name"]: s["parked"] for s in store.projections.status()}["tasks"] == 1
    # The board went on with the next note; the audit log has both.
    assert board_row(store, task_id)["percent"] == 60
    with store.engine.connect() as conn:
        audited = conn.execute(select(tables.audit.c.position)).scalars().all()
    assert head - 1 in audited and head in audited


def test_retry_after_the_fix_applies_parked_events_in_their_place(store, broken_board):
    commune(store)
    task_id = assign(store)
    store.service.start_task("head_vp", task_id)
    store.service.note_progress("head_vp", task_id, "hỏng", percent=40)
    assert board_row(store, task_id)["percent"] is None
    still = store.projections.retry()
    assert still == {"tasks": 1}  # not fixed yet: parked again, views unchanged
    assert len(store.projections.parked()) == 1

    broken_board.undo()  # the fix
    assert store.projections.retry("tasks") == {"tasks": 0}
    assert store.projections.parked() == []
    assert board_row(store, task_id)["percent"] == 40
    fixed = digest(store)
    store.projections.rebuild()
    assert digest(store) == fixed


def test_an_event_that_no_longer_decodes_is_parked_by_each_view_that_reads_it(store):
    commune(store)
    task_id = assign(store)
    report(store, task_id)
    events = store.service.recorder.events_record_cls.__table__
    with store.engine.begin() as conn:
        damaged = conn.execute(select(events.c.id).where(
            events.c.topic == "nhiemvu.task.WorkStarted")).scalar_one()
        conn.execute(update(events).where(events.c.id == damaged).values(state=b"{not json"))
    store.projections.rebuild()

    head = store.projections.head()
    assert set(positions(store).values()) == {head}
    parked = store.projections.parked()
    readers = sorted(p.name for p in store.projections.all if "task" in p.areas)
    assert sorted(p["projection"] for p in parked) == readers
    assert {p["position"] for p in parked} == {damaged}
    # The views are full, not empty: the task is on the board as reported.
    assert board_row(store, task_id)["state"] == "reported"


def test_a_deadline_stored_before_dates_were_bounded_is_applied_by_every_view(store):
    """A deadline of 9999-12-28 (a typo stored by an earlier version, whose checks
    allowed it) once overflowed the alert schedule and stopped every view."""
    commune(store)
    lead = store.service.actor("lead")
    task = Task(actor=lead.username, title="Năm gõ nhầm", description="", unit="VP",
                plan=None, target=None, deadline=date(9999, 12, 28))
    store.service.save(task)
    assert not store.service.views_lag()
    assert store.projections.parked() == []
    assert set(positions(store).values()) == {store.projections.head()}
    assert board_row(store, str(task.id))["deadline"] == date(9999, 12, 28)
    store.service.start_task("head_vp", task.id)  # and commands go on as before
    assert board_row(store, str(task.id))["state"] == "in_progress"


def test_text_the_database_refuses_is_parked_only_where_it_is_refused(store):
    """PostgreSQL stores no NUL in text columns. A title holding one (stored before text
    was checked) is parked by the views that copy the title into a column, and applied
    by the rest; the audit log keeps events as JSON, where a NUL is escaped, so it
    applies that event and a note holding a NUL as well."""
    commune(store)
    task = Task(actor="lead", title="a\x00b", description="", unit="VP", plan=None,
                target=None, deadline=date(2025, 3, 31))
    store.service.save(task)
    titled = store.projections.head()
    store.service.start_task("head_vp", task.id)
    noted = store.service.get_task(task.id)
    noted._progress_noted(actor="head_vp", text="c\x00d", percent=10, value=None,
                          evidence=[])
    store.service.save(noted)
    head = store.projections.head()
    assert set(positions(store).values()) == {head}
    parked = store.projections.parked()
    if store.is_postgres:
        assert parked and {p["position"] for p in parked} == {titled}
        assert all("DataError" in p["error"] for p in parked)
        assert "audit" not in {p["projection"] for p in parked}
    else:
        assert parked == []
    history = queries.task_history(store, task.id)
    assert [e["type"] for e in history] == ["TaskAssigned", "WorkStarted", "ProgressNoted"]
    assert history[-1]["data"]["text"] == "c\x00d"


def test_a_command_whose_catch_up_fails_is_still_done_and_says_the_views_lag(store):
    commune(store)
    task_id = assign(store)
    with store.engine.begin() as conn:  # the read models' bookkeeping gone from under them
        tables.positions.drop(conn)
    store.service.start_task("head_vp", task_id)  # no exception: the event is committed
    assert store.service.views_lag()
    assert store.service.get_task(task_id).state == "in_progress"
    store.projections.create_tables()  # the operator's repair: positions back, then
    store.projections.rebuild()         # the views rebuilt beside the live ones
    assert store.projections.parked() == []
    store.service.note_progress("head_vp", task_id, "Đã bắt đầu")
    assert not store.service.views_lag()
    assert set(positions(store).values()) == {store.projections.head()}
    assert board_row(store, task_id)["state"] == "in_progress"


def test_a_rebuild_that_fails_leaves_the_live_views_as_they_were(store, monkeypatch):
    """A fault of the database (here: the connection lost while the shadow fills) is
    not parked: the rebuild stops, and the views people see are untouched."""
    from sqlalchemy.exc import OperationalError

    commune(store)
    task_id = assign(store)
    store.service.start_task("head_vp", task_id)
    store.service.note_progress("head_vp", task_id, "Tiến độ", percent=30)
    before, at = digest(store), positions(store)

    def connection_lost(self, row, event, data):
        raise OperationalError("UPDATE rm_task …", {}, ConnectionError("server closed"))

    monkeypatch.setattr(TaskBoard, "_on_ProgressNoted", connection_lost)
    with pytest.raises(OperationalError):
        store.projections.rebuild()
    assert digest(store) == before and positions(store) == at
    assert store.projections.parked() == []
    monkeypatch.undo()
    store.projections.rebuild()
    assert digest(store) == before
