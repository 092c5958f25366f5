"""The task board's keyset cursors, one form per sort: where a page ends, and the
condition that reads on from there (or back), so pages never skip nor repeat a row.

A deadline cursor is "2025-03-31.<id>"; a last-activity cursor "a<microseconds since
1970, UTC>.<id>". The sort's form rides in the cursor, so a cursor made for one sort
never pages another.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, tuple_

from events.queries.reading import aware, store_time
from events.readmodels import tables

if TYPE_CHECKING:
    from events.system import System

T = tables.tasks
SORTS = ("deadline", "activity")
_DEADLINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([0-9a-f]{32})$")
_ACTIVITY = re.compile(r"^a(\d{1,20})\.([0-9a-f]{32})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def order(sort: str) -> tuple[Any, Any]:
    """The columns a sort orders by (both ascending; the page reads them either way)."""
    return (T.c.deadline, T.c.id) if sort == "deadline" else (T.c.last_activity, T.c.id)


def cursor_key(store: System, sort: str, cursor: str | None) -> tuple[Any, str] | None:
    """The (sort value, id) a cursor names, or None when it does not fit the sort."""
    text = cursor or ""
    if sort == "deadline":
        found = _DEADLINE.match(text)
        if not found:
            return None
        try:
            return date.fromisoformat(found.group(1)), found.group(2)
        except ValueError:
            return None
    found = _ACTIVITY.match(text)
    if not found:
        return None
    try:
        moment = _EPOCH + timedelta(microseconds=int(found.group(1)))
    except OverflowError:
        return None
    return store_time(store, moment), found.group(2)


def beyond(sort: str, key: tuple[Any, str], backwards: bool) -> ColumnElement[bool]:
    """The rows after ``key`` in the sort's order (before it when ``backwards``)."""
    # Deadline pages run up (later deadlines next), activity pages run down (older next).
    ahead = (sort == "deadline") != backwards
    keys = tuple_(*order(sort))
    return keys > tuple_(*key) if ahead else keys < tuple_(*key)


def cursor_of(row: Any, sort: str) -> str:
    """The cursor that names ``row`` (a board row's mapping) in ``sort``."""
    if sort == "deadline":
        return f"{row['deadline'].isoformat()}.{row['id']}"
    micros = (aware(row["last_activity"]) - _EPOCH) // timedelta(microseconds=1)
    return f"a{micros}.{row['id']}"
