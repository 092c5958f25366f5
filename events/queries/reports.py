"""Issued period reports read back: the list, and one report rendered again.

An issued report is pinned to the log position its figures were read at: it is
rendered again from the read models at that position (``at_position``), so it comes
out the same for ever, and ``digest_matches`` says whether its SHA-256 is still the
one recorded when it was issued. ``changed_since`` lists what the log recorded
after that position that changes one of its figures: the events of the types in
``CHANGING`` on the tasks that existed at the cut-off with a deadline in force then
on or before the period's last day (docs/audit.md, "Period reports").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from events.queries.as_of import at_position
from events.queries.audit import audit_entry
from events.queries.reading import aware, ids_by_prefix
from events.queries.report_content import canonical, digest_of, report_content
from events.readmodels import tables
from events.readmodels.reports import reports as R
from events.readmodels.seal import checkpoints as C
from workflow.periods import Period, period_of

if TYPE_CHECKING:
    from events.queries.as_of import Past
    from events.system import System

__all__ = ["CHANGING", "canonical", "digest_of", "issued_report", "issued_reports",
           "report_content", "resolve_report_id"]

# The events that change a figure of a report about their task: its grade, its
# deadline, its unit, its measured value, or whether it counts at all.
CHANGING = ("ReportSubmitted", "ReportVerified", "ReportReturned", "DeadlineExtended",
            "TaskReassigned", "TaskCancelled")
A, T, U = tables.audit, tables.tasks, tables.users
_HEX = re.compile(r"[0-9a-f]{6,32}")
_PAGE = 1000


def resolve_report_id(store: System, text: str) -> str:
    """The report (its id, 32 hex digits) a person means by a full id or a unique
    prefix of at least 6 hex digits; ``LookupError`` when none or several match."""
    key = (text or "").strip().lower().replace("-", "")
    if not _HEX.fullmatch(key):
        raise LookupError(text)
    found = ids_by_prefix(store, R.c.id, key)
    if len(found) != 1:
        raise LookupError(text)
    return found[0]


def issued_reports(store: System) -> list[dict[str, Any]]:
    """Every issued report, the most recently issued first (without content)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(R).order_by(R.c.position.desc())).all()
        names = dict(conn.execute(select(U.c.username, U.c.display_name)).tuples().all())
        stamps = dict(conn.execute(select(C.c.size, C.c.at)).tuples().all())
    return [_issued(row, names, stamps) for row in rows]


def issued_report(store: System, report_id: UUID | str,
                  locale: str = "vi") -> dict[str, Any]:
    """One issued report with its ``content`` rendered again at its position,
    ``digest_matches`` and ``changed_since`` (audit entries, summaries in
    ``locale``); ``LookupError`` for an id no issued report has."""
    key = resolve_report_id(store, str(report_id))
    with store.engine.connect() as conn:
        row = conn.execute(select(R).where(R.c.id == key)).one()
        names = dict(conn.execute(select(U.c.username, U.c.display_name)
                                  .where(U.c.username == row.issued_by)).tuples().all())
        stamps = dict(conn.execute(select(C.c.size, C.c.at)
                                   .where(C.c.size == row.checkpoint_size)).tuples().all())
    issued = _issued(row, names, stamps)
    period = period_of(row.period, row.kind, row.first_day, row.last_day)
    with at_position(store, row.report_position, aware(row.cutoff)) as past:
        content = report_content(past, period)
        concerned = _tasks_of(past, period)
    issued["content"] = content
    issued["digest_matches"] = digest_of(content) == row.digest
    issued["changed_since"] = _changed_since(store, row.report_position, concerned, locale)
    return issued


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else aware(moment).astimezone(UTC).isoformat()


def _issued(row: Any, names: dict[str, str], stamps: dict[int, datetime]) -> dict[str, Any]:
    return {
        "id": str(UUID(row.id)), "number": row.number, "issued_at": _iso(row.issued_at),
        "issued_by": row.issued_by, "issued_by_name": names.get(row.issued_by, row.issued_by),
        "period": {"code": row.period, "kind": row.kind,
                   "first_day": row.first_day.isoformat(),
                   "last_day": row.last_day.isoformat()},
        "cutoff": _iso(row.cutoff), "position": row.report_position, "digest": row.digest,
        "format": row.format,
        "checkpoint": {"size": row.checkpoint_size, "root": row.checkpoint_root,
                       "at": _iso(stamps.get(row.checkpoint_size))},
    }


def _tasks_of(past: Past, period: Period) -> set[str]:
    """The tasks (hex ids) that existed at the cut-off with a deadline then in force
    on or before the period's last day: the ones the report's figures are about."""
    with past.engine.connect() as conn:
        return set(conn.execute(select(T.c.id).where(T.c.deadline <= period.last_day))
                   .scalars())


def _changed_since(store: System, position: int, concerned: set[str],
                   locale: str) -> list[dict[str, Any]]:
    """The events after ``position`` of the ``CHANGING`` types on ``concerned`` tasks,
    oldest first, as audit entries."""
    # Two narrow columns first: most later events are about other tasks, and a whole
    # audit row costs several times as much to read.
    later = (select(A.c.position, A.c.aggregate_id)
             .where(A.c.position > position, A.c.type.in_(CHANGING)).order_by(A.c.position))
    with store.engine.connect() as conn:
        wanted = [at for at, key in conn.execute(later).tuples() if key in concerned]
        found = []
        for start in range(0, len(wanted), _PAGE):
            chunk = wanted[start:start + _PAGE]
            found.extend(conn.execute(select(A).where(A.c.position.in_(chunk))
                                      .order_by(A.c.position)).all())
    return [audit_entry(r, locale) for r in found]
