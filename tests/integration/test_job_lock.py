"""The scheduler's job lock (events/processes/job_lock.py), on SQLite and PostgreSQL:
one holder at a time across stores (as across processes), a skipped run, a killed
holder that does not block forever."""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from events.processes import job_lock
from events.processes.scheduler import AlertJobs, SchedulerConfig
from events.queries import alerts as alert_queries
from events.system import System
from tests import commune
from tests.commune import LEADER

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def other(database_url):
    """A second store on the same database: another process's connections."""
    with System(database_url) as opened:
        yield opened


def test_a_job_is_held_by_one_store_at_a_time_and_free_again_after(store, other):
    with job_lock.exclusive(store.engine, "deadline-sweep") as first:
        with job_lock.exclusive(other.engine, "deadline-sweep") as second:
            assert (first, second) == (True, False)
        # Another job's lock is another lock.
        with job_lock.exclusive(other.engine, "seal-checkpoint") as unrelated:
            assert unrelated
    with job_lock.exclusive(other.engine, "deadline-sweep") as again:
        assert again


def test_a_job_that_fails_gives_its_lock_back(store, other):
    with pytest.raises(RuntimeError), job_lock.exclusive(store.engine, "send-mail"):
        raise RuntimeError("the SMTP server went away")
    with job_lock.exclusive(other.engine, "send-mail") as held:
        assert held


def test_a_sweep_that_finds_the_lock_held_skips_its_run(store, other, caplog):
    commune.set_up(store.service)
    task = store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 2),
                                     title="Tập huấn kỹ năng số")
    jobs = AlertJobs(lambda: store, SchedulerConfig())
    with (caplog.at_level(logging.INFO, logger="nhiemvu.alerts"),
          job_lock.exclusive(other.engine, "deadline-sweep") as held):
        assert held
        jobs.sweep()
    assert alert_queries.task_alerts(store, task) == []
    assert "deadline-sweep: running in another process; skipped here" in caplog.text
    jobs.sweep()  # the next run, the lock free again, does the work
    assert [a["data"]["days_left"] for a in alert_queries.task_alerts(store, task)] == [1]


def test_on_sqlite_a_lease_run_out_is_taken_over_and_never_given_back_by_its_old_holder(
        sqlite_url):
    with System(sqlite_url) as store, System(sqlite_url) as other:
        # A holder killed in its job leaves its lease behind: it runs out.
        assert job_lock.take(store.engine, "deadline-sweep", "killed", timedelta(0))
        with job_lock.exclusive(other.engine, "deadline-sweep") as held:
            assert held
            # The old holder, come back, cannot release the new holder's lease.
            job_lock.release(store.engine, "deadline-sweep", "killed")
            with job_lock.exclusive(store.engine, "deadline-sweep") as third:
                assert not third


def test_a_kept_claim_is_one_process_s_until_it_is_given_back(store, other):
    holder = job_lock.claim(store.engine, "seal-mail:2025-03-01", timedelta(days=2))
    assert holder is not None
    assert job_lock.claim(other.engine, "seal-mail:2025-03-01", timedelta(days=2)) is None
    assert job_lock.claim(other.engine, "seal-mail:2025-03-02", timedelta(days=2))
    job_lock.release(store.engine, "seal-mail:2025-03-01", holder)
    assert job_lock.claim(other.engine, "seal-mail:2025-03-01", timedelta(days=2))


HOLDER = """
import sys, time
from events.processes import job_lock
from events.system import System
store = System(sys.argv[1])
with job_lock.exclusive(store.engine, "deadline-sweep") as held:
    print("held" if held else "skipped", flush=True)
    time.sleep(600)  # killed long before
"""


def test_on_postgresql_a_killed_holder_s_lock_is_free_at_once(postgres_url):
    with System(postgres_url):  # the store's tables, before the holder's process
        pass
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", HOLDER, postgres_url], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, text=True)
    try:
        readable, _, _ = select.select([process.stdout], [], [], 60)
        assert readable and process.stdout.readline() == "held\n"
        with System(postgres_url) as store:
            with job_lock.exclusive(store.engine, "deadline-sweep") as held:
                assert not held
            process.kill()  # no release: the server ends the session, and its lock
            process.communicate(timeout=30)
            assert _eventually(lambda: _free(store, "deadline-sweep"))
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _free(store: System, name: str) -> bool:
    with job_lock.exclusive(store.engine, name) as held:
        return held


def _eventually(check, seconds: float = 30.0) -> bool:
    # The server notices the closed socket when it next reads: soon, not at once.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False
