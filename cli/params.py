"""Reading what people type: dates, task ids, evidence files, measured values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from cli.runtime import bad_input, current_run
from events import queries
from events.log.evidence_files import Staging, media_type_of
from workflow import validate
from workflow.errors import DomainError
from workflow.evidence import Evidence
from workflow.words import _


def parse_date(text: str) -> date:
    """``2025-03-31`` or ``31/03/2025``; anything else is bad input (exit 2)."""
    found = validate.typed_date(text)
    if found is None:
        raise bad_input(_("ngày “%(text)s” không hợp lệ; nhập YYYY-MM-DD hoặc DD/MM/YYYY",
                          text=text))
    try:
        return date(*found)
    except ValueError:
        raise bad_input(_("ngày “%(text)s” không tồn tại", text=text)) from None


class DateType(click.ParamType):
    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        return value if isinstance(value, date) else parse_date(str(value))


DATE = DateType()


class InstantType(click.ParamType):
    """A moment (``workflow.validate.instant``): ISO-8601, a day (its end) or a day and
    a time; Vietnam time unless an offset is given."""

    name = "instant"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "ISO"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            found = validate.instant(str(value))
        except DomainError:
            raise bad_input(_("thời điểm “%(text)s” không hợp lệ; nhập ISO-8601, ví dụ "
                              "2025-06-30T17:00", text=value)) from None
        if found is None:
            raise bad_input(_("thời điểm trống"))
        return found


INSTANT = InstantType()


def parse_value(text: str | None) -> Decimal | None:
    """A measured value as typed (``62``, ``62,5``); the rules check its range."""
    if text is None:
        return None
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise bad_input(_("giá trị “%(text)s” không phải là số", text=text)) from None
    if not number.is_finite():
        raise bad_input(_("giá trị “%(text)s” không phải là số", text=text))
    return number


def task_id(text: str) -> UUID:
    """A task's id from its full uuid or a unique prefix (as ``task list`` shows it)."""
    return queries.resolve_task_id(current_run().store, text)


def stage_evidence(batch: Staging, path_text: str) -> Evidence:
    """Stage an evidence file: its bytes are kept if the report is recorded.

    A file that cannot be read is bad input (exit 2); an instance folder that cannot
    be written is not the typist's fault, and is left to fail as an internal error.
    """
    path = Path(path_text)
    try:
        stream = path.open("rb")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise bad_input(_("không đọc được tệp minh chứng “%(path)s” (%(reason)s)",
                          path=path_text, reason=reason)) from None
    with stream:
        return batch.add(stream, path.name, media_type_of(path.name))
