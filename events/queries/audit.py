"""The audit log read back: every event, newest first, filtered; one task's history.

Each entry says the event in people's words, in the reader's language: its type's
name (``type_name``), the person's display name (``actor_name``; ``actor`` stays the
username), the line (``summary``) and what it changed on its task, old → new
(``changes``, ``changes_text``). ``audit_log`` gives one page; ``audit_rows`` every
row of the same filters, read in batches by position, for the exports. A time
filter is first turned into position ranges (``rm_audit_day``), so that each other
filter's (x, position) index serves it too (docs/read-models.md, "Audit log").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import ColumnElement, Integer, bindparam, func, select

from events.queries.bounded import Bounded
from events.queries.reading import aware, end_of, start_of, store_time
from events.readmodels import tables
from workflow.event_names import FIELDS, change_text, event_type_name
from workflow.sentences import event_line

if TYPE_CHECKING:
    from events.system import System

A = tables.audit
D = tables.audit_days
# Rows read per query while streaming: a few megabytes at most, and few round trips.
BATCH = 5000
# Where each column is in a row of ``select(A)``: read by index, a row costs less.
(_POSITION, _AT, _ACTOR, _KIND, _AGGREGATE, _VERSION, _UNIT, _TYPE, _DATA,
 _CHANGES) = (list(A.columns.keys()).index(name) for name in (
    "position", "at", "actor", "kind", "aggregate_id", "version", "unit", "type", "data",
    "changes"))


@dataclass
class AuditPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


# Positions apart, at most, for two days' ranges to be read as one: the events
# between them (alerts, reports: not in the audit log) cost nothing to skip.
_GAP = 1000
# More ranges than this (a log whose times jump about): read as one.
_RANGES = 16
# The end of the newest day's range, which is kept open (events/readmodels/audit.py).
_OPEN = 2**62


def _asked(store: System, *, actor: str | None = None, unit: str | None = None,
           task: UUID | str | None = None, type: str | None = None,  # noqa: A002
           since: date | datetime | None = None, until: date | datetime | None = None,
           before: int | None = None) -> dict[str, Any]:
    """The filters given, as ``_page``'s parameters (the store's own values)."""
    return {name: value for name, value in (
        ("actor", actor or None), ("unit", unit or None),
        ("task", UUID(str(task)).hex if task else None), ("type", type or None),
        ("since", store_time(store, start_of(since)) if since else None),
        ("until", store_time(store, end_of(until)) if until else None),
        ("before", before)) if value is not None}


def _ranges(conn: Any, since: date | datetime | None,
            until: date | datetime | None) -> list[tuple[int, int] | None]:
    """Position ranges, newest first, that hold every event recorded from ``since`` to
    ``until``: the days' own ranges (``rm_audit_day``), merged, the newest day's open
    at its end. ``[None]``: no time filter, or days not known (read the whole log);
    ``[]``: no event then."""
    if not (since or until):
        return [None]
    newest = D.c.day == select(func.max(D.c.day)).scalar_subquery()
    days = select(D.c.first_position, D.c.last_position, newest)
    if since:
        days = days.where(D.c.day >= start_of(since).astimezone(UTC).date())
    if until:
        days = days.where(D.c.day <= end_of(until).astimezone(UTC).date())
    spans = sorted((first, _OPEN if open_ else last)
                   for first, last, open_ in conn.execute(days).tuples())
    if not spans and conn.execute(select(D.c.day).limit(1)).first() is None:
        return [None]  # a read model from before the days were kept
    merged: list[list[int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + _GAP:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    if len(merged) > _RANGES:
        merged = [[merged[0][0], max(last for _, last in merged)]]
    return [(first, last) for first, last in reversed(merged)]


@lru_cache(maxsize=256)  # one per combination of filters: bounded by the code
def _page(filters: frozenset[str], until_inclusive: bool, spanned: bool) -> Any:
    """``audit_log``'s query for these filters (the names of its parameters), built
    once: the pages ask it again and again, and building and cache-keying a statement
    cost more than running it."""
    where: list[ColumnElement[bool]] = [
        getattr(A.c, column) == bindparam(name) for name, column in (
            ("actor", "actor"), ("unit", "unit"), ("task", "aggregate_id"), ("type", "type"))
        if name in filters]
    if "since" in filters:
        where.append(A.c.at >= bindparam("since"))
    if "until" in filters:
        where.append(A.c.at <= bindparam("until") if until_inclusive
                     else A.c.at < bindparam("until"))
    if "before" in filters:
        where.append(A.c.position < bindparam("before"))
    if spanned:
        where.append(A.c.position.between(bindparam("first"), bindparam("last")))
    return (select(A).where(*where).order_by(A.c.position.desc())
            .limit(bindparam("limit", type_=Integer)))


def _query(asked: dict[str, Any], until: date | datetime | None,
           span: tuple[int, int] | None, limit: int) -> tuple[Any, dict[str, Any]]:
    """``_page``'s statement for ``asked`` within ``span``, and its parameters."""
    spanned = {} if span is None else {"first": span[0], "last": span[1]}
    return (_page(frozenset(asked), isinstance(until, datetime), span is not None),
            {**asked, **spanned, "limit": limit})


def audit_log(store: System, *, actor: str | None = None, unit: str | None = None,
              task: UUID | str | None = None, type: str | None = None,  # noqa: A002
              since: date | datetime | None = None, until: date | datetime | None = None,
              limit: int = 100, before: str | None = None, locale: str = "vi",
              names: Names | None = None) -> AuditPage:
    """Events newest first, filtered; ``since``/``until`` dates are Vietnam days, inclusive.

    ``before`` is the previous page's ``next_cursor`` (a log position); ``locale``
    the language of the summaries (said from each row's data, workflow.sentences);
    ``names`` how people and units are called, when the caller has them already
    (else read here).
    """
    asked = _asked(store, actor=actor, unit=unit, task=task, type=type, since=since,
                   until=until, before=int(before) if before and before.isdigit() else None)
    limit = max(1, min(int(limit), 1000))
    found: list[Any] = []
    with store.engine.connect() as conn:
        # The ranges are disjoint and newest first: each one's rows follow the last's.
        for span in _ranges(conn, since, until):
            found.extend(conn.execute(*_query(asked, until, span, limit + 1 - len(found)))
                         .all())
            if len(found) > limit:
                break
        if names is None:
            names = Names.read(conn)
    said = Said(locale, names)
    rows = [dict(_SAID.get((locale, tuple(r), names.person(r[_ACTOR]), names.unit(r[_UNIT])),
                           lambda r=r: said.entry(r)))
            for r in found[:limit]]
    cursor = str(found[limit - 1][_POSITION]) if len(found) > limit else None
    return AuditPage(rows, cursor)


# Entries said, by all they are said from: the row (never changed once written), the
# language and the two names it shows. The pages ask for the newest again and again.
_SAID = Bounded(4096)


def audit_rows(store: System, *, actor: str | None = None, unit: str | None = None,
               task: UUID | str | None = None, type: str | None = None,  # noqa: A002
               since: date | datetime | None = None, until: date | datetime | None = None,
               locale: str = "vi", batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Every entry ``audit_log`` would show for these filters, across all its pages,
    newest first, as it goes: ``batch`` rows are read at a time, each batch after the
    last position seen, so a million rows never sit in memory and no connection is
    held between batches. Events recorded after the first batch are not included."""
    asked = _asked(store, actor=actor, unit=unit, task=task, type=type, since=since,
                   until=until)
    batch = max(1, int(batch))
    with store.engine.connect() as conn:
        names = Names.read(conn)
        spans = _ranges(conn, since, until)
    said = Said(locale, names)
    last: int | None = None
    for span in spans:
        while True:
            after = asked if last is None else {**asked, "before": last}
            with store.engine.connect() as conn:
                found = conn.execute(*_query(after, until, span, batch)).all()
            yield from map(said.entry, found)
            if found:
                last = found[-1][_POSITION]
            if len(found) < batch:
                break


@dataclass
class Names:
    """How people and units are called: display names by username, names by code."""

    people: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Any) -> Names:
        # A commune has tens of people and units: read whole, once per list.
        people = {u: n or u for u, n in conn.execute(
            select(tables.users.c.username, tables.users.c.display_name)).tuples()}
        units = dict(conn.execute(select(tables.units.c.code, tables.units.c.name)).tuples().all())
        return cls(people, units)

    def person(self, username: str) -> str:
        return self.people.get(username, username)

    def unit(self, code: str | None) -> str:
        return self.units.get(code, code) if code else ""


class Said:
    """Entries in one language with one set of names; what repeats from row to row (a
    type's name) is said once."""

    def __init__(self, locale: str = "vi", names: Names | None = None):
        self.locale, self.names = locale, names or Names()
        self._types: dict[str, str] = {}

    def entry(self, r: Any) -> dict[str, Any]:
        """One row of ``select(A)`` in people's words (see the module's docstring)."""
        locale, kind, type_ = self.locale, r[_KIND], r[_TYPE]
        h = r[_AGGREGATE]  # 32 hex digits, as stored: the id's text without a UUID
        key = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        stored = r[_CHANGES]
        said = []
        if stored:
            changes = json.loads(stored)
            said = [{"field": f, "old": changes[f][0], "new": changes[f][1],
                     "text": change_text(f, *changes[f], locale=locale)}
                    for f in FIELDS if f in changes]
        type_name = self._types.get(type_)
        if type_name is None:
            type_name = self._types[type_] = event_type_name(type_, locale)
        actor, unit = r[_ACTOR], r[_UNIT]
        return {
            "position": r[_POSITION], "at": aware(r[_AT]), "actor": actor,
            "actor_name": self.names.person(actor),
            "unit": unit, "unit_name": self.names.unit(unit), "kind": kind,
            "aggregate_id": key, "task_id": key if kind == "task" else None,
            "version": r[_VERSION], "type": type_, "type_name": type_name,
            "summary": event_line(type_, json.loads(r[_DATA]), locale),
            "changes": said, "changes_text": "; ".join(c["text"] for c in said),
        }


def audit_entry(found: Any, locale: str = "vi", names: Names | None = None) -> dict[str, Any]:
    """One row of ``select(A)`` in people's words (see the module's docstring)."""
    return Said(locale, names).entry(found)


def history_entry(found: Any, locale: str = "vi") -> dict[str, Any]:
    r = found._mapping
    data = json.loads(r["data"])
    return {
        "position": r["position"], "version": r["version"], "type": r["type"],
        "actor": r["actor"], "at": aware(r["at"]),
        "summary": event_line(r["type"], data, locale), "data": data,
    }


def task_history(store: System, task_id: UUID | str, locale: str = "vi") -> list[dict[str, Any]]:
    """Everything that happened to one task, oldest first, from the audit log."""
    key = UUID(str(task_id)).hex
    with store.engine.connect() as conn:
        found = conn.execute(select(A).where(A.c.aggregate_id == key)
                             .order_by(A.c.position)).all()
    return [history_entry(r, locale) for r in found]
