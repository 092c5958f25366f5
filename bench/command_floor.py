"""The database's own share of a command: its statements replayed on the bare driver.

The service's commands (bench/commands.py's lifecycle: assign, start, note, report,
verify) run on a store while every statement they send, with its parameters as the
driver got them, and every transaction's commit and rollback are recorded. The same
statements are replayed, command by command, on the bare driver (``sqlite3``,
``psycopg``) against a copy of the store taken before the first recorded command, so
the copy goes through the same states as the store: same file settings (WAL,
``synchronous`` as the store has it) on SQLite, same server on PostgreSQL, each
transaction committed where the service committed. On PostgreSQL the replay waits
where the service waits: the statements in a pipeline, waiting at each one whose rows
the service read (the event's insert with its ``RETURNING``) and at the commit.

What the replay takes is the database's work (B-trees, indexes, the WAL write and
its flush, the round trips); the rest of the service's time is Python: the domain,
the event's encoding, the read models' code, SQLAlchemy, psycopg and the library. The
raw insert + commit loop of bench/commands.py (bench/raw_commits.py) runs in the same
rounds, so each database has three rates side by side: the service's, the replay's
(the service with no Python at all) and the raw loop's. ``replay_fraction_of_raw`` is
the most of the raw rate these statements can give (the ceiling of
``fraction_of_raw`` in bench/commands.py). The service (its statements replayed at
once after it) and the raw loop go first in every other round, so the noise of a
shared machine falls on all alike.

    .venv/bin/python bench/command_floor.py --rounds 10 --per-round 10
    .venv/bin/python bench/command_floor.py --skip-postgres --out /tmp/floor.json

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
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

import psycopg  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from bench.markdown import markdown_table  # noqa: E402
from bench.raw_commits import PostgresLoop, SQLiteLoop, state_size  # noqa: E402
from events.sql import compiled  # noqa: E402
from events.system import System  # noqa: E402
from workflow.clock import local_today  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "command_floor.json"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PATHS = ("service", "replay", "raw")
_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "LOCK")


class Recorder:
    """Every statement and transaction end of the process's engines, per command."""

    def __init__(self) -> None:
        self.on = False
        self.commands: list[list[tuple[Any, ...]]] = []
        event.listen(Engine, "before_cursor_execute", self._statement)
        # And those a command's read-model batch sends on the driver's cursor itself.
        compiled.listeners.append(self._driver_statement)
        event.listen(Engine, "commit", self._end("commit"))
        event.listen(Engine, "rollback", self._end("rollback"))

    def start(self) -> None:
        self.commands.append([])
        self.on = True

    def stop(self) -> None:
        self.on = False

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany):
        if self.on:
            self.commands[-1].append(("sql", statement, parameters, executemany))

    def _driver_statement(self, statement, parameters, executemany) -> None:
        self._statement(None, None, statement, parameters, None, executemany)

    def _end(self, what: str) -> Callable[[Any], None]:
        def told(_conn) -> None:
            if self.on:
                self.commands[-1].append((what,))
        return told


def replay_sqlite(conn: sqlite3.Connection, steps: list[tuple[Any, ...]]) -> None:
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


class PostgresReplay:
    """A command's statements on bare psycopg, waiting where the service waits.

    In autocommit mode, as the event store's transaction runs (``compiled.transaction``
    sends its own BEGIN and COMMIT, queued in the pipeline with the rest); a
    transaction SQLAlchemy began and committed (a write outside the store's own) is
    begun before its first write and committed where it was."""

    def __init__(self, conninfo: str):
        self.conn = psycopg.connect(conninfo, autocommit=True)
        # The service's fused writes come with the server's own $n placeholders.
        self.raw = psycopg.RawCursor(self.conn)
        self.cursor = self.conn.cursor()
        self.opened = False  # a transaction begun here for SQLAlchemy's
        self.explicit = False  # inside the store's own BEGIN … COMMIT

    def __call__(self, steps: list[tuple[Any, ...]]) -> None:
        with self.conn.pipeline():
            for step in steps:
                if step[0] != "sql":
                    if self.opened:
                        self.cursor.execute("COMMIT" if step[0] == "commit" else "ROLLBACK")
                        self.opened = False
                    continue
                _, sql, params, many = step
                if sql in ("BEGIN", "COMMIT", "ROLLBACK"):
                    self.explicit = sql == "BEGIN"
                elif (not (self.opened or self.explicit)
                        and sql.lstrip()[:9].upper().startswith(_DML)):
                    self.cursor.execute("BEGIN")
                    self.opened = True
                cursor = self.raw if isinstance(params, list | tuple) and "$1" in sql \
                    else self.cursor
                if many:
                    cursor.executemany(sql, params)
                    continue
                cursor.execute(sql, params or None)
                if _answers(sql):  # the service read these rows before going on
                    cursor.fetchall()

    def close(self) -> None:
        self.conn.close()


def _answers(sql: str) -> bool:
    # A fused statement of writes (``WITH w0 AS (…) INSERT …``) answers nothing.
    upper = sql.upper()
    return upper.lstrip().startswith("SELECT") or "RETURNING" in upper


class Side:
    """One database: the store, the copy its statements are replayed on, a raw loop."""

    def __init__(self, name: str, store: System, replay: Callable[[list], None],
                 raw: Any, recorder: Recorder, close: Callable[[], None]):
        self.name, self.store, self.replay, self.raw = name, store, replay, raw
        self.recorder, self.close = recorder, close
        self.deadline = local_today() + timedelta(days=30)
        self.ms: dict[str, list[float]] = {path: [] for path in PATHS}
        self.statements: list[int] = []
        self.pending: list[list[tuple[Any, ...]]] = []  # recorded, not yet replayed
        self.n = 0

    def lifecycles(self, tasks: int, *, timed: bool) -> None:
        first = len(self.recorder.commands)
        service = self.store.service
        for _ in range(tasks):
            self.n += 1
            task = self._command(timed, service.assign_task, "lead_do", unit="BDO",
                                 deadline=self.deadline,
                                 title=f"Nhiệm vụ đo {self.n} (dữ liệu mẫu)")
            self._command(timed, service.start_task, "head_do", task)
            self._command(timed, service.note_progress, "head_do", task,
                          "Đã làm được một nửa", percent=50)
            self._command(timed, service.submit_report, "head_do", task,
                          "Đã hoàn thành (dữ liệu mẫu)")
            self._command(timed, service.verify_task, "lead_do", task, "Đạt")
        self.pending = self.recorder.commands[first:]
        del self.recorder.commands[first:]

    def _command(self, timed: bool, command: Callable[..., Any], *args: Any,
                 **kwargs: Any) -> Any:
        """One command, its statements recorded, its time kept if ``timed``."""
        self.recorder.start()
        started = time.perf_counter()
        done = command(*args, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        self.recorder.stop()
        if timed:
            self.ms["service"].append(elapsed)
        return done

    def replayed(self, *, timed: bool) -> None:
        for steps in self.pending:
            started = time.perf_counter()
            self.replay(steps)
            if timed:
                self.ms["replay"].append((time.perf_counter() - started) * 1000)
                self.statements.append(sum(1 for s in steps if s[0] == "sql"))
        self.pending = []

    def raw_loop(self, commits: int) -> None:
        for _ in range(commits):
            started = time.perf_counter()
            self.raw.insert(1)
            self.ms["raw"].append((time.perf_counter() - started) * 1000)

    def figures(self) -> dict[str, Any]:
        p50 = {path: statistics.median(self.ms[path]) for path in PATHS}
        per_s = {path: len(self.ms[path]) / (sum(self.ms[path]) / 1000) for path in PATHS}
        return {
            "commands_timed": len(self.ms["service"]),
            "service_p50_ms": round(p50["service"], 3),
            "replay_p50_ms": round(p50["replay"], 3),
            "raw_p50_ms": round(p50["raw"], 3),
            "database_share": round(p50["replay"] / p50["service"], 3),
            "service_per_s": round(per_s["service"], 1),
            "replay_per_s": round(per_s["replay"], 1),
            "raw_per_s": round(per_s["raw"], 1),
            "service_fraction_of_raw": round(per_s["service"] / per_s["raw"], 3),
            "replay_fraction_of_raw": round(per_s["replay"] / per_s["raw"], 3),
            "statements_per_command": statistics.median(self.statements),
        }


def _setup(store: System) -> None:
    service = store.service
    service.add_unit("BDO", "Đơn vị đo (dữ liệu mẫu)")
    service.add_user("lead_do", "leader", "mat-khau-1")
    service.add_user("head_do", "unit_head", "mat-khau-1", unit="BDO")


def sqlite_side(folder: Path, recorder: Recorder) -> tuple[Side, dict[str, Any]]:
    store_path, copy_path = folder / "store.sqlite3", folder / "replay.sqlite3"
    store = System(f"sqlite:///{store_path}")
    _setup(store)
    with store.engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = int(conn.exec_driver_sql("PRAGMA synchronous").scalar())
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(store_path, copy_path)
    bare = sqlite3.connect(copy_path, isolation_level=None)
    bare.execute(f"PRAGMA journal_mode={journal}")
    bare.execute(f"PRAGMA synchronous={synchronous}")
    raw = SQLiteLoop(str(folder / "raw.sqlite3"), journal_mode=journal,
                     synchronous=synchronous, state_size=state_size(store))
    def close() -> None:
        store.close()
        bare.close()
        raw.close()

    side = Side("sqlite", store, lambda steps: replay_sqlite(bare, steps), raw, recorder,
                close)
    return side, {"journal_mode": journal, "synchronous": synchronous,
                  "sqlite": sqlite3.sqlite_version}


def postgres_side(recorder: Recorder, admin_url: str) -> tuple[Side, dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    names = (f"nhiemvu_floor_{tag}", f"nhiemvu_floor_{tag}_replay")
    server = make_url(admin_url)

    def at(database: str, driver: str = server.drivername) -> str:
        return server.set(drivername=driver, database=database).render_as_string(
            hide_password=False)

    def _admin() -> psycopg.Connection:
        return psycopg.connect(at(server.database, "postgresql"), autocommit=True)

    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{names[0]}"')
    store = System(at(names[0]))
    _setup(store)
    size = state_size(store)
    with store.engine.connect() as conn:
        synchronous = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        version = conn.exec_driver_sql("SHOW server_version").scalar()
    store.close()  # a database copied as a template may have no one connected
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"')
    store = System(at(names[0]))
    replay = PostgresReplay(at(names[1], "postgresql"))
    raw = PostgresLoop(at(names[1], "postgresql"), state_size=size)

    def close() -> None:
        store.close()
        replay.close()
        raw.close()
        with _admin() as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    side = Side("postgresql", store, replay, raw, recorder, close)
    return side, {"synchronous_commit": synchronous, "server": version}


def measure(sides: list[Side], rounds: int, per_round: int) -> None:
    for side in sides:  # warm-up, replayed too so the copy keeps step with the store
        side.lifecycles(2, timed=False)
        side.replayed(timed=False)
        side.raw_loop(5)
    for r in range(rounds):
        for side in sides:
            # The service (its statements replayed at once after it) and the raw loop
            # each go first in every other round.
            for path in (("service", "raw") if r % 2 == 0 else ("raw", "service")):
                if path == "service":
                    side.lifecycles(per_round, timed=True)
                    side.replayed(timed=True)
                else:
                    side.raw_loop(per_round * 5)


def table(results: dict[str, dict[str, Any]]) -> str:
    return markdown_table([
        ("service command p50", lambda f: f"{f['service_p50_ms']:.2f} ms"),
        ("its statements replayed on the bare driver, p50",
         lambda f: f"{f['replay_p50_ms']:.2f} ms"),
        ("→ the database's share", lambda f: f"{f['database_share']:.0%}"),
        ("raw insert + commit /s", lambda f: f"{f['raw_per_s']:,.0f}"),
        ("service commands /s → fraction of raw",
         lambda f: f"{f['service_per_s']:,.0f} → {f['service_fraction_of_raw']:.1%}"),
        ("replayed commands /s → fraction of raw (no Python at all)",
         lambda f: f"{f['replay_per_s']:,.0f} → {f['replay_fraction_of_raw']:.1%}"),
        ("statements per command", lambda f: f"{f['statements_per_command']:g}"),
    ], results)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=10, help="tasks per round")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--postgres-admin", default=PG_ADMIN,
                        help="a database on the server to connect to while two temporary "
                        "ones (the store and its copy) are made and dropped (default: "
                        "%(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="nhiemvu-bench-floor-"))
    recorder = Recorder()
    sides: list[Side] = []
    settings: dict[str, dict[str, Any]] = {}
    try:
        side, settings["sqlite"] = sqlite_side(folder, recorder)
        sides.append(side)
        if not args.skip_postgres:
            side, settings["postgresql"] = postgres_side(recorder, args.postgres_admin)
            sides.append(side)
        measure(sides, args.rounds, args.per_round)
    finally:
        for side in sides:
            side.close()
        shutil.rmtree(folder, ignore_errors=True)
    report: dict[str, Any] = {
        "machine": {"node": platform.node(), "cpus": os.cpu_count(),
                    "python": platform.python_version()},
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
        "rounds": args.rounds, "per_round": args.per_round,
    }
    for side in sides:
        report[side.name] = {**side.figures(), **settings[side.name]}
    results = {side.name: report[side.name] for side in sides}
    print(f"{report['machine']['node']} · {os.cpu_count()} cores · Python "
          f"{platform.python_version()} · {report['date']}")
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return report


if __name__ == "__main__":
    main()
