"""Time issuing a period report and reading it again, on a big store.

Each run issues the report of ``--period`` as the leader ``lead`` (so it adds one
``PeriodReportIssued`` and perhaps a checkpoint to the store: use a copy) and then
reads it again as ``nhiemvu report show`` does (re-rendered at its position, digest
checked). Prints JSON with medians in milliseconds and the machine.

    .venv/bin/python bench/period_report.py --database sqlite:////tmp/copy.sqlite3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from events.processes import reporting  # noqa: E402
from events.queries.reports import issued_report  # noqa: E402
from events.system import System  # noqa: E402
from workflow.clock import FixedClock  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--period", default="2025-Q2")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
    issued, shown, sizes = [], [], {}
    with System(args.database, clock=clock) as store:
        store.projections.catch_up()
        for _ in range(args.runs):
            clock.advance(seconds=1)
            # A process that has just started: no past kept from the run before.
            store.pasts.close()
            started = time.perf_counter()
            report_id = reporting.issue(store, "lead", args.period)
            issued.append((time.perf_counter() - started) * 1000)
            store.pasts.close()
            started = time.perf_counter()
            report = issued_report(store, report_id)
            shown.append((time.perf_counter() - started) * 1000)
            assert report["digest_matches"]
            content = report["content"]
            sizes = {name: len(content[name]) for name in
                     ("units", "pillars", "targets", "completed", "overdue")}
        events = store.projections.head()
    print(json.dumps({
        "machine": f"{platform.node()} · {os.cpu_count()} cores · Python "
                   f"{platform.python_version()}",
        "date": datetime.now(UTC).date().isoformat(),
        "command": " ".join(["bench/period_report.py", *sys.argv[1:]]),
        "database": args.database.split(":")[0], "events": events, "rows": sizes,
        "issue_median_ms": round(statistics.median(issued), 1),
        "issue_max_ms": round(max(issued), 1),
        "show_median_ms": round(statistics.median(shown), 1),
        "runs": args.runs}, indent=2))


if __name__ == "__main__":
    main()
