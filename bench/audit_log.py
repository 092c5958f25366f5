"""Time the audit log on a store made by ``bench/generate.py``: the page's query for each
kind of filter (p50/p95 ms), and the CSV and XLSX exports (rows/s). Prints JSON.

Goals (issue 11): a page with any filter p95 ≤ 50 ms; an export ≥ 20,000 rows/s on
100,000 tasks / about 1,000,000 events. Figures: docs/performance.md, "The audit log
and its exports". Opening the store catches the read models up
(or rebuilds them, if their definition changed) before anything is timed.

    .venv/bin/python bench/audit_log.py --database sqlite:///bench.sqlite3
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from sqlalchemy import func, select  # noqa: E402

from events import queries  # noqa: E402
from events.exports import audit_file  # noqa: E402
from events.queries.audit import audit_rows  # noqa: E402
from events.readmodels import tables  # noqa: E402
from events.system import System  # noqa: E402

A = tables.audit
TYPES = ("TaskAssigned", "WorkStarted", "ProgressNoted", "ReportSubmitted", "ReportVerified",
         "ReportReturned", "DeadlineExtended", "TaskReassigned", "TaskCancelled")


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(samples, 50), 2),
            "p95_ms": round(percentile(samples, 95), 2)}


def choices(store: System) -> dict[str, list]:
    """Values to filter by, read from the store: people, units, tasks, days."""
    with store.engine.connect() as conn:
        actors = sorted(conn.execute(select(A.c.actor).distinct()).scalars())
        units = sorted(u for u in conn.execute(select(A.c.unit).distinct()).scalars() if u)
        tasks = list(conn.execute(select(A.c.aggregate_id).where(A.c.kind == "task")
                                  .order_by(A.c.position.desc()).limit(2000)).scalars())
        first, last = conn.execute(select(func.min(A.c.at), func.max(A.c.at))).one()
    days = [(first.date() + timedelta(days=n)) for n in range((last - first).days + 1)]
    return {"actor": actors, "unit": units, "task": tasks, "type": list(TYPES), "day": days}


def page_filters(rng: random.Random, values: dict[str, list]) -> dict[str, Callable[[], dict]]:
    """Each kind of filter the page offers, alone and in pairs: a new random value at
    each call (an empty result, e.g. a person never in that unit, is the slow case)."""
    def one(name: str) -> Callable[[], dict]:
        return lambda: {name: rng.choice(values[name])}

    def days() -> dict:
        since = rng.choice(values["day"])
        return {"since": since, "until": since + timedelta(days=rng.choice([0, 6, 30]))}

    def both(*makers: Callable[[], dict]) -> Callable[[], dict]:
        return lambda: {k: v for make in makers for k, v in make().items()}

    actor, unit, type_ = one("actor"), one("unit"), one("type")
    return {
        "none": lambda: {}, "actor": actor, "unit": unit, "type": type_, "task": one("task"),
        "days": days,
        "since": lambda: {"since": rng.choice(values["day"])},
        "until": lambda: {"until": rng.choice(values["day"])},
        "actor+type": both(actor, type_), "unit+type": both(unit, type_),
        "actor+unit": both(actor, unit), "actor+unit+type": both(actor, unit, type_),
        "unit+days": both(unit, days), "actor+days": both(actor, days),
        "type+days": both(type_, days), "actor+type+days": both(actor, type_, days),
        "next page": lambda: {"before": str(rng.randint(1000, 900_000))},
    }


def export(store: System, kind: str, limit: int | None, runs: int) -> dict[str, float]:
    """The whole log (or its newest ``limit`` rows) as a file, ``runs`` times: the
    median run's rate."""
    timings = []
    for _ in range(runs):
        entries = audit_rows(store)
        if limit:
            entries = itertools.islice(entries, limit)
        counted = _Counted(entries)
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            if kind == "csv":
                audit_file.write_audit_csv(out, counted)
            else:
                audit_file.write_audit_xlsx(out, counted)
            size = out.tell()
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    return {"rows": counted.n, "runs": runs, "median_s": round(seconds, 2),
            "rows_per_s": round(counted.n / seconds) if seconds else 0, "bytes": size}


class _Counted:
    def __init__(self, entries):
        self.entries, self.n = entries, 0

    def __iter__(self):
        for entry in self.entries:
            self.n += 1
            yield entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--runs", type=int, default=50, help="Page queries per filter kind.")
    parser.add_argument("--rows", type=int, default=None,
                        help="Export at most this many rows (default: all).")
    parser.add_argument("--exports", type=int, default=1, help="Runs of each export.")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load = round(os.getloadavg()[0], 2)
    opened = time.perf_counter()
    with System(args.database) as store:
        caught_up = time.perf_counter() - opened
        with store.engine.connect() as conn:
            events = conn.execute(select(func.count()).select_from(A)).scalar_one()
        values = choices(store)
        pages = {}
        for name, make in page_filters(rng, values).items():
            pages[name] = timed(lambda make=make: queries.audit_log(store, **make(), limit=50),
                                args.runs)
        result = {
            "database": store.engine.dialect.name, "events": events,
            "open_and_catch_up_s": round(caught_up, 1), "page": pages,
            "export_csv": export(store, "csv", args.rows, args.exports),
            "export_xlsx": export(store, "xlsx", args.rows, args.exports),
            "measured_on": date.today().isoformat(),
            # How busy the machine was: its load over the last minute, before and after.
            "load": [load, round(os.getloadavg()[0], 2)],
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
