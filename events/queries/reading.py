"""Helpers for reading the projections back: times, values, today, the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workflow.clock import LOCAL_TZ, local_today, use_clock

if TYPE_CHECKING:
    from events.system import System


def aware(moment: datetime | None) -> datetime | None:
    """Times come back naive from SQLite; they were stored in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def value(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def today_of(store: System, today: date | None = None) -> date:
    """``today`` if given, else today in Vietnam by the store's clock (a past's own
    instant, for the read models as of then)."""
    if today is not None:
        return today
    clock = getattr(store, "clock", None) or getattr(store.service, "clock", None)
    if clock is None:
        return local_today()
    with use_clock(clock):
        return local_today()


def ids_by_prefix(store: System, column: Any, key: str) -> list[str]:
    """Up to two ids of ``column`` (32 lower-case hex digits) starting with ``key``:
    one is the record a person means by a prefix, two say the prefix is ambiguous.
    An index range on both databases (``key + "g"`` sorts just past every such id)."""
    with store.engine.connect() as conn:
        return list(conn.execute(select(column).where(column >= key, column < key + "g")
                                 .order_by(column).limit(2)).scalars())


def store_time(store: System, moment: datetime) -> datetime:
    """``moment`` as the store compares it: SQLite compares the stored naive UTC text,
    PostgreSQL instants."""
    return moment if store.is_postgres else moment.astimezone(UTC).replace(tzinfo=None)


def start_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def end_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return start_of(day + timedelta(days=1))


