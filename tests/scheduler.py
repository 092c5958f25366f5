"""``nhiemvu scheduler`` run as a process of its own, until it has done what a test
waits for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_scheduler_until(database_url: str, seen: Callable[[], object]) -> tuple[str, str, int]:
    """Start ``nhiemvu scheduler`` on the store, wait (30 s at most) until ``seen()``
    is true, stop it with Ctrl-C; return its stdout, stderr and exit code."""
    env = {**os.environ, "NHIEMVU_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "NHIEMVU_SMTP_URL": ""}
    process = subprocess.Popen(
        [sys.executable, "-c", "from cli.alerts import scheduler; scheduler()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            if seen():
                break
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    return out, err, process.returncode
