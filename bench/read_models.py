"""Time the read models on a store made by ``bench/generate.py``.

Measures: rebuild of every projection from the log (events/s), a filtered board
page of 50 rows (p50/p95), the dashboard counts (p50/p95), and catching up one
command's events (p50/p95). Prints a Markdown table for docs/performance.md.

    .venv/bin/python bench/read_models.py --database sqlite:///bench.sqlite3
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from events import queries  # noqa: E402
from events.system import System  # noqa: E402
from workflow.errors import DomainError  # noqa: E402

TODAY = date(2025, 6, 1)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def board_filters(rng: random.Random, units: list[str]) -> dict:
    choices = [
        {"unit": rng.choice(units)},
        {"state": rng.choice(["assigned", "in_progress", "reported", "verified"])},
        {"pillar": rng.choice(["CQS", "KTS", "XHS"])},
        {"grade": rng.choice(["open_overdue", "open_on_time", "done_late", "done_on_time"])},
        {"overdue": True},
        {"q": rng.choice(["chuyen doi so", "Số hóa", "THANH TOAN"])},
        {"unit": rng.choice(units), "state": "in_progress"},
        {"deadline_from": TODAY, "deadline_to": TODAY + timedelta(days=30)},
        {},
    ]
    return rng.choice(choices)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    with System(args.database) as store:
        head = store.projections.head()
        results: list[tuple[str, str]] = [("events in the log", f"{head:,}")]
        if not args.skip_rebuild:
            started = time.perf_counter()
            store.projections.rebuild()
            seconds = time.perf_counter() - started
            results.append(("rebuild, all projections",
                            f"{seconds:.1f} s, {head / seconds:,.0f} events/s"))
        tasks = queries.counts(store, today=TODAY)["total"]
        results.insert(1, ("tasks", f"{tasks:,}"))
        units = [u["code"] for u in queries.units(store)]

        def page() -> None:
            filters = board_filters(rng, units)
            first = queries.board(store, today=TODAY, limit=50, **filters)
            if first.next_cursor and rng.random() < 0.3:
                queries.board(store, today=TODAY, limit=50, after=first.next_cursor, **filters)

        board = timed(page, args.runs)
        counts = timed(lambda: queries.counts(store, today=TODAY), max(args.runs // 4, 20))
        results.append(("board page (50 rows, random filter)",
                        f"p50 {percentile(board, 50):.1f} ms, p95 {percentile(board, 95):.1f} ms"))
        results.append(("dashboard counts",
                        f"p50 {percentile(counts, 50):.1f} ms, "
                        f"p95 {percentile(counts, 95):.1f} ms"))
        results.append(catch_up_per_command(store, rng, args.commands))
    print(f"\n{platform.node()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{store.engine.dialect.name} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("\n| measure | result |\n|---|---|")
    for name, value in results:
        print(f"| {name} | {value} |")


def time_views(store: System) -> list[float]:
    """Time, from now on, each command's own read-model batch (in ms): the work inside
    its transaction (``Projections.apply_within``), where its views are written."""
    samples: list[float] = []
    within = store.service.recorder.within

    def measured(conn, rows, **told) -> None:
        started = time.perf_counter()
        within(conn, rows, **told)
        samples.append((time.perf_counter() - started) * 1000)

    store.service.recorder.within = measured
    return samples


def catch_up_per_command(store: System, rng: random.Random, commands: int) -> tuple[str, str]:
    """Note progress on open tasks; time only the read models' batch of each save."""
    samples = time_views(store)
    open_rows = queries.board(store, state="in_progress", limit=500, today=TODAY).rows
    for _ in range(commands):
        row = rng.choice(open_rows)
        head = f"head_{row['unit'].lower()}"
        try:
            store.service.note_progress(head, row["id"], "Đo thời gian", percent=50)
        except DomainError:
            continue
    if not samples:
        return ("catch-up per command", "no commands ran")
    return (f"catch-up per command (1 event, {len(store.projections.names)} projections)",
            f"p50 {percentile(samples, 50):.2f} ms, p95 {percentile(samples, 95):.2f} ms")


if __name__ == "__main__":
    main()
