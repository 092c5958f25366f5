"""Read-only questions about alerts, answered from their read models (never the log).

For pages: ``inbox``, ``unread_count``, ``task_alerts``, ``task_history_with_alerts``,
``deliveries``.
For the sweep and the mail sender: ``due_tasks``, ``undigested``, ``digests_to_send``,
``people``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import and_, bindparam, func, or_, select

from events.queries.audit import task_history
from events.queries.organisation import users
from events.readmodels import alert_tables
from workflow.sentences import alert_line

if TYPE_CHECKING:
    from sqlalchemy import Select

    from events.system import System

A, F, R = alert_tables.alerts, alert_tables.inbox, alert_tables.reads
D, S = alert_tables.digests, alert_tables.schedule


def aware(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands times back without their zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite compares times as text: parameters must be in UTC like the stored rows.
    return moment.astimezone(UTC)


def _alert(row: Any) -> dict[str, Any]:
    return {"alert_id": row.id, "position": row.position, "task_id": row.task_id,
            "title": row.title, "unit": row.unit, "kind": row.kind,
            "days_left": row.days_left, "deadline": row.deadline, "due_on": row.due_on,
            "at": aware(row.raised_at), "escalated": row.escalated,
            "recipients": row.recipients.split(",") if row.recipients else []}


def inbox(store: System, username: str, *, limit: int = 20, before: int | None = None,
          locale: str = "vi") -> list[dict[str, Any]]:
    """The person's alerts, newest first; ``before`` a position pages further back.

    Each row: alert_id, position, task_id (hex), title, unit, kind, days_left,
    deadline, due_on, at, escalated, recipients, summary (in ``locale``), unread.
    """
    read = _read_up_to(store, username)
    query = (select(A).join(F, F.c.alert_id == A.c.id).where(F.c.username == username)
             .order_by(F.c.position.desc()).limit(limit))
    if before is not None:
        query = query.where(F.c.position < before)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [{**_alert(r), "summary": alert_line(r.kind, r.days_left, r.deadline, locale),
             "unread": r.position > read} for r in rows]


def unread_of(username: Any) -> Select:
    """The select of ``unread_count`` for ``username``, a bound parameter or any SQL
    expression (a page's first query asks it for the session's person)."""
    return (select(func.count()).select_from(F).outerjoin(R, R.c.username == F.c.username)
            .where(F.c.username == username,
                   or_(R.c.up_to.is_(None), F.c.position > R.c.up_to)))


# Every page's header asks it: built once (building and cache-keying a statement
# costs about as much as running it).
_UNREAD = unread_of(bindparam("username"))


def unread_count(store: System, username: str) -> int:
    """How many of the person's alerts are newer than what they marked as read."""
    with store.engine.connect() as conn:
        return conn.execute(_UNREAD, {"username": username}).scalar_one()


def _read_up_to(store: System, username: str) -> int:
    with store.engine.connect() as conn:
        up_to = conn.execute(select(R.c.up_to).where(R.c.username == username)).scalar()
    return up_to or 0


# Every task page asks it: built once, so SQLAlchemy keys it once too (its cache key
# is kept on the statement); building and keying it again cost more than running it.
_OF_TASK = select(A).where(A.c.task_id == bindparam("task_id")).order_by(A.c.position)


def task_alerts(store: System, task_id: UUID | str, locale: str = "vi") -> list[dict[str, Any]]:
    """A task's alerts as history entries (like ``task_history``'s), oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(_OF_TASK, {"task_id": UUID(str(task_id)).hex}).all()
    return [{"position": r.position, "version": None, "type": "DeadlineAlertRaised",
             "actor": "scheduler", "at": aware(r.raised_at),
             "summary": alert_line(r.kind, r.days_left, r.deadline, locale),
             "data": {k: v for k, v in _alert(r).items() if k != "at"}}
            for r in rows]


def task_history_with_alerts(store: System, task_id: UUID | str,
                             locale: str = "vi") -> list[dict[str, Any]]:
    """A task's own history and its deadline alerts, in the order they were recorded."""
    merged = task_history(store, task_id, locale) + task_alerts(store, task_id, locale)
    return sorted(merged, key=lambda entry: entry["position"])


def deliveries(store: System, *, username: str | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
    """The mail outbox, newest first: who was told, when, how it went."""
    query = select(D).order_by(D.c.queued_at.desc()).limit(limit)
    if username:
        query = query.where(D.c.username == username)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        for key in ("queued_at", "changed_at", "next_attempt_at", "sent_at"):
            if row[key] is not None:
                row[key] = aware(row[key])
    return rows


# -- for the sweep and the sender -----------------------------------------------

def due_tasks(store: System, today: date) -> list[Any]:
    """Open tasks whose next alert day has come (an index range, not a scan)."""
    query = select(S).where(S.c.next_alert_on <= today)
    with store.engine.connect() as conn:
        return conn.execute(query).all()


def undigested(store: System, since: datetime) -> list[Any]:
    """Feed rows raised since ``since`` that no mail has included yet."""
    query = (select(F.c.username, A).join(A, A.c.id == F.c.alert_id)
             .where(F.c.digest.is_(None), F.c.raised_at >= _utc(since))
             .order_by(F.c.username, F.c.position))
    with store.engine.connect() as conn:
        return conn.execute(query).all()


def digests_to_send(store: System, now: datetime, stale_claims: datetime) -> list[str]:
    """Ids of digests due a (first or further) attempt, and claims left by a crash."""
    query = select(D.c.id).where(or_(
        and_(D.c.state.in_(("queued", "failed")), D.c.next_attempt_at <= _utc(now)),
        and_(D.c.state == "sending", D.c.changed_at <= _utc(stale_claims))),
    ).order_by(D.c.queued_at)
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def people(store: System) -> dict[str, dict[str, Any]]:
    """Every user by username (role, unit, e-mail, active), from the users read model."""
    return {user["username"]: user for user in users(store)}
