"""Several ``nhiemvu serve`` processes on one store: two servers with their schedulers
on (every alert recorded once), and ``serve --workers 2`` (gunicorn, pages from each
worker). Real processes on real ports, stopped as an operator stops them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from events.processes.sweep import now_of, sweep
from events.system import System
from tests import commune
from tests.commune import LEADER
from tests.integration.test_serve import _free_port, _get, _wait_for
from workflow.alerts import AlertPolicy, due_thresholds
from workflow.clock import LOCAL_TZ, FixedClock

ROOT = Path(__file__).resolve().parents[2]
RAISED = "nhiemvu.alerts.DeadlineAlertRaised"


def _seed_overdue(url: str) -> int:
    """Tasks assigned three weeks ago, due from a week ago to a week ahead; returns
    how many alerts are due today."""
    today = datetime.now(LOCAL_TZ).date()
    assigned = datetime.now(UTC) - timedelta(days=21)
    expected = 0
    with System(url, clock=FixedClock(assigned)) as store:
        commune.set_up(store.service)
        for n in range(16):
            deadline = today + timedelta(days=n - 8)
            store.service.assign_task(LEADER, unit="VP" if n % 2 else "CNS",
                                      deadline=deadline, title=f"Nhiệm vụ số {n}")
            expected += len(due_thresholds(AlertPolicy(), deadline,
                                           assigned.astimezone(LOCAL_TZ).date(), today))
    return expected


def _start(url: str, tmp_path: Path, name: str, *args: str, **env: str):
    log = tmp_path / f"{name}.log"
    environment = {**os.environ, "NHIEMVU_DATABASE_URL": url,
                   "NHIEMVU_INSTANCE": str(tmp_path / "instance"), "NHIEMVU_SMTP_URL": "",
                   **env}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()",
                                    "serve", *args], cwd=ROOT, env=environment,
                                   stdout=out, stderr=subprocess.STDOUT, text=True)
    return process, log


def _stop(process: subprocess.Popen, log: Path) -> str:
    process.send_signal(signal.SIGTERM)  # a service manager's stop
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return log.read_text()


def _sweeps(log: Path) -> int:
    """Sweep runs the process logged: done, or skipped for another's."""
    text = log.read_text()
    return text.count("deadline sweep:") + text.count("deadline-sweep: running in another")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_servers_with_their_schedulers_on_record_every_alert_once(kind, request,
                                                                      tmp_path):
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "postgres_url")
    expected = _seed_overdue(url)
    servers = [_start(url, tmp_path, f"serve-{n}", "--port", str(_free_port()),
                      NHIEMVU_ALERT_SWEEP_SECONDS="1") for n in (1, 2)]
    outputs = []
    try:
        # A few sweeps each, at one a second, while the other sweeps too.
        _wait_for(lambda: all(_sweeps(log) >= 4 for _, log in servers), 120)
    finally:
        outputs = [_stop(process, log) for process, log in servers]
    assert all("Traceback" not in output for output in outputs), outputs
    with System(url) as store:
        notes = store.service.recorder.select_notifications(start=1, limit=100_000)
        alerts = [n.originator_id for n in notes if n.topic == RAISED]
        # Nothing is left to raise: the servers' sweeps raised it all.
        assert sweep(store, at=now_of(store), mail=False).raised == 0
    assert expected > 16
    assert len(alerts) == len(set(alerts)) == expected


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn's workers, seen in /proc")
def test_serve_with_two_workers_serves_pages_from_each_of_them(demo_store, tmp_path):
    port = _free_port()
    # No scheduler: a worker paused in the middle of its sweep would hold SQLite's
    # write lock, and the other would wait on it (the schedulers have their own test).
    process, log = _start(demo_store, tmp_path, "workers", "--port", str(port),
                          "--workers", "2", NHIEMVU_SCHEDULER="off")
    sign_in = f"http://127.0.0.1:{port}/sign-in"
    try:
        assert _wait_for(lambda: _get(sign_in)) == 200
        workers = _wait_for(lambda: len(_children(process.pid)) == 2
                            and _children(process.pid))
        for paused in workers:
            # With one worker stopped, every page comes from the other.
            os.kill(paused, signal.SIGSTOP)
            try:
                _wait_for(lambda p=paused: _state(p) == "T")
                # Patient: the other worker may be opening its store on its first
                # request, slow on a busy machine; what is checked is who answers.
                assert [_get(sign_in, timeout=30) for _ in range(3)] == [200, 200, 200]
            finally:
                os.kill(paused, signal.SIGCONT)
    finally:
        output = _stop(process, log)
    assert "Starting gunicorn" in output and "Using worker: gthread" in output
    assert f"http://127.0.0.1:{port}/" in output
    assert output.count("Booting worker") == 2
    assert "Traceback" not in output


@pytest.fixture
def demo_store(sqlite_url):
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["--database", sqlite_url, "demo",
                                       "--password", "mat-khau-1"])
    assert result.exit_code == 0, result.output
    return sqlite_url
