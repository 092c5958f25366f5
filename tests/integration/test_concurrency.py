"""Concurrent writers on one task: one wins, the other is told, nothing is lost.

Each writer is a thread with its own System on the same database. To make the two
meet for certain, each is given a clock that waits at a barrier: the service reads
the clock only when it records the event, after it has loaded the task and checked
the rules, so both writers start from the same version before either saves.
"""

from __future__ import annotations

import threading
from datetime import datetime

from events.system import System
from tests import commune
from workflow.errors import DomainError


class MeetingClock:
    """A clock that, the first time it is read, waits until the other writer reads too."""

    def __init__(self, moment: datetime, barrier: threading.Barrier):
        self.moment, self.barrier, self.met = moment, barrier, False

    def __call__(self) -> datetime:
        if not self.met:
            self.met = True
            self.barrier.wait(timeout=20)
        return self.moment


def _race(url: str, moment: datetime, *commands) -> list[str]:
    """Run each command (a function of the service) in its own thread and System."""
    barrier = threading.Barrier(len(commands))
    outcomes: list[str] = [""] * len(commands)

    def writer(index: int) -> None:
        with System(url, clock=MeetingClock(moment, barrier)) as store:
            try:
                commands[index](store.service)
            except DomainError as refused:
                outcomes[index] = refused.code
            except Exception as error:  # reported in the assertion, not lost in a thread
                outcomes[index] = repr(error)
            else:
                outcomes[index] = "ok"

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_writers_from_the_same_version_one_wins_and_the_other_is_told(
        service, database_url, clock):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    outcomes = _race(
        database_url, clock.moment,
        lambda s: s.note_progress(commune.MEMBER, task_id, "Ghi chú của cán bộ", 30),
        lambda s: s.cancel_task(commune.LEADER, task_id, "Hủy theo chỉ đạo"),
    )
    assert sorted(outcomes) == ["concurrent_change", "ok"]
    winner = ["ProgressNoted", "TaskCancelled"][outcomes.index("ok")]
    history = service.history(task_id)
    assert [type(e).__name__ for e in history] == ["TaskAssigned", "WorkStarted", winner]
    assert [e.originator_version for e in history] == [1, 2, 3]
    # The loser may try again on the new version, and then it counts.
    task = service.get_task(task_id)
    if winner == "ProgressNoted":
        service.cancel_task(commune.LEADER, task_id, "Hủy", expected_version=task.version)
    else:
        assert task.state == "cancelled"


def test_two_writers_giving_the_same_expected_version_one_wins(service, database_url, clock):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "reported")
    outcomes = _race(
        database_url, clock.moment,
        lambda s: s.verify_task(commune.LEADER, task_id, "Đạt", expected_version=3),
        lambda s: s.return_task(commune.LEADER, task_id, "Thiếu", expected_version=3),
    )
    assert sorted(outcomes) == ["concurrent_change", "ok"]
    types = [type(e).__name__ for e in service.history(task_id)]
    assert len(types) == 4 and types[-1] in {"ReportVerified", "ReportReturned"}


def test_a_stale_expected_version_is_refused_and_records_nothing(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    service.note_progress(commune.HEAD, task_id, "Lần 1", expected_version=2)
    try:
        service.note_progress(commune.MEMBER, task_id, "Dựa trên bản cũ", expected_version=2)
    except DomainError as refused:
        assert refused.code == "concurrent_change"
        assert "tải lại" in refused.message("vi")
    else:
        raise AssertionError("a stale expected_version was accepted")
    assert [e.text for e in service.history(task_id)[2:]] == ["Lần 1"]


def test_many_writers_retrying_on_conflict_lose_and_duplicate_nothing(
        service, database_url, clock):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "in_progress")
    writers, notes_each = 3, 4
    barrier = threading.Barrier(writers)
    failures: list[str] = []

    def writer(index: int) -> None:
        with System(database_url, clock=lambda: clock.moment) as store:
            barrier.wait(timeout=20)
            for n in range(notes_each):
                for _attempt in range(50):
                    try:
                        store.service.note_progress(commune.MEMBER, task_id, f"{index}-{n}")
                    except DomainError as refused:
                        if refused.code != "concurrent_change":
                            failures.append(refused.code)
                            return
                    except Exception as error:  # e.g. a locked database: a failure too
                        failures.append(repr(error))
                        return
                    else:
                        break
                else:
                    failures.append(f"{index}-{n} never got through")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    notes = [e.text for e in service.history(task_id)[2:]]
    assert sorted(notes) == sorted(f"{i}-{n}" for i in range(writers) for n in range(notes_each))
    versions = [e.originator_version for e in service.history(task_id)]
    assert versions == list(range(1, 3 + writers * notes_each))
