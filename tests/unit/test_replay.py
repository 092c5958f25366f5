"""A task's stored events rebuild exactly its state, with and without snapshots."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from events.system import System
from tests import commune
from workflow.application import Workflow
from workflow.clock import FixedClock, use_clock
from workflow.errors import DomainError
from workflow.rules import Actor
from workflow.task import Task

LEADER = Actor(commune.LEADER, "leader")
HEAD = Actor(commune.HEAD, "unit_head", "VP")
LINKS = ({"url": "https://x.vn/u"},)  # evidence: one link (http or https only)


def _state(task: Task) -> dict:
    """Every attribute of the aggregate except the (empty) list of unsaved events."""
    state = {k: v for k, v in vars(task).items() if k != "_pending_events"}
    assert not task.collect_events()
    return state


def _replayed(service, task_id) -> Task:
    """The task rebuilt from all of its stored events, ignoring any snapshot."""
    task = None
    for stored in service.history(task_id):
        task = stored.mutate(task)
    return task


def test_the_stored_events_rebuild_exactly_what_the_commands_did_in_memory(
        service, database_url, clock):
    commune.set_up(service)
    task_id = service.assign_task(commune.LEADER, unit="VP", deadline=commune.DEADLINE,
                                  title="Số hóa dữ liệu hộ sản xuất", target="CT06",
                                  plan=commune.PLAN)
    # The same commands on an aggregate that never touches the store.
    with use_clock(clock):
        expected = Task.assign(LEADER, title="Số hóa dữ liệu hộ sản xuất", unit="VP",
                               deadline=commune.DEADLINE, plan=commune.PLAN, target="CT06")
    steps = [
        (lambda: service.start_task(commune.HEAD, task_id), lambda: expected.start(HEAD)),
        (lambda: service.note_progress(commune.HEAD, task_id, "Đã nhập 40 hộ", "35", "35,5"),
         lambda: expected.note_progress(HEAD, "Đã nhập 40 hộ", "35", "35,5")),
        (lambda: service.extend_deadline(commune.LEADER, task_id, date(2025, 4, 20), "Mùa vụ"),
         lambda: expected.extend_deadline(LEADER, date(2025, 4, 20), "Mùa vụ")),
        (lambda: service.submit_report(commune.HEAD, task_id, "Xong", "75", LINKS),
         lambda: expected.submit_report(HEAD, "Xong", "75", LINKS)),
        (lambda: service.verify_task(commune.LEADER, task_id, "Tốt"),
         lambda: expected.verify(LEADER, "Tốt")),
    ]
    for through_service, in_memory in steps:
        clock.advance(hours=5)
        through_service()
        with use_clock(clock):
            in_memory()
    expected.collect_events()
    expected_state = _state(expected) | {"_id": task_id}

    with System(database_url) as fresh:
        loaded = fresh.service.get_task(task_id)
        assert _state(loaded) == expected_state
        assert _state(_replayed(fresh.service, task_id)) == expected_state
    assert loaded.deadline == date(2025, 4, 20)
    assert loaded.original_deadline == commune.DEADLINE
    assert type(loaded.deadline) is date and loaded.verified_value == 75
    assert loaded.version == 6


def test_a_long_history_is_snapshotted_and_still_loads_exactly(service, database_url, clock):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    for n in range(1, 24):
        clock.advance(hours=1)
        service.note_progress(commune.MEMBER, task_id, f"Ghi nhận lần {n}", percent=n * 4)
    service.submit_report(commune.HEAD, task_id, "Xong", value="99,9")
    assert service.get_task(task_id).version == 26

    with System(database_url) as fresh:
        snapshots = list(fresh.service.snapshots.get(task_id))
        assert [s.originator_version for s in snapshots] == [20]
        loaded = fresh.service.get_task(task_id)
        replayed = _replayed(fresh.service, task_id)
        assert _state(loaded) == _state(replayed)
        assert (loaded.version, loaded.state, loaded.percent) == (26, "reported", 92)
        assert str(loaded.reported_value) == "99.9"
        # Snapshots only speed up loading; history still has every event.
        assert len(fresh.service.history(task_id)) == 26


# -- any sequence of commands, on an in-memory store ---------------------------------

COMMANDS = {
    "start": lambda t: t.start(HEAD),
    "note": lambda t: t.note_progress(HEAD, "Ghi nhận", percent="55", value="55,5"),
    "report": lambda t: t.submit_report(HEAD, "Xong", value="70", evidence=LINKS),
    "verify": lambda t: t.verify(LEADER, "Đạt"),
    "return": lambda t: t.return_for_rework(LEADER, "Thiếu"),
    "extend": lambda t: t.extend_deadline(LEADER, t.deadline + timedelta(days=7), "Thêm"),
    "reassign": lambda t: t.reassign(LEADER, "CNS" if t.unit == "VP" else "VP", "Đổi"),
    "cancel": lambda t: t.cancel(LEADER, "Hủy"),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(COMMANDS)), max_size=12))
def test_any_sequence_of_commands_is_rebuilt_exactly_from_its_stored_events(commands):
    app = Workflow()  # the in-memory store: same mapper and transcodings, no database
    moment = FixedClock(datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    with use_clock(moment):
        task = Task.assign(LEADER, title="Việc", unit="VP", deadline=commune.DEADLINE,
                           plan=commune.PLAN, target="CT09")
        for name in commands:
            moment.advance(hours=1)
            with suppress(DomainError):  # refused commands record nothing
                COMMANDS[name](task)
    app.save(task)
    assert _state(app.repository.get(task.id)) == _state(task)
