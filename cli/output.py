"""How results are shown: dates dd/mm/yyyy, times in Vietnam, tables, JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import click

from cli.runtime import current_run
from cli.terminal import printable
from workflow import grades, rules
from workflow.clock import LOCAL_TZ
from workflow.words import translate


def show_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "-"


def show_time(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if moment else "-"


def state_name(state: str) -> str:
    return translate(rules.state_name(state), current_run().lang)


def grade_name(grade: str | None) -> str:
    if not grade:
        return "-"
    return translate(grades.grade_name(grade), current_run().lang)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table: columns padded to their widest cell, one line per row.

    Every cell is ``printable``: control characters in stored text are escaped.
    """
    cells = [[printable(h) for h in headers]] + [[printable(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plain(value: Any) -> Any:
    """A JSON-ready copy: ISO dates, times with their offset (Vietnam), numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    return value


def echo_json(value: Any) -> None:
    click.echo(json.dumps(plain(value), ensure_ascii=False, indent=2))
