"""Several ``nhiemvu serve`` processes on one store: two servers with their schedulers
on (every alert recorded once), and ``serve --workers 2`` (gunicorn, connections
spread between the workers). Real processes on real ports, stopped as an operator
stops them."""

from __future__ import annotations

import http.client
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
        try:
            _wait_for(lambda: all(_sweeps(log) >= 4 for _, log in servers), 120)
        except AssertionError:
            # Say why: each server's exit status (None: still running) and last lines.
            raise AssertionError([(process.poll(), log.read_text()[-3000:])
                                  for process, log in servers]) from None
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


def _sockets_of(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` holds open."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def _server_side(port: int, client_ports: set[int]) -> dict[int, int]:
    """For each client port connected to ``port`` on 127.0.0.1: the inode of the
    server's end of that connection (``/proc/net/tcp``)."""
    ends = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == port and \
                int(remote.split(":")[1], 16) in client_ports:
            ends[int(remote.split(":")[1], 16)] = inode
    return ends


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn's workers, seen in /proc")
def test_serve_with_two_workers_spreads_connections_between_them(demo_store, tmp_path):
    """Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads
    new connections among them: kept-alive connections, all opened at once, are
    served by both workers, not nearly all by whichever woke first."""
    port = _free_port()
    # No scheduler: nothing but these requests runs in the workers.
    process, log = _start(demo_store, tmp_path, "workers", "--port", str(port),
                          "--workers", "2", NHIEMVU_SCHEDULER="off")
    connections = []
    try:
        assert _wait_for(lambda: _get(f"http://127.0.0.1:{port}/sign-in")) == 200
        workers = _wait_for(lambda: len(_children(process.pid)) == 2
                            and _children(process.pid))
        for _ in range(16):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/sign-in")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            connections.append(connection)
        ends = _server_side(port, {c.sock.getsockname()[1] for c in connections})
        assert len(ends) == len(connections)
        held = {pid: len(_sockets_of(pid) & set(ends.values())) for pid in workers}
        # 16 connections on two sockets by the kernel's hash: each holds some (all on
        # one would be a chance of 1 in 30,000).
        assert sum(held.values()) == len(connections)
        assert all(held.values()), held
    finally:
        for connection in connections:
            connection.close()
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
