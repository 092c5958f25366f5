"""Commands per second through the service, on each event-store recorder we could use.

Why this exists: docs/architecture.md chooses ``eventsourcing-sqlalchemy`` over the
library's own SQLite/PostgreSQL recorders. This measures what that costs on our own
workload: N tasks each assigned, started and reported (three saves), then N task loads.

- ``*-sqlalchemy``, ``*-ours`` (its subclass, ``events.log.recorder``) and ``*-core``:
  the bare ``Workflow`` service, no read models, no aggregate cache;
- ``*-store``: the whole ``events.system.System`` (eventsourcing-sqlalchemy), with every
  projection caught up after each command, as the CLI and the web app run it.

    .venv/bin/pip install -e '.[bench]'    # the core PostgreSQL recorder needs psycopg-pool
    .venv/bin/python bench/store_writes.py --tasks 2000
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")


from bench.scratch import PG, create_database, drop_database, url_of  # noqa: E402
from events.system import System  # noqa: E402
from workflow.application import Workflow  # noqa: E402
from workflow.clock import local_today  # noqa: E402


def _run(service: Workflow, tasks: int) -> dict[str, float]:
    service.add_unit("VP", "Văn phòng (dữ liệu mẫu)")
    service.add_user("lead", "leader", "mat-khau-1")
    service.add_user("head", "unit_head", "mat-khau-1", unit="VP")
    ids = []
    # Deadlines may lie at most ten years ahead (workflow.validate).
    deadline = local_today() + timedelta(days=365)
    started = time.perf_counter()
    for n in range(tasks):
        task = service.assign_task("lead", unit="VP", deadline=deadline,
                                   title=f"Nhiệm vụ mẫu {n}")
        service.start_task("head", task)
        service.submit_report("head", task, "Đã xong (dữ liệu mẫu)")
        ids.append(task)
    elapsed = time.perf_counter() - started
    loads = []
    for task in ids:
        begin = time.perf_counter()
        service.get_task(task)
        loads.append((time.perf_counter() - begin) * 1000)
    return {"saves_per_s": 3 * tasks / elapsed, "load_p50_ms": statistics.median(loads)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nhiemvu-bench-"))
    results: dict[str, dict[str, float]] = {}

    def bare(name: str, env: dict[str, str]) -> None:
        service = Workflow(env)
        try:
            results[name] = _run(service, args.tasks)
        finally:
            service.close()

    bare("sqlite-sqlalchemy", {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                               "SQLALCHEMY_URL": f"sqlite:///{folder / 'a.sqlite3'}"})
    bare("sqlite-ours", {"PERSISTENCE_MODULE": "events.log.recorder:Factory",
                         "SQLALCHEMY_URL": f"sqlite:///{folder / 'o.sqlite3'}"})
    bare("sqlite-core", {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                         "SQLITE_DBNAME": str(folder / "b.sqlite3")})
    with System(f"sqlite:///{folder / 'c.sqlite3'}") as store:
        results["sqlite-store"] = _run(store.service, args.tasks)

    for name, kind in (("postgres-sqlalchemy", "sa"), ("postgres-ours", "ours"),
                       ("postgres-core", "core"), ("postgres-store", "store")):
        database = create_database("nhiemvu_bench")
        url = url_of(database)
        try:
            if kind == "sa":
                bare(name, {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                            "SQLALCHEMY_URL": url})
            elif kind == "ours":
                bare(name, {"PERSISTENCE_MODULE": "events.log.recorder:Factory",
                            "SQLALCHEMY_URL": url})
            elif kind == "core":
                bare(name, {"PERSISTENCE_MODULE": "eventsourcing.postgres",
                            "POSTGRES_DBNAME": database, "POSTGRES_HOST": PG["host"],
                            "POSTGRES_PORT": PG["port"], "POSTGRES_USER": PG["user"],
                            "POSTGRES_PASSWORD": ""})
            else:
                with System(url) as store:
                    results[name] = _run(store.service, args.tasks)
        finally:
            drop_database(database)

    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {now} · {args.tasks} tasks × 3 saves")
    print("| recorder | saves/s | task load p50 ms |")
    print("|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['saves_per_s']:,.0f} | {figures['load_p50_ms']:.2f} |")


if __name__ == "__main__":
    main()
