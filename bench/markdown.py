"""The markdown tables the command benchmarks print: a row per figure, a column per
database (bench/commands.py, bench/command_floor.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def markdown_table(rows: list[tuple[str, Callable[[dict[str, Any]], str]]],
                   results: dict[str, dict[str, Any]]) -> str:
    """A row per ``(label, show)``, ``show`` making the cell of one database's figures."""
    lines = ["| figure | " + " | ".join(NAMES[k] for k in results) + " |",
             "|---|" + "---|" * len(results)]
    for label, show in rows:
        lines.append(f"| {label} | " + " | ".join(show(f) for f in results.values()) + " |")
    return "\n".join(lines)
