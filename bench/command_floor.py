"""The database's own share of a command: its statements replayed on the bare driver.

The service's commands (bench/commands.py's lifecycle: assign, start, note, report,
verify) run on a SQLite store while every statement they send, with its parameters
as the driver got them, and every transaction's begin and end are recorded. The same
statements are then replayed, command by command, with plain ``sqlite3`` on a copy of
the store taken just before (same file, WAL, ``synchronous`` as the store has it),
each transaction committed where the service committed. What the replay takes is
the database's work (B-trees, indexes, the WAL write and its fsync); the rest of
the service's time is Python: the domain, the event's encoding, the read models'
code, SQLAlchemy and the library. The service is timed on other commands of the
same round, with nothing recording (the recording itself costs time), so each round
has the service timed, then recorded, then replayed: the noise of a shared machine
falls on both alike.

    .venv/bin/python bench/command_floor.py --rounds 10 --per-round 10

Writes ``--out`` (default bench/results/command_floor.json) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from events.sql import compiled  # noqa: E402
from events.system import System  # noqa: E402
from workflow.clock import local_today  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "command_floor.json"
_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


class Recorder:
    """Every statement and transaction boundary of the process's engines, per command."""

    def __init__(self) -> None:
        self.on = False
        self.commands: list[list[tuple[Any, ...]]] = []
        event.listen(Engine, "before_cursor_execute", self._statement)
        # And those a command's read-model batch sends on the driver's cursor itself.
        compiled.listeners.append(self._driver_statement)
        event.listen(Engine, "commit", self._commit)
        event.listen(Engine, "rollback", self._rollback)

    def start(self) -> None:
        self.commands.append([])
        self.on = True

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany):
        if self.on:
            self.commands[-1].append(("sql", statement, parameters, executemany))

    def _driver_statement(self, statement, parameters, executemany) -> None:
        self._statement(None, None, statement, parameters, None, executemany)

    def _commit(self, _conn) -> None:
        if self.on:
            self.commands[-1].append(("commit",))

    def _rollback(self, _conn) -> None:
        if self.on:
            self.commands[-1].append(("rollback",))


def replay(conn: sqlite3.Connection, steps: list[tuple[Any, ...]]) -> None:
    # As the store's driver does: a transaction begins before the first write
    # (pysqlite's implicit BEGIN), and a read alone begins none.
    begun = False
    for step in steps:
        if step[0] == "sql":
            _, sql, params, many = step
            if not begun and sql.lstrip()[:9].upper().startswith(_DML):
                conn.execute("BEGIN")
                begun = True
            if many:
                conn.executemany(sql, params)
            else:
                conn.execute(sql, params).fetchall()
        elif begun:
            conn.execute("COMMIT" if step[0] == "commit" else "ROLLBACK")
            begun = False


def lifecycle(service, lead: str, head: str, unit: str, deadline, n: int, timed) -> None:
    with timed():
        task = service.assign_task(lead, unit=unit, deadline=deadline,
                                   title=f"Nhiệm vụ đo {n} (dữ liệu mẫu)")
    with timed():
        service.start_task(head, task)
    with timed():
        service.note_progress(head, task, "Đã làm được một nửa", percent=50)
    with timed():
        service.submit_report(head, task, "Đã hoàn thành (dữ liệu mẫu)")
    with timed():
        service.verify_task(lead, task, "Đạt")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=10, help="tasks per round")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="nhiemvu-bench-floor-"))
    store_path, copy_path = folder / "store.sqlite3", folder / "replay.sqlite3"
    service_ms: list[float] = []
    replay_ms: list[float] = []
    statements: list[int] = []
    try:
        store = System(f"sqlite:///{store_path}")
        service = store.service
        service.add_unit("BDO", "Đơn vị đo (dữ liệu mẫu)")
        service.add_user("lead_do", "leader", "mat-khau-1")
        service.add_user("head_do", "unit_head", "mat-khau-1", unit="BDO")
        deadline = local_today() + timedelta(days=30)
        with store.engine.connect() as conn:
            synchronous = int(conn.exec_driver_sql("PRAGMA synchronous").scalar())
        recorder = Recorder()

        class Timed:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                service_ms.append((time.perf_counter() - self.started) * 1000)

        class Recorded:
            def __enter__(self):
                recorder.start()

            def __exit__(self, *exc):
                recorder.on = False

        for n in range(5):  # warm-up: caches, first-use imports
            lifecycle(service, "lead_do", "head_do", "BDO", deadline, n, lambda: Timed())
        service_ms.clear()
        recorder.commands.clear()
        for r in range(args.rounds):
            for n in range(args.per_round):
                lifecycle(service, "lead_do", "head_do", "BDO", deadline, r * 1000 + n,
                          lambda: Timed())
            with store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(store_path, copy_path)
            first = len(recorder.commands)
            for n in range(args.per_round):
                lifecycle(service, "lead_do", "head_do", "BDO", deadline, r * 1000 + 500 + n,
                          lambda: Recorded())
            bare = sqlite3.connect(copy_path, isolation_level=None)
            bare.execute("PRAGMA journal_mode=WAL")
            bare.execute(f"PRAGMA synchronous={synchronous}")
            for steps in recorder.commands[first:]:
                started = time.perf_counter()
                replay(bare, steps)
                replay_ms.append((time.perf_counter() - started) * 1000)
                statements.append(sum(1 for s in steps if s[0] == "sql"))
            bare.close()
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    service_p50, replay_p50 = statistics.median(service_ms), statistics.median(replay_ms)
    report = {
        "machine": {"node": platform.node(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "sqlite": sqlite3.sqlite_version},
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
        "rounds": args.rounds, "per_round": args.per_round,
        "commands_timed": len(service_ms),
        "service_p50_ms": round(service_p50, 3),
        "replay_p50_ms": round(replay_p50, 3),
        "database_share": round(replay_p50 / service_p50, 3),
        "statements_per_command": statistics.median(statements),
        "synchronous": synchronous,
    }
    print(f"{report['machine']['node']} · {os.cpu_count()} cores · Python "
          f"{platform.python_version()} · SQLite {sqlite3.sqlite_version} · {report['date']}")
    print("| figure | SQLite |\n|---|---|")
    print(f"| service command p50 | {service_p50:.2f} ms |")
    print(f"| its statements replayed on sqlite3, p50 | {replay_p50:.2f} ms |")
    print(f"| → the database's share | {replay_p50 / service_p50:.0%} |")
    print(f"| statements per command | {statistics.median(statements):g} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return report


if __name__ == "__main__":
    main()
