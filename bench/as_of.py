"""Time the views as of an instant on a big store: the dashboard, the task list and a
task page of the past, against the same pages now, at instants spread over the log.

Pages go through the Flask test client (the whole app, as bench/web_pages.py does);
"materialise" is the past alone (``events/readmodels/pasts.py``: its temporary
tables). At each instant the dashboard comes first and makes the past; the task list
and a task page after it find that past kept (``*_kept``).
Prints JSON: per measure the median, p95 and maximum in milliseconds, and the machine.

    .venv/bin/python bench/generate.py --tasks 100000 --database sqlite:////tmp/b.sqlite3
    .venv/bin/python bench/as_of.py --database sqlite:////tmp/b.sqlite3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from sqlalchemy import func, select  # noqa: E402

from bench.web_pages import ok, percentile, signed_in  # noqa: E402
from events import queries  # noqa: E402
from events.queries.as_of import position_at  # noqa: E402
from events.readmodels import tables  # noqa: E402
from events.readmodels.pasts import discard, materialised  # noqa: E402
from web import create_app, storage  # noqa: E402
from workflow.clock import FixedClock  # noqa: E402

A = tables.audit


def instants(store, count: int) -> list[datetime]:
    """``count`` instants spread evenly over the log's time, first to last event."""
    with store.engine.connect() as conn:
        first, last = conn.execute(select(func.min(A.c.at), func.max(A.c.at))).one()
    first, last = (m.replace(tzinfo=UTC) if m.tzinfo is None else m for m in (first, last))
    step = (last - first) / (count + 1)
    return [first + step * (n + 1) for n in range(count)]


def materialised_alone(store, position: int) -> None:
    discard(materialised(store.engine, position))


def summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 95), 1), "max_ms": round(max(samples), 1),
            "runs": len(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--instants", type=int, default=10)
    args = parser.parse_args()
    # The app's clock after the last event: every instant of the log is in the past.
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": args.database,
                      "CLOCK": FixedClock(datetime(2030, 1, 1, tzinfo=UTC)),
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="nhiemvu-as-of-")})
    store = app.extensions[storage.KEY].get()
    store.projections.catch_up()
    moments = instants(store, args.instants)
    sample_task = queries.board(store, limit=1).rows[0]["id"]
    leader, _ = signed_in(app, "lead")
    gzip = {"Accept-Encoding": "gzip"}
    measured: dict[str, list[float]] = {k: [] for k in (
        "materialise", "dashboard_as_of", "dashboard_now", "task_list_as_of_kept",
        "task_list_now", "task_page_as_of_kept")}

    def timed(name: str, action) -> None:
        started = time.perf_counter()
        action()
        measured[name].append((time.perf_counter() - started) * 1000)

    for moment in moments:
        stamp = moment.isoformat()
        position = position_at(store, moment)
        timed("materialise", lambda p=position: materialised_alone(store, p))
        # The first page at an instant makes its past; the next ones find it kept.
        timed("dashboard_as_of", lambda s=stamp: ok(leader.get(
            "/", query_string={"as_of": s}, headers=gzip)))
        timed("dashboard_now", lambda: ok(leader.get("/", headers=gzip)))
        timed("task_list_as_of_kept", lambda s=stamp: ok(leader.get(
            "/tasks/", query_string={"as_of": s, "state": "in_progress"}, headers=gzip)))
        timed("task_list_now", lambda: ok(leader.get("/tasks/?state=in_progress",
                                                     headers=gzip)))
        response = leader.get(f"/tasks/{sample_task}", query_string={"as_of": stamp})
        if response.status_code == 200:  # assigned by then
            timed("task_page_as_of_kept", lambda s=stamp: ok(leader.get(
                f"/tasks/{sample_task}", query_string={"as_of": s}, headers=gzip)))
    events, tasks = store.projections.head(), queries.counts(store)["total"]
    print(json.dumps({
        "machine": f"{platform.node()} · {os.cpu_count()} cores · Python "
                   f"{platform.python_version()}",
        "date": datetime.now(UTC).date().isoformat(),
        "command": " ".join(["bench/as_of.py", *sys.argv[1:]]),
        "database": store.engine.dialect.name, "events": events, "tasks": tasks,
        **{name: summary(samples) for name, samples in measured.items() if samples},
    }, indent=2))
    storage.close(app)


if __name__ == "__main__":
    main()
