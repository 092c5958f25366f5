"""What the read side shows has a version: the log's head and where each read model
stands in it.

Every query of this package reads the read models (and the interfaces read the
aggregates from the log itself); both change only by events recorded in the log and
applied to the views, which move the head or a projection's position. So
``data_version`` read *before* computing an answer is a key under which the answer
can be kept: a later reader whose key is the same would compute the same answer, and
any write (by this process or another) changes the key of every reader after it.

A rebuild or retry swaps a read model's tables and may leave its position where it
was; what it changes is the parked events it applied, so their count and last
position are part of the version too.

``Versions.but_notes`` is a second key, for answers that no progress note can change
(the overview's figures, the units, the people, the plan): see ``versions``.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import String, and_, bindparam, func, literal, select, union_all

from events.readmodels import tables

if TYPE_CHECKING:
    from events.system import System

P = tables.positions
K = tables.parked
A = tables.audit

# The events whose whole effect on the read models is a task's percentage, its last
# activity and version, and their own line in the audit log.
NOTES = ("ProgressNoted",)


def _not_a_note(column):
    # Not ``not_in(NOTES)``: SQLAlchemy expands an IN list anew at every execution
    # (its "post-compile" step), and this statement is every request's first.
    return and_(*(column != note for note in NOTES))

_MARK = "~marked"
_HEAD = "~head"
# What must stand at one position for the mark to say it all: the log's head (the
# aggregates are read from it), the audit log the mark is read from, and the read
# models ``but_notes`` answers for.
FOLLOWED = ("audit", "organisation", "plans", "tasks")
_EVEN = frozenset({_HEAD, *FOLLOWED})

_statements: dict[object, object] = {}
# How many of the latest events are looked at before every type is (see below).
_RECENT = 32
# Per store (a process's), the audit log's position last read and the mark then:
# the next read looks only at the audit log's rows after it (``_since``).
_MARKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Versions(NamedTuple):
    every: tuple[tuple[str, int], ...]  # ``data_version``: moved by every write
    but_notes: tuple[tuple[str, int], ...]  # moved by every write but progress notes


def _last_but_notes():
    """The position of the latest event in the audit log that is not a note.

    Mostly among the last few events; when they are all notes, one seek per event
    type on ``rm_audit_by_type`` (the types are found by skipping along that index,
    so a new type counts without being listed here): a few dozen index lookups at
    most, however long the log and however many notes came last.
    """
    recent = (select(A.c.position, A.c.type).order_by(A.c.position.desc())
              .limit(_RECENT).subquery("recent"))
    among_recent = (select(func.max(recent.c.position))
                    .where(_not_a_note(recent.c.type)).scalar_subquery())
    # Both databases leave an argument of coalesce unread once one before it is not null.
    return func.coalesce(among_recent, _last_of_every_type())


def _since():
    """The mark from the one read before: the latest event in the audit log after
    ``v_known`` (the audit log's position then) that is not a note, else that read's
    mark ``v_mark``. One range of the audit log's key, however many notes came."""
    later = (select(func.max(A.c.position))
             .where(A.c.position > bindparam("v_known"), _not_a_note(A.c.type))
             .scalar_subquery())
    return func.coalesce(later, bindparam("v_mark"))


def _last_of_every_type():
    kinds = select(func.min(A.c.type).label("type")).cte("kinds", recursive=True)
    later = A.alias("later")
    kinds = kinds.union_all(
        select(select(func.min(later.c.type)).where(later.c.type > kinds.c.type)
               .scalar_subquery())
        .where(kinds.c.type.is_not(None)))
    of_kind = A.alias("of_kind")
    # The type as a range, ordered as the index is: with ``max(position) … type = ?``
    # PostgreSQL, which plans before it knows the type, walks the whole log backwards
    # by position for each one, filtering (60 ms at 100,000 events, against 0.4).
    last = (select(of_kind.c.position)
            .where(of_kind.c.type >= kinds.c.type, of_kind.c.type <= kinds.c.type)
            .order_by(of_kind.c.type.desc(), of_kind.c.position.desc()).limit(1)
            .scalar_subquery())
    return (select(func.max(last))
            .where(kinds.c.type.is_not(None), _not_a_note(kinds.c.type))
            .scalar_subquery())


def _statement(store: System, also: tuple = (), since: bool = False):
    events = store.events_table
    statement = _statements.get((events, also, since))
    if statement is None:
        # Built once per table: building a statement costs about as much as running it.
        mark = _since() if since else func.coalesce(_last_but_notes(), 0)
        statement = union_all(
            select(literal(_HEAD, String), func.coalesce(func.max(events.c.id), 0)),
            select(literal("~parked", String), func.count()).select_from(K),
            select(literal("~parked_last", String),
                   func.coalesce(func.max(K.c.position), 0)),
            select(literal(_MARK, String), mark),
            select(P.c.name, P.c.position),
            *also,
        )
        _statements[(events, also, since)] = statement
    return statement


def versions(store: System) -> Versions:
    """Both keys, in one query.

    ``but_notes`` is for answers read only from the read models of tasks, plans and
    the organisation (and from those aggregates in the log), none of which a progress
    note changes in anything but a percentage, a last activity and a version. It is
    the latest position of any other event in the audit log, and the parked events.
    While the log's head and those read models and the audit log (``FOLLOWED``)
    stand at one position, that is enough: every event up to there is applied to
    each (or parked), and the audit log, which files every event of those three
    areas, has it. Two readers with the same mark then read the same answers,
    whatever notes came between them. Otherwise (one of them behind or ahead, a
    command's own events not yet applied) the head and every position are part of
    it too, as in ``every``.
    """
    return versions_with(store)[0]


def versions_with(store: System, also: tuple = (), params: dict | None = None,
                  ) -> tuple[Versions, list[tuple[str, int]]]:
    """``versions``, and in the same query (one round trip, one snapshot) the rows of
    ``also``: selects of a name and a number each, whose names begin with ``+``
    (built once by the caller and passed again as the same objects: the statement is
    kept per tuple). Returns the versions and those rows, in no order."""
    known = _MARKS.get(store)
    asked = dict(params or {})
    if known is not None:
        asked["v_known"], asked["v_mark"] = known
    with store.engine.connect() as conn:
        rows = conn.execute(_statement(store, also, known is not None), asked).tuples().all()
    extra = [(str(name), value) for name, value in rows if str(name).startswith("+")]
    found = sorted((str(name), int(value)) for name, value in rows
                   if not str(name).startswith("+"))
    read = dict(found)
    audit = read.get("audit")
    if known is not None and (audit is None or audit < known[0]):
        # The audit log stands before where it stood (swapped by a rebuild, say): its
        # rows since then are not the ones added since. Looked for in full.
        _MARKS.pop(store, None)
        return versions_with(store, also, params)
    if audit is not None:
        # Its rows up to ``audit`` are all there is in this snapshot: the audit log
        # moves its position in the transaction that writes them.
        _MARKS[store] = (audit, read[_MARK])
    every = tuple(row for row in found if row[0] != _MARK)
    if len({value for name, value in found if name in _EVEN}) > 1:
        return Versions(every, tuple(found)), extra
    # Even: the mark and the parked events say it all (where the other read models
    # stand, the alerts' or the seal's, changes nothing the key answers for).
    return Versions(every, tuple(row for row in found
                                 if row[0].startswith("~") and row[0] != _HEAD)), extra


def data_version(store: System) -> tuple[tuple[str, int], ...]:
    """The log's head, each read model's position and the parked events, in one
    query: equal versions mean equal answers from every query of the read side."""
    return versions(store).every
