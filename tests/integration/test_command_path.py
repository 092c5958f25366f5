"""The command path keeps records in memory; it never acts on a stale one.

Each ``System`` stands for one process: two of them on one database are two web
workers (or two hosts). Records kept between commands (the person acting, the task)
and the rows a read model wrote last are trusted only while nobody else changed
them; these tests change them from the other process, then act.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import event, insert

from events import queries
from events.readmodels import tables
from events.readmodels.bulk import execute_many
from events.sql import compiled
from events.system import System
from tests.readmodels import assign, commune, digest, statements_sent
from workflow.errors import DomainError


@pytest.fixture
def two(database_url, clock):
    with System(database_url, clock=clock) as first, \
            System(database_url, clock=clock) as second:
        commune(first)
        yield first, second


def test_a_person_deactivated_in_another_process_is_refused_on_their_next_command(two):
    here, there = two
    task = assign(here)
    here.service.start_task("head_vp", task)  # head_vp is now kept in memory here

    there.service.deactivate_user("head_vp", "Nghỉ việc")

    with pytest.raises(DomainError) as refused:
        here.service.note_progress("head_vp", task, "Vẫn làm")
    assert refused.value.code == "user_inactive"
    assert [e.__class__.__name__ for e in here.service.history(task)][-1] == "WorkStarted"


def test_a_role_changed_in_another_process_is_checked_anew_on_the_next_command(two):
    here, there = two
    task = assign(here)
    here.service.start_task("head_vp", task)
    here.service.submit_report("head_vp", task, "Xong")
    with pytest.raises(DomainError) as refused:  # a member may not verify
        here.service.verify_task("member_vp", task)
    assert refused.value.code == "permission_denied"

    there.service.grant_role("member_vp", "leader", None, "Được bổ nhiệm")

    here.service.verify_task("member_vp", task)  # a leader now, as the other process said
    assert here.service.get_task(task).state == "verified"


def test_a_task_changed_in_another_process_is_acted_on_as_it_is_now(two):
    here, there = two
    task = assign(here)
    here.service.start_task("head_vp", task)  # the task is kept in memory here

    there.service.submit_report("head_vp", task, "Xong ở nơi khác")

    with pytest.raises(DomainError) as refused:  # reported now: not reported again
        here.service.submit_report("head_vp", task, "Xong ở đây")
    assert refused.value.code not in ("concurrent_change", "record_damaged")
    here.service.verify_task("lead", task)
    assert here.service.get_task(task).version == there.service.get_task(task).version == 4


def test_the_person_and_the_task_kept_are_brought_up_to_date_by_one_read(two):
    """Both kept in memory: one query reads what came after each, and what another
    process changed in them is seen on the next command."""
    here, there = two
    task = assign(here)
    here.service.start_task("head_vp", task)  # both kept here now
    here.service.submit_report("head_vp", task, "Xong")
    there.service.return_task("lead", task, "Thiếu minh chứng")
    there.service.set_password("head_vp", "mat-khau-moi-2")
    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        if statement.lstrip().startswith("SELECT") and "nhiemvu_events" in statement:
            reads.append(statement)

    event.listen(here.engine, "before_cursor_execute", seen)
    try:
        # Returned there: reported again here, as the task now is.
        here.service.submit_report("head_vp", task, "Bổ sung minh chứng")
    finally:
        event.remove(here.engine, "before_cursor_execute", seen)
    assert len(reads) == 1
    assert "UNION ALL" in reads[0]
    assert here.service.get_task(task).version == there.service.get_task(task).version == 5
    assert here.service.get_user("head_vp").version == there.service.get_user("head_vp").version


def test_a_command_on_records_nobody_else_changed_reads_nothing_first(two):
    """The person and the task kept in memory, unchanged in the store: the command
    reads neither the log nor the read models' positions; its insert checks both
    records are as kept and returns the positions."""
    here, _ = two
    task = assign(here)
    here.service.start_task("head_vp", task)  # both kept here now
    sent = statements_sent(here.engine, lambda: here.service.note_progress(
        "head_vp", task, "Một nửa", percent=50))
    reads = [sql for sql in sent if sql.lstrip().startswith("SELECT")]
    assert reads == []
    inserts = [sql for sql in sent if sql.startswith("INSERT INTO nhiemvu_events")]
    assert len(inserts) == 1
    assert "EXISTS" in inserts[0] and "rm_projection" in inserts[0]
    assert here.service.get_task(task).percent == 50
    assert {s["position"] for s in here.projections.status()} == {here.projections.head()}


def test_a_command_the_kept_task_would_refuse_is_decided_on_the_task_as_stored(two):
    """Kept here: in progress, which may not be verified. Reported in another
    process: the verification is refused on what was kept, then decided again on
    the task as the store holds it, and recorded once."""
    here, there = two
    task = assign(here)
    here.service.start_task("head_vp", task)
    here.service.get_user("lead")  # the leader kept here too
    there.service.submit_report("head_vp", task, "Xong ở nơi khác")

    here.service.verify_task("lead", task, "Đạt")

    kinds = [e.__class__.__name__ for e in there.service.history(task)]
    assert kinds[-2:] == ["ReportSubmitted", "ReportVerified"]
    assert kinds.count("ReportVerified") == 1
    assert queries.board(here, state="verified").rows[0]["id"] == task


def test_a_trusted_insert_finding_a_record_changed_writes_nothing_and_runs_again(two):
    """The note trusted the task as kept; another process noted on it meanwhile. The
    first insert writes nothing (no gap in the log, nothing parked), the command is
    run again on the task as stored, and both notes stand, in order."""
    here, there = two
    task = assign(here)
    here.service.start_task("head_vp", task)
    there.service.note_progress("head_vp", task, "Ở nơi khác", percent=30)
    head = here.projections.head()
    sent = statements_sent(here.engine, lambda: here.service.note_progress(
        "head_vp", task, "Ở đây", percent=60))
    assert len([sql for sql in sent if sql.startswith("INSERT INTO nhiemvu_events")]) == 2
    assert here.projections.head() == head + 1
    notes = [e.text for e in there.service.history(task) if hasattr(e, "text")]
    assert notes[-2:] == ["Ở nơi khác", "Ở đây"]
    assert here.service.get_task(task).percent == 60
    assert here.projections.parked() == []
    kept = digest(here)
    here.projections.rebuild()
    assert digest(here) == kept


def test_several_processes_writing_at_once_leave_the_read_models_a_clean_rebuild_makes(
        database_url, clock):
    with System(database_url, clock=clock) as setup:
        commune(setup)
        tasks = [assign(setup, f"Nhiệm vụ {n}", unit=("VP", "YT")[n % 2]) for n in range(8)]
    errors: list[BaseException] = []

    def worker(mine: list[str]) -> None:
        # Its own System, as a separate worker process would have.
        with System(database_url, clock=clock) as store:
            try:
                for task in mine:
                    head = "head_vp" if tasks.index(task) % 2 == 0 else "head_yt"
                    store.service.start_task(head, task)
                    store.service.note_progress(head, task, "Đang làm", percent=40)
                    store.service.submit_report(head, task, "Xong")
                    if tasks.index(task) % 3:
                        store.service.return_task("lead", task, "Thiếu minh chứng")
                    else:
                        store.service.verify_task("lead2", task)
                store.service.assign_task("lead", unit="VP", deadline=clock().date(),
                                          title="Giao thêm")
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(tasks[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors

    with System(database_url, clock=clock) as store:
        store.projections.catch_up()
        kept = digest(store)
        assert store.projections.parked() == []
        store.projections.rebuild()
        assert digest(store) == kept


def test_a_command_commits_once_its_facts_and_their_views_together(store):
    """The read models are brought up to date inside the transaction that records the
    command's event: one commit, and no moment when the fact is stored without them."""
    commune(store)
    task = assign(store)
    commits: list[str] = []
    for name, engine in (("log", store.engine), ("views", store.projections.engine)):
        event.listen(engine, "commit", lambda _conn, name=name: commits.append(name))

    def sent(sql: str, _params, _many) -> None:
        # On PostgreSQL the event store's transaction sends its own BEGIN and COMMIT
        # (``compiled.transaction``): SQLAlchemy's commit is not the one that counts.
        if sql == "COMMIT":
            commits.append("log")

    compiled.listeners.append(sent)
    try:
        store.service.start_task("head_vp", task)
    finally:
        compiled.listeners.remove(sent)
    assert commits == ["log"]
    status = store.projections.status()
    assert {s["position"] for s in status} == {store.projections.head()}
    assert store.projections.parked() == []


def test_views_that_cannot_be_written_with_the_command_are_caught_up_after_it(
        store, monkeypatch):
    """A failure inside the command's own batch: the event is written again alone and
    stands, and the catch-up after the save applies it on its own."""
    commune(store)
    task = assign(store)
    board = store.projections.by_name["tasks"]
    calls = []
    real_apply = type(board).apply

    def fails_once(self, conn, events):
        calls.append([e.type for e in events])
        if len(calls) == 1:
            raise RuntimeError("not now")
        real_apply(self, conn, events)

    monkeypatch.setattr(type(board), "apply", fails_once)
    store.service.start_task("head_vp", task)
    assert calls == [["WorkStarted"], ["WorkStarted"]]
    assert not store.service.views_lag()
    assert store.projections.parked() == []
    assert queries.board(store, state="in_progress").rows[0]["id"] == task
    assert {s["position"] for s in store.projections.status()} == {store.projections.head()}


def test_a_view_write_the_database_refuses_leaves_the_event_recorded_once_and_caught_up(
        store, monkeypatch):
    """A write of the command's batch that the database refuses (on PostgreSQL told
    only by the commit, its writes being queued): the event is written again alone,
    once, and the catch-up after the save applies it."""
    commune(store)
    task = assign(store)
    refused = _board_write_refused_once(store, monkeypatch)
    store.service.start_task("head_vp", task)
    assert len(refused) == 1
    assert store.service.get_task(task).state == "in_progress"
    started = [e for e in queries.audit_log(store, task=task).rows if e["type"] == "WorkStarted"]
    assert len(started) == 1
    assert not store.service.views_lag()
    assert store.projections.parked() == []
    assert queries.board(store, state="in_progress").rows[0]["id"] == task
    assert {s["position"] for s in store.projections.status()} == {store.projections.head()}
    kept = digest(store)
    store.projections.rebuild()
    assert digest(store) == kept


def test_a_note_writes_back_only_the_board_columns_it_changed(store):
    """SQLite rewrites the entries of every index over a column an UPDATE sets,
    changed or not: a note must not set the state, unit or deadline of its task."""
    commune(store)
    task = assign(store)
    store.service.start_task("head_vp", task)
    sent: list[str] = []

    def seen(sql, params, many):
        sent.append(sql)

    compiled.listeners.append(seen)
    try:
        store.service.note_progress("head_vp", task, "Một nửa", percent=50)
    finally:
        compiled.listeners.remove(seen)
    # On PostgreSQL a part of the command's one statement of writes.
    board = [part for sql in sent
             for part in re.findall(r"UPDATE rm_task SET .*? WHERE rm_task\.id", sql)]
    assert len(board) == 1
    assert "percent=" in board[0]
    assert not any(f" {column}=" in board[0] for column in ("state", "unit", "deadline"))
    row = queries.board(store, state="in_progress").rows[0]
    assert (row["id"], row["percent"]) == (task, 50)


@pytest.mark.postgres
def test_a_transaction_refused_on_postgresql_leaves_no_connection_inside_one(
        postgres_url, clock, monkeypatch):
    """On PostgreSQL the event store's transaction sends its own BEGIN and COMMIT
    (``compiled.transaction``). Refused by the database at the insert (a unit made
    twice), or by a view's write the commit reports, it is rolled back: no connection
    of the store is left idle in a transaction, the one connection the store uses is
    kept, back in the engine's own mode, and the next command is recorded as usual."""
    with System(postgres_url, clock=clock) as store:
        commune(store)
        backend = _backend(store)
        with pytest.raises(DomainError) as made_twice:
            store.service.add_unit("VP", "Văn phòng lần hai")
        assert made_twice.value.code == "unit_exists"
        task = assign(store)
        refused = _board_write_refused_once(store, monkeypatch)
        store.service.start_task("head_vp", task)  # recorded again without its views
        assert len(refused) == 1
        with store.engine.connect() as conn:
            left = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%%'").scalar()
            autocommit = conn.connection.driver_connection.autocommit
        assert left == 0
        assert autocommit is False
        assert _backend(store) == backend  # rolled back and kept, not thrown away
        store.service.note_progress("head_vp", task, "Tiếp tục", percent=40)
        assert store.service.get_task(task).percent == 40
        assert queries.board(store, state="in_progress").rows[0]["id"] == task
        assert {s["position"] for s in store.projections.status()} == {
            store.projections.head()}


def _backend(store: System) -> int:
    with store.engine.connect() as conn:
        return conn.connection.driver_connection.info.backend_pid


def _board_write_refused_once(store: System, monkeypatch) -> list[int]:
    """The board's next batch also writes a key already taken: refused by the database,
    not by Python (on PostgreSQL told only by the commit, its writes being queued).
    Returns the positions of the batches refused (one, once it has run)."""
    board = store.projections.by_name["tasks"]
    real_apply = type(board).apply
    refused: list[int] = []

    def refused_once(self, conn, events):
        real_apply(self, conn, events)
        if not refused:
            refused.append(events[0].position)
            execute_many(conn, insert(tables.positions), [{"name": "tasks", "position": 0}])

    monkeypatch.setattr(type(board), "apply", refused_once)
    return refused
