"""``bench/load.py`` still runs: its SQLite scenario, briefly, through real HTTP with wrk.

What it measures is not checked here (speed lives in bench/ and docs/performance.md):
only that the workload runs end to end — sign-in, CSRF-protected notes, every page —
without one error, and that the result file has its keys.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"requests_per_s", "p50_ms", "p99_ms", "errors", "peak_rss_mb_per_worker",
        "connections", "threads", "duration_s", "tasks_in_store"}


@pytest.fixture
def wrk():
    # As for a missing Chromium: in CI (.ci/run installs wrk) that is a failure.
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is required in CI and is not installed")
        pytest.skip("wrk is not installed (apt-get install wrk): the load bench NOT run")


def test_the_sqlite_scenario_runs_without_errors_and_writes_its_figures(wrk, tmp_path):
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--scenario", "sqlite_single", "--tasks", "150",
         "--duration", "2", "--warmup", "1", "--connections", "4", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    assert set(figures) >= {"machine", "date", "command", "sqlite_single"}
    assert "postgresql_workers_4" not in figures  # --scenario ran only the one
    scenario = figures["sqlite_single"]
    assert set(scenario) >= KEYS
    assert scenario["errors"] == 0
    assert scenario["requests"] > 0
    runs = scenario["runs"]
    assert len(runs) == scenario["measured_runs"] == 3
    assert scenario["requests"] == sum(run["requests"] for run in runs)
    assert scenario["p99_ms"] == sorted(run["p99_ms"] for run in runs)[1]  # the median
    assert scenario["peak_rss_mb_per_worker"] > 0
    assert (scenario["connections"], scenario["threads"], scenario["tasks_in_store"]) == (4, 4, 150)
    # Halfway through each run, wrk's four connections all lay with the one process.
    assert [run["connections_per_worker"] for run in runs] == [[4], [4], [4]]
