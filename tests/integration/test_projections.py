"""The projection machinery: read your writes, rebuild, status, exactly once."""

from __future__ import annotations

from datetime import date

import pytest

from events import queries
from events.system import System
from tests.readmodels import assign, commune, digest, report


def test_a_command_returns_only_after_the_board_shows_it(store):
    commune(store)
    task_id = assign(store, "Tập huấn kỹ năng số")
    rows = queries.board(store).rows
    assert [(r["id"], r["state"], r["version"]) for r in rows] == [(task_id, "assigned", 1)]
    store.service.start_task("head_vp", task_id)
    assert queries.board(store).rows[0]["state"] == "in_progress"


def test_every_projection_reaches_the_head_of_the_log_after_a_command(store):
    commune(store)
    assign(store)
    status = store.projections.status()
    assert {s["name"] for s in status} == set(store.projections.names)
    assert all(s["position"] == s["head"] > 0 for s in status)


def test_rebuilding_all_projections_gives_the_same_tables(store):
    commune(store)
    first = assign(store, "Số hóa hồ sơ")
    report(store, first, value="55")
    store.service.verify_task("lead", first)
    second = assign(store, "Khám sức khỏe điện tử", unit="YT", target="CT10")
    store.service.reassign_task("lead", second, "VP", "Trạm Y tế quá tải")
    before = digest(store)
    store.projections.rebuild()
    assert digest(store) == before


def test_rebuilding_one_projection_leaves_the_others_alone(store):
    commune(store)
    assign(store)
    before = digest(store)
    store.projections.reset("tasks")
    assert queries.board(store).rows == []
    assert queries.units(store)  # organisation was not reset
    store.projections.rebuild("tasks")
    assert digest(store) == before


def test_catching_up_twice_applies_each_event_once(store):
    commune(store)
    assign(store)
    before = digest(store)
    assert store.projections.catch_up() == 0
    store.projections.reset()
    store.projections.catch_up()
    store.projections.catch_up()
    assert digest(store) == before
    assert len(queries.audit_log(store, limit=1000).rows) == store.projections.head()


def test_a_second_store_on_the_same_database_sees_the_first_ones_writes(store, clock):
    commune(store)
    with System(store.url, clock=clock) as other:
        task_id = assign(other, "Từ tiến trình khác")
        assert queries.board(store).rows[0]["id"] == task_id


def test_small_batches_give_the_same_tables_as_one_big_batch(store, clock):
    commune(store)
    for n in range(5):
        task_id = assign(store, f"Nhiệm vụ {n}", deadline=date(2025, 3, 10 + n))
        report(store, task_id)
    before = digest(store)
    with System(store.url, clock=clock) as other:
        other.projections.batch_size = 3
        other.projections.reset()
        other.projections.catch_up()
    assert digest(store) == before


def test_an_unknown_projection_name_is_refused(store):
    with pytest.raises(KeyError):
        store.projections.rebuild("nonsense")


def test_on_sqlite_the_event_stores_writes_keep_their_durability_after_a_catch_up(
        sqlite_url, clock):
    with System(sqlite_url, clock=clock) as store:
        with store.engine.connect() as conn:
            durable = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        commune(store)
        assign(store)  # each command's catch-up ran on the read models' connections
        store.projections.rebuild()  # on a connection of its own, then discarded
        assign(store, "Sau khi dựng lại")
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == durable == 2
        with store.projections.engine.connect() as conn:
            # What the read models' own connections are set to once, when opened:
            # atomic, not durable, commits; no scrubbing; a larger cache.
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
