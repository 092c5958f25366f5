"""Page and command latency as the log grows, and against concurrency.

One store grows in steps to each of ``--sizes`` events (default 10,000, 100,000 and
1,000,000): ``bench/generate.py``'s tasks with one seed, so each step holds what
``generate.py`` would make with that many tasks, plus the commands timed before it.
At each size the read models are rebuilt, then a new web app (Flask's test client,
signed in as a leader, gzip) serves the pages of ``bench/web_pages.py``, interleaved
round by round, and the service runs ``note_progress`` commands (the whole command:
actor, task, save, read models caught up). At the last size, 1, 2, 4, 8… clients
(``--clients``), each on its own thread, issue page requests (dashboard, task list,
task page in turn) and then commands (each on its own tasks) at once. Results, with
the machine, the date and the command line: ``bench/results/growth.json``, under the
database's name (a run on the other database is kept beside it); the figure:
``bench/plot_growth.py``.

    .venv/bin/python bench/growth.py                               # SQLite, a temporary file
    .venv/bin/python bench/growth.py --database postgresql+psycopg://postgres@127.0.0.1/EMPTY_DB
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from bench.generate import add_tasks, organisation  # noqa: E402
from bench.web_pages import NOW, page_requests, percentile, signed_in  # noqa: E402
from events import queries  # noqa: E402
from events.system import System  # noqa: E402
from web import create_app, storage  # noqa: E402
from workflow.clock import FixedClock  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "growth.json"
# generate.py's tasks average 9.54 events (954,201 for 100,000); refined as the store grows.
EVENTS_PER_TASK = 9.54
# What the concurrent clients ask for, in turn: the three pages with targets (issue 4).
MIX = ("dashboard", "task_list", "task_page")


def summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50_ms": round(percentile(samples, 50), 2),
            "p95_ms": round(percentile(samples, 95), 2)}


def web_app(url: str, folder: str):
    # The limiter would refuse the many sign-ins of one account; it is not what is timed.
    return create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "CLOCK": FixedClock(NOW),
                       "INSTANCE_PATH": folder, "RATELIMIT_ENABLED": False})


def open_tasks(store: System) -> list[dict]:
    """Tasks in progress: a unit head can note progress on them again and again."""
    return list(queries.board(store, state="in_progress", limit=500).rows)


def note_progress(store: System, row: dict) -> None:
    store.service.note_progress(f"head_{row['unit'].lower()}", row["id"],
                                "Đo thời gian (growth)", percent=50)


def pages(store: System, app, rng: random.Random) -> dict[str, Callable[[], None]]:
    """A new signed-in client's page requests (``bench/web_pages.py``)."""
    client, _ = signed_in(app, "lead")
    units = [u["code"] for u in queries.units(store)]
    sample = [row["id"] for row in queries.board(store, limit=500).rows]
    return page_requests(client, rng, units, sample)


def at_size(store: System, app, rng: random.Random, runs: int, commands: int) -> dict:
    requests = pages(store, app, rng)
    for request in requests.values():  # the first request opens the app's store
        request()
    samples: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(runs):
        for name, request in requests.items():
            started = time.perf_counter()
            request()
            samples[name].append((time.perf_counter() - started) * 1000)
    rows, timings = open_tasks(store), []
    note_progress(store, rows[0])  # a checkpoint of the seal may be due: not timed
    for _ in range(commands):
        row = rng.choice(rows)
        started = time.perf_counter()
        note_progress(store, row)
        timings.append((time.perf_counter() - started) * 1000)
    return {"pages": {name: summary(s) for name, s in samples.items()},
            "command": summary(timings)}


def at_once(clients: int, per_client: int, actions: list[Callable[[], None]]) -> dict:
    """``clients`` threads, each calling its action ``per_client`` times, all started
    together; latency of each call, and calls per second over the whole."""
    barrier, lock = threading.Barrier(clients + 1), threading.Lock()
    samples: list[float] = []
    errors: list[str] = []

    def client(action: Callable[[], None]) -> None:
        mine = []
        barrier.wait()
        for _ in range(per_client):
            started = time.perf_counter()
            try:
                action()
            except Exception as error:  # counted and shown, never hidden
                with lock:
                    errors.append(repr(error))
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(a,)) for a in actions[:clients]]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, **summary(samples), "per_s": round(len(samples) / wall, 1),
            "errors": len(errors), "first_error": errors[0] if errors else None}


def against_concurrency(store: System, app, levels: list[int], per_client: int) -> dict:
    most = max(levels)
    mixes = []
    for number in range(most):
        requests = pages(store, app, random.Random(number))
        for name in MIX:  # warm: the first requests open the store and fill caches
            requests[name]()
        turns = itertools.cycle([requests[name] for name in MIX])
        mixes.append(lambda turns=turns: next(turns)())
    rows = open_tasks(store)
    if len(rows) < most:
        raise SystemExit(f"{len(rows)} tasks in progress, fewer than {most} clients")
    commanders = []
    for number in range(most):
        mine = itertools.cycle(rows[number::most])  # no two clients change one task
        commanders.append(lambda mine=mine: note_progress(store, next(mine)))
    result: dict = {"events": store.projections.head(), "pages": [], "commands": []}
    for clients in levels:
        result["pages"].append(at_once(clients, per_client, mixes))
        result["commands"].append(at_once(clients, per_client, commanders))
    return result


def grow(store: System, content: dict, units: list[str], rng: random.Random,
         made: int, size: int, per_task: float) -> int:
    """Add tasks until the log holds about ``size`` events; return the tasks now."""
    wanted = made + max(0, math.ceil((size - store.projections.head()) / per_task))
    add_tasks(store, content, units, range(made, wanted), rng)
    print()
    return wanted


def machine(store: System) -> dict:
    server = store.engine.dialect.server_version_info or ()
    return {"host": platform.node(), "processor": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "python": platform.python_version(),
            "database": store.engine.dialect.name,
            "server_version": ".".join(map(str, server)) or sqlite3.sqlite_version,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def run(url: str, folder: str, args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    with System(url) as store:
        if store.projections.head():
            raise SystemExit(f"{url} is not an empty store: growth.py fills one from nothing")
        result = {"machine": machine(store),
                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
                  "sizes": []}
        content, units = organisation(store)
        made, per_task = 0, EVENTS_PER_TASK
        for size in args.sizes:
            started = time.perf_counter()
            before = store.projections.head()
            now = grow(store, content, units, rng, made, size, per_task)
            if now > made:
                per_task = (store.projections.head() - before) / (now - made)
            made, generated = now, time.perf_counter() - started
            started = time.perf_counter()
            store.projections.rebuild()
            store.projections.catch_up()  # the seal, which a rebuild leaves as it is
            rebuilt = time.perf_counter() - started
            step = {"size": size, "events": store.projections.head(), "tasks": made,
                    "generate_s": round(generated, 1), "rebuild_s": round(rebuilt, 1)}
            app = web_app(url, folder)
            step |= at_size(store, app, rng, args.runs, args.commands)
            if size == args.sizes[-1]:
                result["concurrency"] = against_concurrency(store, app, args.clients,
                                                            args.per_client)
            storage.close(app)
            result["sizes"].append(step)
            show(step)
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def show(step: dict) -> None:
    print(f"\n{step['events']:,} events ({step['tasks']:,} tasks): generated in "
          f"{step['generate_s']} s, read models rebuilt in {step['rebuild_s']} s")
    print("| request | n | p50 ms | p95 ms |\n|---|---|---|---|")
    for name, figures in [*step["pages"].items(), ("command (note_progress)", step["command"])]:
        print(f"| {name} | {figures['n']} | {figures['p50_ms']} | {figures['p95_ms']} |")


def write(output: Path, result: dict) -> None:
    """Under the database's name (``sqlite``, ``postgresql``), beside the other's run."""
    runs = json.loads(output.read_text()) if output.exists() else {}
    runs[result["machine"]["database"]] = result
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL of an EMPTY store "
                        "(default: a SQLite file in a temporary folder, removed at the end)")
    parser.add_argument("--sizes", type=numbers, default=[10_000, 100_000, 1_000_000],
                        help="events in the log at each step, rising (default %(default)s)")
    parser.add_argument("--runs", type=int, default=50, help="requests of each page per size")
    parser.add_argument("--commands", type=int, default=100, help="commands per size")
    parser.add_argument("--clients", type=numbers, default=[1, 2, 4, 8])
    parser.add_argument("--per-client", type=int, default=30,
                        help="requests, then commands, of each client at each level")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.sizes != sorted(args.sizes):
        parser.error("--sizes must rise: one store grows through them")
    folder = tempfile.mkdtemp(prefix="nhiemvu-growth-")
    try:
        result = run(args.database or f"sqlite:///{folder}/growth.sqlite3", folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    write(args.output, result)
    print(f"\nconcurrency at {result['concurrency']['events']:,} events:")
    for kind in ("pages", "commands"):
        for level in result["concurrency"][kind]:
            print(f"  {kind} × {level['clients']}: p50 {level['p50_ms']} ms, "
                  f"p95 {level['p95_ms']} ms, {level['per_s']}/s, {level['errors']} errors")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
