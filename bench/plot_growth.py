"""Plot ``bench/results/growth.json`` (made by ``bench/growth.py``) to ``docs/growth.png``.

One row per database in the file: latency against the events in the log (log axes),
and latency against concurrent clients. Solid lines are the medians (p50), dotted
lines of the same colour the p95.

    .venv/bin/python bench/plot_growth.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

HERE = Path(__file__).resolve().parent
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
LABELS = {"dashboard": "dashboard (overview)", "task_list": "task list, unit + state",
          "task_search": "task list, text search", "task_page": "task page",
          "audit": "audit log", "command": "command (note progress)"}


def line(axes, x: list, figures: list[dict], label: str, **style) -> None:
    drawn = axes.plot(x, [f["p50_ms"] for f in figures], marker="o", label=label, **style)[0]
    axes.plot(x, [f["p95_ms"] for f in figures], color=drawn.get_color(), linestyle=":",
              linewidth=1)


def count(n: int) -> str:
    if n >= 950_000:  # 999,402 reads as 1.0M, not 999k
        return f"{n / 1e6:.1f}M"
    return f"{n / 1e3:.0f}k" if n >= 1e4 else f"{n / 1e3:.1f}k"


def milliseconds(axes) -> None:
    """A log y axis labelled 1, 2, 5, 10, 20… ms, as read, not as powers of ten."""
    axes.set_yscale("log")
    axes.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
    axes.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axes.minorticks_off()
    axes.set_ylabel("latency, ms (log scale): p50 solid, p95 dotted")


def by_size(axes, run: dict) -> None:
    sizes = run["sizes"]
    events = [step["events"] for step in sizes]
    for name in sizes[0]["pages"]:
        line(axes, events, [step["pages"][name] for step in sizes], LABELS.get(name, name))
    line(axes, events, [step["command"] for step in sizes], LABELS["command"],
         color="black", linestyle="--")
    axes.set_xscale("log")
    axes.set_xticks(events, [count(n) for n in events])
    milliseconds(axes)
    axes.set_xlabel("events in the log (log scale)")
    axes.set_title(f"{NAMES.get(run['machine']['database'])}: latency as the log grows")


def by_clients(axes, run: dict) -> None:
    concurrency = run["concurrency"]
    for kind, label, style in (("pages", "page request (overview, list, task in turn)", {}),
                               ("commands", LABELS["command"],
                                {"color": "black", "linestyle": "--"})):
        levels = concurrency[kind]
        per_s = ", ".join(f"{level['per_s']:.0f}" for level in levels)
        line(axes, [level["clients"] for level in levels], levels,
             f"{label}; per s: {per_s}", **style)
    clients = [level["clients"] for level in concurrency["pages"]]
    axes.set_xscale("log", base=2)
    axes.set_xticks(clients, [str(c) for c in clients])
    milliseconds(axes)
    axes.set_xlabel("concurrent clients (threads in one process)")
    axes.set_title(f"against concurrency, at {concurrency['events']:,} events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, default=HERE / "results" / "growth.json")
    parser.add_argument("--output", type=Path, default=HERE.parent / "docs" / "growth.png")
    args = parser.parse_args()
    runs = json.loads(args.input.read_text())
    figure, rows = plt.subplots(len(runs), 2, figsize=(13, 5.2 * len(runs)), squeeze=False)
    notes = []
    for (left, right), run in zip(rows, runs.values(), strict=True):
        by_size(left, run)
        by_clients(right, run)
        for axes in (left, right):
            axes.grid(True, which="both", alpha=0.3)
            axes.legend(fontsize=8)
        machine = run["machine"]
        notes.append(f"{NAMES.get(machine['database'])} {machine['server_version']}: "
                     f"{machine['host']}, {machine['cores']} cores, Python {machine['python']}, "
                     f"{run['date']}, load average {machine['load_average_at_start'][0]}"
                     f"\n    {run['command']}")
    figure.text(0.01, 0.005, "\n".join(notes), fontsize=7, va="bottom")
    figure.tight_layout(rect=(0, 0.02 + 0.03 * len(notes), 1, 1))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.output, dpi=110)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
