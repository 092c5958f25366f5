"""Values from the URL, read strictly: a crafted or mangled one is a clear 400.

Numbers and dates go through ``workflow.validate`` (ASCII digits only, bounded
before conversion, dates within its window), so a link such as ``?before=²`` or
``?since=9999-01-01`` gets a sentence saying what is wrong, never a traceback. No
query-string value may hold a control character (PostgreSQL refuses NUL in text).
"""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, request

from workflow import validate
from workflow.errors import DomainError
from workflow.words import Msg, lazy

# The task list's cursors (events.queries.tasks.board): a row's deadline and id, or
# for the list by last activity "a", its microseconds since 1970 and id.
_BOARD_CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.[0-9a-f]{32}")
_ACTIVITY_CURSOR = re.compile(r"a[0-9]{1,17}\.[0-9a-f]{32}")


def position(value: str | None) -> int | None:
    """A position in the log (``before``, ``up_to``); blank or 0 is none."""
    return validate.cursor(value) or None


def day(value: str | None, field: Msg) -> date | None:
    """A date filter (``field`` names it in a refusal); blank is none."""
    text = (value or "").strip()
    if not text:
        return None
    # What a date input sends (ISO), or what a person types without one (dd/mm/yyyy).
    fields = validate.typed_date(text)
    if fields is None:
        raise DomainError("invalid_date", field=field)
    try:
        found = date(*fields)
    except ValueError:
        raise DomainError("invalid_date", field=field) from None
    return validate.day(found, field)


def board_cursor(value: str | None, sort: str = "deadline") -> str | None:
    """The task list's ``after`` or ``before``: as a page of the list in this ``sort``
    made it, or refused."""
    text = (value or "").strip()
    if not text:
        return None
    if sort == "activity":
        if not _ACTIVITY_CURSOR.fullmatch(text):
            raise DomainError("invalid_cursor")
        return text
    found = _BOARD_CURSOR.fullmatch(text)
    if not found:
        raise DomainError("invalid_cursor")
    try:
        date.fromisoformat(found.group(1))
    except ValueError:
        raise DomainError("invalid_cursor") from None
    # Not checked against the date window: deadlines stored before the window existed
    # may lie outside it, and the next page of such a list must still open.
    return text


def init_app(app: Flask) -> None:
    app.before_request(_refuse_control_characters)


def _refuse_control_characters() -> None:
    for key, value in request.args.items(multi=True):
        if validate.has_control(key) or validate.has_control(value):
            shown = "".join(ch for ch in key if not validate.has_control(ch))[:40]
            raise DomainError("text_control_character",
                              field=lazy("Tham số “%(name)s” của địa chỉ trang", name=shown))

