"""Time the deadline sweep over N open tasks of which 1% cross a threshold.

The store gets N open tasks (only their ``TaskAssigned`` events, made by
``Task.assign`` under an injected clock and inserted in large batches, as
``bench/generate.py`` does), and 30 units with a head and two members each, all
with e-mail addresses. Cohorts of N/100 tasks (``--crossing``) are due "7 days left" on 10, 11, 12
and 13/03/2025; every other deadline is months away. Timed (wall clock, after the
read models have caught up):

- a sweep on each of 10, 11, 12/03 (no mail): 1% of the tasks cross, each one is
  recorded, the feed and schedule projections catch up;
- a sweep on 13/03 that also queues one mail per person (the outbox);
- sweeps with nothing due (the cost that does not depend on the crossing tasks).

    .venv/bin/python bench/bench_alerts.py --tasks 100000 --database sqlite:////tmp/a.sqlite3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from sqlalchemy import insert  # noqa: E402

from bench.generate import PASSWORD  # noqa: E402
from events.processes.sweep import sweep  # noqa: E402
from events.system import System  # noqa: E402
from workflow.clock import LOCAL_TZ, FixedClock, use_clock  # noqa: E402
from workflow.rules import Actor  # noqa: E402
from workflow.task import Task  # noqa: E402

UNITS = 30
ASSIGNED = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
FIRST_SWEEP = date(2025, 3, 10)


def organisation(store: System) -> list[str]:
    service = store.service
    service.add_user("lead", "leader", PASSWORD, email="lead@xa.invalid")
    units = [f"U{n:02d}" for n in range(UNITS)]
    for code in units:
        service.add_unit(code, f"Đơn vị mẫu {code}")
        for role, name in (("unit_head", "head"), ("member", "m1"), ("member", "m2")):
            username = f"{name}_{code.lower()}"
            service.add_user(username, role, PASSWORD, unit=code,
                             email=f"{username}@xa.invalid")
    return units


def tasks(store: System, count: int, cohort: int, units: list[str], batch: int = 5000) -> None:
    service = store.service
    table = service.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    lead = Actor("lead", "leader")
    with use_clock(FixedClock(ASSIGNED)):
        for first in range(0, count, batch):
            rows = []
            for number in range(first, min(first + batch, count)):
                if number < 4 * cohort:  # due "7 days left" on day 10 + number // cohort
                    deadline = FIRST_SWEEP + timedelta(days=number // cohort + 7)
                else:
                    deadline = date(2025, 4, 1) + timedelta(days=number % 90)
                task = Task.assign(lead, title=f"Nhiệm vụ mẫu {number}",
                                   unit=units[number % len(units)], deadline=deadline)
                for event in task.collect_events():
                    stored = service.mapper.to_stored_event(event)
                    rows.append({"originator_id": stored.originator_id,
                                 "originator_version": stored.originator_version,
                                 "topic": stored.topic, "state": stored.state})
            with store.engine.begin() as conn:
                conn.execute(insert(table), rows)


def timed(action):  # noqa: ANN001, ANN201 - a stopwatch
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--crossing", type=int, default=None,
                        help="tasks crossing a threshold per sweep (default: 1%% of --tasks)")
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an EMPTY store")
    args = parser.parse_args()
    cohort = args.crossing or max(args.tasks // 100, 1)
    print(f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with System(args.database, clock=FixedClock(ASSIGNED)) as store:
        units = organisation(store)
        seconds, _ = timed(lambda: tasks(store, args.tasks, cohort, units))
        print(f"made {args.tasks} open tasks in {seconds:.1f} s")
        seconds, events = timed(store.projections.catch_up)
        print(f"read models caught up: {events} events in {seconds:.1f} s")
        for offset in range(3):
            day = FIRST_SWEEP + timedelta(days=offset)
            seconds, result = timed(lambda d=day: sweep(store, at=at(d, 9), mail=False))
            print(f"sweep {day:%d/%m}: {result.raised} alerts raised "
                  f"(of {args.tasks} open tasks) in {seconds * 1000:.0f} ms")
        day = FIRST_SWEEP + timedelta(days=3)
        seconds, result = timed(lambda: sweep(store, at=at(day, 9), mail=True))
        print(f"sweep {day:%d/%m} with mail: {result.raised} alerts, {result.digests} "
              f"digests queued in {seconds * 1000:.0f} ms")
        empty = [timed(lambda h=h: sweep(store, at=at(day, 10 + h), mail=False))[0]
                 for h in range(5)]
        print(f"sweep with nothing due: median {statistics.median(empty) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
