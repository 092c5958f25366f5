"""How results are shown: dates dd/mm/yyyy, times in Vietnam, tables, JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any
from uuid import UUID

import click

from cli.runtime import bad_input, current_run
from cli.terminal import printable
from workflow import grades, rules
from workflow.clock import LOCAL_TZ
from workflow.words import _, translate


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


def refuse_binary_on_terminal(path: str | None, binary: str) -> None:
    """Bad input (exit 2) when the binary format ``binary`` would go to a terminal:
    asked before any work, so nothing is computed for nothing."""
    if path is None and sys.stdout.isatty():
        raise bad_input(_("định dạng %(format)s là tệp nhị phân: hãy ghi ra tệp bằng "
                          "-o TỆP", format=binary))


@contextmanager
def output_file(path: str | None) -> Iterator[IO[bytes]]:
    """Where a command writes its file: ``path``, else standard output's own buffer
    (the one a test runner captures too)."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        stream = open(path, "wb")  # noqa: SIM115 - closed below, after the writing
    except OSError as error:
        raise bad_input(_("không ghi được tệp “%(path)s” (%(reason)s)", path=printable(path),
                          reason=error.strerror or type(error).__name__)) from None
    with stream:
        yield stream
