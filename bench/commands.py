"""Commands through the service against the raw commit limit and a plain CRUD baseline.

Four ways of recording the same change, on SQLite and PostgreSQL, interleaved round
by round (each path in each place of the order in turn, the databases alternating) so the noise
of a shared machine falls on all alike:

- **raw**: single-row INSERT + COMMIT on the bare driver into a table shaped like the
  events table (bench/raw_commits.py), with the store's durability read from its own
  connection: SQLite in WAL mode with ``synchronous`` as the store has it (FULL, 2,
  today: an fsync per commit); PostgreSQL with the server's ``synchronous_commit``
  (``on`` by default). The JSON records which (``durability``);
- **CRUD**: a ``tasks`` row updated in place plus an audit row, same rules, SQLAlchemy
  Core (bench/crud_baseline.py; ``crud_*``) and ORM (bench/crud_orm.py;
  ``crud_orm_*``), on the same durability;
- **service**: ``events.system.System(url)``, its read models caught up after every
  command as the CLI and the web run it, through its public commands only.

Each round takes ``--per-round`` tasks through assign (leader), start, note progress,
report (unit head) and verify (leader) on the CRUD and the service paths, and as many
single inserts on the raw path. SQL statements are counted per command by a
``before_cursor_execute`` listener on every SQLAlchemy engine of the process (the
store's, its read models' if they have their own, the CRUD one's), and by one on
``events.sql.compiled.listeners`` for what a command's read-model batch sends on
the driver's cursor itself: what goes through a cursor, so the driver's own
BEGIN/COMMIT on SQLite is not counted; the median is reported.

    .venv/bin/python bench/commands.py --rounds 20 --per-round 20
    .venv/bin/python bench/commands.py --skip-postgres --out /tmp/commands.json

On SQLite, after the timed rounds, what each path writes a commit is counted in WAL
frames (pages; ``wal_frames``): the WAL emptied before each command or insert, its
frames counted after, over ``FRAMED`` more tasks, untimed.

Writes ``--out`` (default bench/results/commands.json) and prints a markdown table.
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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

import psycopg  # noqa: E402
from sqlalchemy import create_engine, event  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from bench.crud_baseline import CrudTracker, metadata  # noqa: E402
from bench.crud_orm import CrudOrmTracker  # noqa: E402
from bench.markdown import markdown_table  # noqa: E402
from bench.raw_commits import PostgresLoop, SQLiteLoop, state_size  # noqa: E402
from events.sql import compiled  # noqa: E402
from events.system import System  # noqa: E402
from workflow.clock import local_today  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "commands.json"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
STEPS = ("assign", "start", "note", "report", "verify")
PATHS = ("raw", "crud", "orm", "service")
TIMED = PATHS[1:]  # the paths timed command by command
FRAMED = 10  # tasks whose commands' WAL frames are counted (SQLite)


class Counter:
    """SQL statements sent through any engine's cursors since the last ``take``.

    Every engine of the process, not one: the store may write its read models through
    an engine of its own, and paths never overlap, so a command's window holds only
    its own statements.
    """

    def __init__(self) -> None:
        self.n = 0
        event.listen(Engine, "before_cursor_execute", self._count)
        # And those a command's read-model batch sends on the driver's cursor itself.
        compiled.listeners.append(self._count)

    def _count(self, *_: object) -> None:
        self.n += 1

    def take(self) -> int:
        n, self.n = self.n, 0
        return n


STATEMENTS = Counter()


class Side:
    """One database: its raw loop, its CRUD tracker and its store, with their samples."""

    def __init__(self, name: str, raw, crud_engine: Engine, store: System):
        self.name, self.raw, self.store = name, raw, store
        self.crud = CrudTracker(crud_engine)
        self.orm = CrudOrmTracker(crud_engine)  # the same tables, units and users
        self.durability = ""  # the store's, as the caller read it
        tag = uuid.uuid4().hex[:6].upper()  # a store given by --postgres-url may hold others
        self.unit, self.lead, self.head = f"B{tag}", f"lead{tag}", f"head{tag}"
        for target in (self.crud, store.service):
            target.add_unit(self.unit, "Đơn vị đo (dữ liệu mẫu)")
        for target, extra in ((self.crud, ()), (store.service, ("mat-khau-1",))):
            target.add_user(self.lead, "leader", *extra)
            target.add_user(self.head, "unit_head", *extra, unit=self.unit)
        self.deadline = local_today() + timedelta(days=30)  # well within the horizon
        self.seconds: dict[str, float] = defaultdict(float)
        self.done: dict[str, int] = defaultdict(int)
        self.latency: dict[str, dict[str, list[float]]] = {
            path: defaultdict(list) for path in TIMED}
        self.statements: dict[str, dict[str, list[int]]] = {
            path: defaultdict(list) for path in TIMED}
        # SQLite: each path's database file, and the WAL frames counted (``wal_frames``).
        self.files: dict[str, str] = {}
        self.frames: dict[str, dict[str, list[int]]] = {path: defaultdict(list)
                                                         for path in PATHS}
        self._wal: Wal | None = None

    def run(self, path: str, tasks: int, *, record: bool = True) -> None:
        started = time.perf_counter()
        if path == "raw":
            self.raw.insert(tasks * len(STEPS))
        else:
            target = {"crud": self.crud, "orm": self.orm, "service": self.store.service}[path]
            for n in range(tasks):
                self._lifecycle(path, target, n, record)
        if record:
            self.seconds[path] += time.perf_counter() - started
            self.done[path] += tasks * len(STEPS)

    def _lifecycle(self, path: str, target, n: int, record: bool) -> None:
        def timed(step: str):
            return self._timed(path, step, record)

        with timed("assign"):
            task = target.assign_task(self.lead, unit=self.unit, deadline=self.deadline,
                                      title=f"Nhiệm vụ đo {n} (dữ liệu mẫu)")
        with timed("start"):
            target.start_task(self.head, task)
        with timed("note"):
            target.note_progress(self.head, task, "Đã làm được một nửa", percent=50)
        with timed("report"):
            target.submit_report(self.head, task, "Đã hoàn thành (dữ liệu mẫu)")
        with timed("verify"):
            target.verify_task(self.lead, task, "Đạt")

    @contextmanager
    def _timed(self, path: str, step: str, record: bool) -> Iterator[None]:
        if self._wal is not None:
            with self._wal.counting(self.frames[path][step]):
                yield
            return
        STATEMENTS.take()
        started = time.perf_counter()
        yield
        elapsed = (time.perf_counter() - started) * 1000
        if path == "service" and self.store.service.views_lag():
            # A failed catch-up is logged, not raised: timed, it would flatter the service.
            raise RuntimeError(f"the read models did not catch up after {step}")
        if record:
            self.latency[path][step].append(elapsed)
            self.statements[path][step].append(STATEMENTS.take())

    def wal_frames(self, tasks: int) -> None:
        """Count, untimed, the WAL frames of ``tasks`` more lifecycles on each path and
        as many single inserts on the raw one (SQLite only)."""
        for path in PATHS:
            self._wal = Wal(self.files[path])
            try:
                if path == "raw":
                    for _ in range(tasks * len(STEPS)):
                        with self._wal.counting(self.frames["raw"]["insert"]):
                            self.raw.insert(1)
                else:
                    self.run(path, tasks, record=False)
            finally:
                self._wal.close()
                self._wal = None

    def figures(self) -> dict[str, object]:
        crud, orm, service = (_all(self.latency[p]) for p in TIMED)
        raw_per_s = self.done["raw"] / self.seconds["raw"]
        command_per_s = self.done["service"] / self.seconds["service"]
        command_p50, crud_p50 = statistics.median(service), statistics.median(crud)
        return {
            "raw_per_s": round(raw_per_s, 1),
            "command_per_s": round(command_per_s, 1),
            "command_p50_ms": round(command_p50, 3),
            "command_p95_ms": round(percentile(service, 95), 3),
            "crud_per_s": round(self.done["crud"] / self.seconds["crud"], 1),
            "crud_p50_ms": round(crud_p50, 3),
            "crud_p95_ms": round(percentile(crud, 95), 3),
            "statements_per_command": statistics.median(_all(self.statements["service"])),
            "crud_statements_per_command": statistics.median(_all(self.statements["crud"])),
            "crud_orm_p50_ms": round(statistics.median(orm), 3),
            "crud_orm_p95_ms": round(percentile(orm, 95), 3),
            "crud_orm_statements_per_command":
                statistics.median(_all(self.statements["orm"])),
            "fraction_of_raw": round(command_per_s / raw_per_s, 4),
            "latency_vs_crud": round(command_p50 / crud_p50, 2),
            "by_command": {step: {
                "p50_ms": round(statistics.median(self.latency["service"][step]), 3),
                "statements": statistics.median(self.statements["service"][step]),
                "crud_p50_ms": round(statistics.median(self.latency["crud"][step]), 3),
                "crud_statements": statistics.median(self.statements["crud"][step]),
                "crud_orm_p50_ms": round(statistics.median(self.latency["orm"][step]), 3),
            } for step in STEPS},
            "durability": self.durability,
            "commands_timed": self.done["service"],
            **({"wal_frames_per_commit": {
                path: {step: statistics.median(counts) for step, counts in steps.items()}
                for path, steps in self.frames.items()}} if self.files else {}),
        }


class Wal:
    """A second connection to a SQLite file in WAL mode, counting the frames (pages)
    what runs inside ``counting`` appends to the WAL, emptied first."""

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path)

    @contextmanager
    def counting(self, into: list[int]) -> Iterator[None]:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        yield
        # (busy, frames in the WAL, frames checkpointed): nothing else writes here.
        into.append(self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])

    def close(self) -> None:
        self.conn.close()


def _all(samples: dict[str, list]) -> list:
    return [value for step in STEPS for value in samples[step]]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def sqlite_side(folder: Path) -> Side:
    store = System(f"sqlite:///{folder / 'store.sqlite3'}")
    with store.engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = int(conn.exec_driver_sql("PRAGMA synchronous").scalar())
    raw = SQLiteLoop(str(folder / "raw.sqlite3"), journal_mode=journal,
                     synchronous=synchronous, state_size=state_size(store))
    crud_engine = create_engine(f"sqlite:///{folder / 'crud.sqlite3'}")

    @event.listens_for(crud_engine, "connect")
    def _durability(dbapi_conn, _record) -> None:
        dbapi_conn.execute(f"PRAGMA journal_mode={journal}")
        dbapi_conn.execute(f"PRAGMA synchronous={synchronous}")

    side = Side("sqlite", raw, crud_engine, store)
    side.durability = f"journal_mode={journal}, synchronous={synchronous}"
    side.files = {"raw": str(folder / "raw.sqlite3"), "crud": str(folder / "crud.sqlite3"),
                  "orm": str(folder / "crud.sqlite3"), "service": str(folder / "store.sqlite3")}
    return side


def postgres_side(url: str) -> Side:
    store = System(url)
    with store.engine.connect() as conn:
        synchronous = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    raw = PostgresLoop(conninfo, state_size=state_size(store))
    crud_engine = create_engine(url)
    side = Side("postgresql", raw, crud_engine, store)
    side.durability = f"synchronous_commit={synchronous}"
    return side


def close(side: Side) -> None:
    side.raw.close()
    if side.name == "postgresql":  # the tables of a database given by --postgres-url
        metadata.drop_all(side.crud.engine)
    side.crud.engine.dispose()
    side.store.close()


def _admin() -> psycopg.Connection:
    return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                           autocommit=True)


def measure(sides: list[Side], rounds: int, per_round: int) -> None:
    for side in sides:  # warm-up: caches, prepared statements, first-use imports
        for path in PATHS:
            side.run(path, 1, record=False)
    # Each path in each place of the order equally often: the rotations, then reversed.
    rotations = [PATHS[i:] + PATHS[:i] for i in range(len(PATHS))]
    orders = rotations + [order[::-1] for order in rotations]
    for r in range(rounds):
        for side in sides if r % 2 == 0 else reversed(sides):
            for path in orders[r % len(orders)]:
                side.run(path, per_round)


def table(results: dict[str, dict]) -> str:
    rows = [
        ("raw insert + commit /s", lambda f: f"{f['raw_per_s']:,.0f}"),
        ("service commands /s", lambda f: f"{f['command_per_s']:,.0f}"),
        ("service p50 / p95 ms", lambda f: f"{f['command_p50_ms']:.2f} / "
                                           f"{f['command_p95_ms']:.2f}"),
        ("→ fraction of raw", lambda f: f"{f['fraction_of_raw']:.1%}"),
        ("CRUD Core p50 / p95 ms",
         lambda f: f"{f['crud_p50_ms']:.2f} / {f['crud_p95_ms']:.2f}"),
        ("CRUD ORM p50 / p95 ms",
         lambda f: f"{f['crud_orm_p50_ms']:.2f} / {f['crud_orm_p95_ms']:.2f}"),
        ("→ service p50 / CRUD Core p50", lambda f: f"{f['latency_vs_crud']:.1f}×"),
        ("SQL statements per command (CRUD Core, ORM)",
         lambda f: f"{f['statements_per_command']:g} ({f['crud_statements_per_command']:g}, "
                   f"{f['crud_orm_statements_per_command']:g})"),
        ("WAL frames a commit: service, CRUD Core, raw (median)", _frames),
    ]
    return markdown_table(rows, results)


def _frames(figures: dict) -> str:
    frames = figures.get("wal_frames_per_commit")
    if not frames:
        return "–"
    return ", ".join(f"{statistics.median(frames[path].values()):g}"
                     for path in ("service", "crud", "raw"))


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--per-round", type=int, default=20,
                        help="tasks per round and path, five commands each")
    parser.add_argument("--postgres-url", help="an existing database to use (default: a "
                        "temporary one on " + PG_SERVER + ", dropped at the end)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="nhiemvu-bench-commands-"))
    temporary = None
    sides: list[Side] = []
    try:
        sides.append(sqlite_side(folder))
        if not args.skip_postgres:
            url = args.postgres_url
            if url is None:
                temporary = f"nhiemvu_bench_{uuid.uuid4().hex[:8]}"
                with _admin() as admin:
                    admin.execute(f'CREATE DATABASE "{temporary}"')
                url = PG_SERVER + temporary
            sides.append(postgres_side(url))
        measure(sides, args.rounds, args.per_round)
        for side in sides:
            if side.files:
                side.wal_frames(FRAMED)
        results = {side.name: side.figures() for side in sides}
    finally:
        for side in sides:
            close(side)
        shutil.rmtree(folder, ignore_errors=True)
        if temporary:
            with _admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{temporary}" WITH (FORCE)')
    report = {
        "machine": {"node": platform.node(), "cpus": os.cpu_count(),
                    "python": platform.python_version()},
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
        "rounds": args.rounds, "per_round": args.per_round,
        **results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
          f" · {report['date']} · {args.rounds} rounds × {args.per_round} tasks × "
          f"{len(STEPS)} commands per path")
    print(table(results))
    return report


if __name__ == "__main__":
    main()
