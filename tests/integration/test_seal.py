"""The seal read model: every stored record a leaf, kept beside the log, on both stores.

Its root is checked against a tree the test builds itself from the rows of the
events table; damage is made with SQL behind the app's back.
"""

from __future__ import annotations

import subprocess
import sys
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select, type_coerce, update
from sqlalchemy.types import NullType

from events.log import merkle
from events.log.records import record_of
from events.processes import sealing
from events.queries import seal as seal_queries
from events.readmodels import seal as seal_tables
from events.readmodels import tables
from events.system import System
from tests.readmodels import assign, commune, report
from workflow.errors import DomainError


def _events(store):
    return store.service.recorder.events_record_cls.__table__


def _rows(store):
    table = _events(store)
    with store.engine.connect() as conn:
        return conn.execute(select(table.c.id, type_coerce(table.c.originator_id, NullType()),
                                   table.c.originator_version, table.c.topic, table.c.state)
                            .order_by(table.c.id)).all()


def _root_of_rows(store) -> tuple[int, str]:
    """The tree of the stored rows, built here from scratch."""
    frontier = merkle.Frontier()
    for row in _rows(store):
        frontier.append(merkle.leaf_hash(record_of(row)))
    return frontier.size, frontier.root().hex()


def _busy(store) -> list[str]:
    commune(store)
    ids = [assign(store, f"Nhiệm vụ {n}") for n in range(4)]
    for task_id in ids[:2]:
        report(store, task_id)
    return ids


def test_the_seal_holds_every_stored_record_and_its_root_is_the_tree_of_the_log(store):
    _busy(store)
    head = store.projections.head()
    assert seal_queries.seal_size(store) == head == len(_rows(store))
    assert seal_queries.current_root(store) == _root_of_rows(store)
    result = seal_queries.verify(store)
    assert result["intact"] and result["size"] == head and result["checked"] == head
    assert result["root"] == _root_of_rows(store)[1]


def test_the_seal_is_kept_off_the_command_path_and_after_each_command(store):
    _busy(store)
    before = seal_queries.current_root(store)
    assign(store, "Một nhiệm vụ nữa")
    after = seal_queries.current_root(store)
    assert after[0] == before[0] + 1 and after == _root_of_rows(store)


def test_an_event_no_view_can_decode_is_sealed_all_the_same(store):
    _busy(store)
    table = _events(store)
    with store.engine.begin() as conn:  # a row written behind the app's back
        conn.execute(table.insert().values(
            originator_id=uuid4(), originator_version=1,
            topic="nhiemvu.task.TaskAssigned", state=b"{not json"))
    assign(store, "Sau bản ghi hỏng")
    parked = {p["projection"] for p in store.projections.parked()}
    assert "tasks" in parked and "seal" not in parked  # the views parked it, the seal did not
    assert seal_queries.current_root(store) == _root_of_rows(store)
    assert seal_queries.verify(store)["intact"]


def test_rebuilding_every_read_model_leaves_the_seal_alone_and_a_named_rebuild_agrees(store):
    _busy(store)
    sealed = seal_queries.current_root(store)
    table = _events(store)
    with store.engine.begin() as conn:
        state = conn.execute(select(table.c.state).where(table.c.id == 5)).scalar_one()
        conn.execute(update(table).where(table.c.id == 5).values(state=bytes(state) + b" "))
    store.projections.rebuild()
    # The seal still vouches for what was stored, so the change is found.
    assert seal_queries.current_root(store) == sealed
    found = seal_queries.verify(store)
    assert (found["intact"], found["position"], found["kind"]) == (False, 5, "changed")


def test_a_seal_rebuilt_over_a_changed_log_is_found_rewritten_by_its_checkpoints(store):
    _busy(store)
    checkpoint = sealing.checkpoint(store, "request")
    assert checkpoint is not None and checkpoint.size == store.projections.head() - 1
    table = _events(store)
    with store.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == 7)
                     .values(topic="nhiemvu.task.Forged"))
    # Someone with the database recomputes the seal from the log they changed.
    store.projections.rebuild("seal")
    found = seal_queries.verify(store)
    assert found["intact"] is False and found["kind"] == "rewritten"
    # Somewhere within the checkpoint that no longer holds: here, from its start.
    assert found["position"] == 1


def test_a_checkpoint_is_recorded_every_n_events(database_url, clock, monkeypatch):
    monkeypatch.setenv("NHIEMVU_SEAL_EVERY", "5")
    with System(database_url, clock=clock) as store:
        _busy(store)
        head = store.projections.head()
        sizes = [c.size for c in seal_queries.checkpoints(store)]
        assert sizes and all(b - a >= 5 for a, b in zip([0, *sizes], sizes, strict=False))
        assert all(c.reason == "events" and c.actor == "system"
                   for c in seal_queries.checkpoints(store))
        assert head - sizes[-1] < 5 + len(sizes)
        # Every checkpoint's root is the root of the log's first ``size`` records.
        rows = _rows(store)
        for c in seal_queries.checkpoints(store):
            frontier = merkle.Frontier()
            for row in rows[:c.size]:
                frontier.append(merkle.leaf_hash(record_of(row)))
            assert frontier.root().hex() == c.root
        assert seal_queries.verify(store)["intact"]


def test_a_checkpoint_is_recorded_once_per_size(store):
    _busy(store)
    first = sealing.checkpoint(store, "request")
    again = sealing.checkpoint(store, "request")
    assert first == again  # nothing grew: nothing recorded
    assert store.service.record_checkpoint(first.size, first.root, "request") is False
    assert seal_queries.checkpoints(store) == [first]


@pytest.mark.parametrize("size, root, reason", [(0, "a" * 64, "request"),
                                                (3, "a" * 10, "request"),
                                                (3, "a" * 64, "whenever")])
def test_a_checkpoint_needs_a_size_a_root_and_a_known_reason(service, size, root, reason):
    with pytest.raises(ValueError):
        service.record_checkpoint(size, root, reason)


def test_a_verification_of_unknown_kind_is_refused(service):
    with pytest.raises(ValueError):
        service.record_verification({"size": 1, "root": "a" * 64, "intact": False,
                                     "kind": "vanished", "checked": 1})


def test_a_refused_save_leaves_no_hole_in_the_seal(store):
    """On PostgreSQL a refused insert still takes a number from the sequence: the
    log then has a gap, which the seal skips like the log does."""
    _busy(store)
    with pytest.raises(DomainError):
        store.service.add_unit("VP", "Văn phòng, lần hai")
    assign(store, "Sau lần bị từ chối")
    result = seal_queries.verify(store)
    assert result["intact"] and result["size"] == len(_rows(store))


def test_the_checkpoint_and_verification_events_are_filed(store):
    _busy(store)
    sealing.checkpoint(store, "request")
    result = sealing.verify_and_record(store)
    latest = seal_queries.latest_verification(store)
    assert latest["intact"] is True and latest["size"] == result["size"]
    assert seal_queries.damage(store) is None
    table = _events(store)
    with store.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.id == 3))
    found = sealing.verify_and_record(store)
    assert (found["position"], found["kind"]) == (3, "deleted")
    damage = seal_queries.damage(store)
    assert damage["damaged_position"] == 3 and damage["kind"] == "deleted"
    assert damage["record"] == found["record"]


def test_two_processes_writing_at_once_seal_every_record_once(database_url, clock):
    with System(database_url, clock=clock) as store:
        commune(store)
    script = (
        "import sys\n"
        "from events.system import System\n"
        "from datetime import date, timedelta\n"
        "from tests.readmodels import assign\n"
        "with System(sys.argv[1]) as store:\n"
        "    for n in range(15):\n"
        "        assign(store, f'Việc {sys.argv[2]} {n}',\n"
        "               deadline=date.today() + timedelta(days=30))\n")
    workers = [subprocess.Popen([sys.executable, "-c", script, database_url, str(w)])
               for w in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    with System(database_url, clock=clock) as store:
        store.projections.catch_up()
        result = seal_queries.verify(store)
        assert result["intact"] and result["size"] == len(_rows(store))
        with store.engine.connect() as conn:
            nodes = seal_tables.nodes
            positions = conn.execute(select(nodes.c.position)
                                     .where(nodes.c.key < seal_tables.LEVEL_ONE)
                                     .order_by(nodes.c.key)).scalars().all()
        assert positions == [row[0] for row in _rows(store)]


def test_a_store_made_before_the_seal_is_sealed_when_it_is_opened(database_url, clock):
    with System(database_url, clock=clock) as store:
        _busy(store)
        head = store.projections.head()
        with store.engine.begin() as conn:  # the store as it was before the seal existed
            for table in seal_tables.TABLES:
                conn.execute(table.delete())
            conn.execute(tables.positions.delete().where(tables.positions.c.name == "seal"))
            conn.execute(tables.definitions.delete()
                         .where(tables.definitions.c.name == "seal"))
    with System(database_url, clock=clock) as store:
        # Sealed at opening, before any command: the first command seals only its own.
        assert seal_queries.seal_size(store) == head
        assert seal_queries.current_root(store) == _root_of_rows(store)


def test_a_snapshot_changed_by_hand_is_found_though_the_log_is_intact(store):
    _busy(store)
    task_id = assign(store, "Long task")
    store.service.start_task("head_vp", task_id)
    for n in range(22):  # past the task's snapshot interval
        store.service.note_progress("head_vp", task_id, f"Ghi nhận {n}", percent=n)
    assert seal_queries.verify(store)["intact"]
    snapshots = store.service.snapshots.recorder.events_record_cls.__table__
    with store.engine.begin() as conn:
        state = conn.execute(select(snapshots.c.state)).scalar_one()
        assert b"Long task" in bytes(state)
        conn.execute(update(snapshots).values(
            state=bytes(state).replace(b"Long task", b"Lung task")))
    store.service.forget_loaded()  # as a process opening the store now
    assert store.service.get_task(task_id).title == "Lung task"  # what the app now shows

    found = seal_queries.verify(store)

    assert (found["intact"], found["kind"], found["position"]) == (False, "snapshot", None)
    assert found["record"] == UUID(task_id).hex and found["snapshots"] == [UUID(task_id).hex]
    assert found["problems"] == 0  # the log itself is intact
    with store.engine.begin() as conn:  # the remedy: the app makes the snapshot again
        conn.execute(snapshots.delete())
    store.service.forget_loaded()
    assert store.service.get_task(task_id).title == "Long task"
    assert seal_queries.verify(store)["intact"]


def test_the_seal_never_seals_a_record_twice_when_its_position_is_lost(store):
    _busy(store)
    sealed = seal_queries.current_root(store)
    with store.engine.begin() as conn:  # its bookkeeping reset behind its back
        conn.execute(tables.positions.update().where(tables.positions.c.name == "seal")
                     .values(position=0))
    store.projections.by_name["seal"].at_position(None)  # as a fresh process would be
    store.projections.catch_up()
    assert [p for p in store.projections.parked() if p["projection"] == "seal"] == []
    assert seal_queries.current_root(store) == sealed
    assert seal_queries.verify(store)["intact"]
