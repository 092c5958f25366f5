"""Exactly once under crashes and competition: other processes, SIGKILL, restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import inspect

from events.readmodels import tables
from events.readmodels.runner import PAUSE_ENV
from events.system import System
from tests.readmodels import assign, commune, digest, report

ROOT = Path(__file__).resolve().parents[2]
CATCH_UP = """
import sys
from events.system import System
with System(sys.argv[1]) as store:
    store.projections.batch_size = store.projections.rebuild_batch_size = int(sys.argv[2])
    batch = store.projections._batch
    def told(*args, **kwargs):
        # Says when each batch is done, so the test kills a rebuild while it runs.
        read = batch(*args, **kwargs)
        print("batch", read, flush=True)
        return read
    store.projections._batch = told
    if sys.argv[3] == "rebuild":
        store.projections.rebuild()
    else:
        store.projections.catch_up()
"""


def busy_store(store, tasks: int = 12) -> None:
    commune(store)
    for n in range(tasks):
        task_id = assign(store, f"Nhiệm vụ {n}", deadline=date(2025, 3, 10 + n % 5))
        report(store, task_id, value=str(50 + n))
        if n % 3 == 0:
            store.service.verify_task("lead", task_id)


def catch_up_process(url: str, batch: int, pause: float,
                     action: str = "catch_up") -> subprocess.Popen:
    env = {**os.environ, PAUSE_ENV: str(pause), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", CATCH_UP, url, str(batch), action], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def index_names(store) -> set[str]:
    return {index["name"] for index in inspect(store.engine).get_indexes("rm_task")}


def wait_until(condition, timeout: float = 60.0) -> None:
    limit = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < limit, "timed out"
        time.sleep(0.01)


def test_a_catch_up_killed_mid_way_and_restarted_ends_like_a_clean_rebuild(store, clock):
    busy_store(store)
    expected = digest(store)
    head = store.projections.head()
    store.projections.reset()
    # Each batch sleeps inside its transaction, so the kill lands with one uncommitted.
    process = catch_up_process(store.url, batch=10, pause=0.5)
    try:
        wait_until(lambda: min(s["position"] for s in store.projections.status()) > 0)
        time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    positions = [s["position"] for s in store.projections.status()]
    assert min(positions) > 0 and max(positions) < head  # it really stopped mid-way
    wanted = {i.name for i in tables.tasks.indexes}
    assert wanted <= index_names(store)
    with System(store.url, clock=clock) as restarted:
        restarted.projections.catch_up()
        assert digest(restarted) == expected
        assert wanted <= index_names(restarted)


def test_a_rebuild_killed_mid_way_leaves_the_live_views_as_they_were(store, clock):
    busy_store(store)
    expected = digest(store)
    head = store.projections.head()
    process = catch_up_process(store.url, batch=10, pause=0.3, action="rebuild")
    try:
        # Two shadow batches done, a third under way in its transaction.
        assert process.stdout.readline().startswith("batch")
        assert process.stdout.readline().startswith("batch")
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert digest(store) == expected
    assert all(s["position"] == head for s in store.projections.status())
    assert {i.name for i in tables.tasks.indexes} <= index_names(store)
    with System(store.url, clock=clock) as restarted:  # and the next rebuild works
        assert restarted.projections.rebuild() == head
        assert digest(restarted) == expected


def test_two_processes_catching_up_at_once_apply_each_event_once(store):
    busy_store(store, tasks=6)
    expected = digest(store)
    store.projections.reset()
    racers = [catch_up_process(store.url, batch=7, pause=0.05) for _ in range(2)]
    for racer in racers:
        _, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
    assert digest(store) == expected
    assert all(s["behind"] == 0 for s in store.projections.status())
