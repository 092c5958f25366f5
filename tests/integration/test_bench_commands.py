"""bench/commands.py runs, as `make bench` runs it, and writes every figure it promises.

A check that the benchmark keeps working while the command path changes, at the
smallest size: the figures themselves are not judged here (docs/performance.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("raw_per_s", "command_per_s", "command_p50_ms", "command_p95_ms", "crud_p50_ms",
           "crud_p95_ms", "statements_per_command", "crud_statements_per_command",
           "fraction_of_raw", "latency_vs_crud")


@pytest.mark.postgres
def test_commands_benchmark_writes_its_figures_for_both_databases(postgres_url, tmp_path):
    out = tmp_path / "commands.json"
    done = subprocess.run(
        [sys.executable, "bench/commands.py", "--rounds", "2", "--per-round", "1",
         "--postgres-url", postgres_url, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    report = json.loads(out.read_text())
    assert set(report["machine"]) == {"node", "cpus", "python"}
    assert report["date"] and "--per-round 1" in report["command"]
    for database in ("sqlite", "postgresql"):
        figures = report[database]
        for name in FIGURES:
            assert figures[name] > 0, (database, name)
        # Two rounds of one task, five commands each, every one timed.
        assert figures["commands_timed"] == 10
    # What each path writes a commit, on SQLite only: a command's views are pages of
    # their own beside the event's, more than a bare insert writes.
    frames = report["sqlite"]["wal_frames_per_commit"]
    assert set(frames) == {"raw", "crud", "orm", "service"}
    assert set(frames["service"]) == {"assign", "start", "note", "report", "verify"}
    assert all(n > 0 for steps in frames.values() for n in steps.values())
    assert min(frames["service"].values()) > frames["raw"]["insert"]
    assert "wal_frames_per_commit" not in report["postgresql"]
    assert "| raw insert + commit /s |" in done.stdout
    # The benchmark's own tables go with the run (the store's stay, as in any store).
    engine = create_engine(postgres_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert not [name for name in tables if name.startswith(("crud_", "bench_raw"))]


@pytest.mark.postgres
def test_the_command_floor_replays_every_statement_on_both_databases(pg_database, tmp_path):
    out = tmp_path / "floor.json"
    done = subprocess.run(
        [sys.executable, "bench/command_floor.py", "--rounds", "2", "--per-round", "1",
         "--postgres-admin", pg_database, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["date"] and "--per-round 1" in report["command"]
    for database, fewest in (("sqlite", 10), ("postgresql", 3)):
        figures = report[database]
        assert figures["commands_timed"] == 10  # two rounds of one task, five commands
        for name in ("service_p50_ms", "replay_p50_ms", "raw_p50_ms", "service_per_s",
                     "replay_per_s", "raw_per_s"):
            assert figures[name] > 0, (database, name)
        # A replay that ran nothing would be far quicker than any real command's commit.
        assert figures["statements_per_command"] >= fewest, database
        # Ratios of two timings: on a loaded machine a few replays may take longer than
        # the service's commands, so each is only checked to be the ratio it names.
        assert figures["database_share"] == pytest.approx(
            figures["replay_p50_ms"] / figures["service_p50_ms"], abs=0.002)
        assert figures["replay_fraction_of_raw"] == pytest.approx(
            figures["replay_per_s"] / figures["raw_per_s"], abs=0.002)
    assert "| → the database's share |" in done.stdout
    # The two temporary databases (the store and its copy) go with the run.
    with psycopg.connect(pg_database.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        left = conn.execute("SELECT datname FROM pg_database "
                            "WHERE datname LIKE 'nhiemvu_floor_%'").fetchall()
    assert left == []
