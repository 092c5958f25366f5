"""Sweeps running at the same moment, in threads and in separate processes.

Whoever gets there first records an alert; everyone else finds it recorded. The
count of alert events in the log is the proof: each alert exactly once.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from events.processes.sweep import sweep
from events.queries import alerts as alert_queries
from events.system import System
from tests import commune
from tests.commune import LEADER
from workflow.alerts import AlertPolicy, due_thresholds
from workflow.clock import LOCAL_TZ

ROOT = Path(__file__).resolve().parents[2]
SWEEP_AT = datetime.combine(date(2025, 3, 12), clock_time(9), LOCAL_TZ)
TASKS = 40


def store_with_due_tasks(store) -> int:
    """Tasks due 01/03..20/03 swept on 12/03; returns how many alerts are due."""
    commune.set_up(store.service)
    expected = 0
    for n in range(TASKS):
        deadline = date(2025, 3, 1) + timedelta(days=n % 20)
        store.service.assign_task(LEADER, unit="VP" if n % 2 else "CNS", deadline=deadline,
                                  title=f"Nhiệm vụ số {n}")
        expected += len(due_thresholds(AlertPolicy(), deadline, date(2025, 3, 1),
                                       SWEEP_AT.date()))
    return expected


def recorded_alerts(url: str) -> list:
    with System(url) as store:
        notes = store.service.recorder.select_notifications(start=1, limit=100_000)
        return [n.originator_id for n in notes
                if n.topic == "nhiemvu.alerts.DeadlineAlertRaised"]


def test_two_sweeps_in_threads_at_once_record_each_alert_once(store, database_url):
    expected = store_with_due_tasks(store)
    barrier, found = threading.Barrier(2), threading.Barrier(2)
    results = []

    def worker() -> None:
        with System(database_url) as own:  # as a second web worker would have
            raise_alerts = own.service.raise_alerts

            def together(wanted, **kwargs):
                # Both have found what is due before either records an alert: they
                # race where "once" is decided, whatever the machine's speed.
                found.wait(timeout=30)
                return raise_alerts(wanted, **kwargs)

            own.service.raise_alerts = together
            barrier.wait()
            results.append(sweep(own, at=SWEEP_AT))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alerts = recorded_alerts(database_url)
    assert len(results) == 2 and expected > TASKS
    assert len(alerts) == len(set(alerts)) == expected
    assert sum(r.raised for r in results) == expected
    assert all(r.due == expected for r in results)


SCRIPT = """
import sys
from datetime import datetime
from events.processes.sweep import sweep
from events.system import System
url, at = sys.argv[1:]
store = System(url)
print("ready", flush=True)
sys.stdin.readline()  # "go": every sweep process is ready
print(sweep(store, at=datetime.fromisoformat(at)).raised)
store.close()
"""


def _line(process: subprocess.Popen, deadline: float) -> str:
    """The next line ``process`` prints, or "" if none comes by ``deadline``."""
    readable, _, _ = select.select([process.stdout], [], [],
                                   max(0.0, deadline - time.monotonic()))
    return process.stdout.readline() if readable else ""


def test_two_sweep_processes_at_once_record_each_alert_once(store, database_url):
    expected = store_with_due_tasks(store)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", SCRIPT, database_url,
                                   SWEEP_AT.isoformat()],
                                  cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    try:
        # Each has imported and opened its store: told at once, they sweep together.
        deadline = time.monotonic() + 60
        assert [_line(p, deadline) for p in processes] == ["ready\n", "ready\n"]
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [p.communicate(timeout=120) for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert sum(int(out.strip()) for out, _ in outputs) == expected
    alerts = recorded_alerts(database_url)
    assert len(alerts) == len(set(alerts)) == expected


def test_two_sweeps_at_once_put_each_alert_in_one_mail_per_person(store, database_url):
    store_with_due_tasks(store)
    for username, unit in (("thu.vp", "VP"), ("thu.cns", "CNS")):
        store.service.add_user(username, "member", commune.PASSWORD, unit=unit,
                               email=f"{username}@thanhhuong.gov.vn")
    barrier = threading.Barrier(2)

    def worker() -> None:
        with System(database_url) as own:
            barrier.wait()
            sweep(own, at=SWEEP_AT, mail=True)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.projections.catch_up()
    for username in ("thu.vp", "thu.cns"):
        mailed = sum(d["alerts"] for d in alert_queries.deliveries(store, username=username))
        feed = alert_queries.inbox(store, username, limit=1000)
        assert feed and mailed == len(feed)
