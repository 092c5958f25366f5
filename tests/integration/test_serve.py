"""``nhiemvu serve``: the real command in its own process, with the scheduler inside."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner

from cli import main
from events.queries import alerts as alert_queries
from events.system import System
from tests.forwarder import Forwarder

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("gave up waiting")


def _get(url: str, timeout: float = 2) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except OSError:
        return None


@pytest.fixture
def demo_store(sqlite_url, tmp_path):
    result = CliRunner().invoke(main, ["--database", sqlite_url, "demo",
                                       "--password", "mat-khau-1"])
    assert result.exit_code == 0, result.output
    return sqlite_url


def _serve(url: str, tmp_path: Path, port: int, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "NHIEMVU_DATABASE_URL": url,
                   "NHIEMVU_INSTANCE": str(tmp_path / "instance"), **env}
    return subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "serve", "--port", str(port)],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_serve_answers_on_its_port_and_its_scheduler_sweeps_deadlines(demo_store, tmp_path):
    port = _free_port()
    process = _serve(demo_store, tmp_path, port)
    try:
        assert _wait_for(lambda: _get(f"http://127.0.0.1:{port}/sign-in")) == 200
        with System(demo_store) as store:
            # The demo has overdue tasks: the start-up sweep alerts the leadership.
            assert _wait_for(lambda: alert_queries.unread_count(store, "lanhdao")) > 0
    finally:
        output = _stop(process)
    assert f"http://127.0.0.1:{port}/" in output
    assert "Traceback" not in output


def test_serve_with_the_scheduler_off_raises_no_alert(demo_store, tmp_path):
    port = _free_port()
    process = _serve(demo_store, tmp_path, port, NHIEMVU_SCHEDULER="off")
    try:
        assert _wait_for(lambda: _get(f"http://127.0.0.1:{port}/sign-in")) == 200
        time.sleep(1.0)  # long enough for a start-up sweep, were there a scheduler
        with System(demo_store) as store:
            assert alert_queries.unread_count(store, "lanhdao") == 0
    finally:
        _stop(process)


def _answer(url: str) -> tuple[int, dict[str, str]] | None:
    """The status and headers of a GET, errors included; None while nothing listens."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
    except OSError:
        return None


def test_serve_with_the_database_away_says_so_once_answers_503_and_recovers(
        postgres_url, tmp_path):
    parts = urlsplit(postgres_url)
    forwarder = Forwarder((parts.hostname, parts.port or 5432)).start()
    forwarder.stop()  # its port is now one where nothing answers
    url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{forwarder.port}"))
    port = _free_port()
    process = _serve(url, tmp_path, port)
    sign_in = f"http://127.0.0.1:{port}/sign-in"
    try:
        status, headers = _wait_for(lambda: _answer(sign_in))
        assert status == 503 and int(headers["Retry-After"]) > 0
        forwarder.start()
        assert _wait_for(lambda: (_answer(sign_in) or (None,))[0] == 200)
    finally:
        output = _stop(process)
        forwarder.stop()
    assert output.count("Chưa kết nối được cơ sở dữ liệu") == 1
    assert "Đã kết nối được cơ sở dữ liệu" in output
    assert "Traceback" not in output


def test_a_process_opened_to_serve_keeps_what_it_made_out_of_the_collectors_reach(
        demo_store, tmp_path, monkeypatch):
    """Opened to serve (each worker, or the one process), the app, its store and
    everything imported are frozen: the collector's full passes leave them alone
    (they paused every request of a worker for up to 0.38 s under load)."""
    import gc

    from cli import serve
    from web import create_app, storage

    for name, value in (("NHIEMVU_DATABASE_URL", demo_store), ("NHIEMVU_SCHEDULER", "off"),
                        ("NHIEMVU_INSTANCE", str(tmp_path / "instance"))):
        monkeypatch.setenv(name, value)
    gc.unfreeze()
    app = create_app()
    startup = serve._open(app)
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 50_000  # the modules, the app and its store, not a few
        assert len(gc.get_objects()) < frozen  # what is left to collect is the rest
    finally:
        startup.stop()
        storage.close(app)
        gc.unfreeze()
