"""Where event timestamps come from.

The eventsourcing library stamps each new event by calling ``create_timestamp()``
on the event class. Our base event class asks this module instead, so a command
run under ``use_clock(...)`` records the injected time (tests, the scheduler's
``--at``), and every other command records the real time, always aware UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_current: ContextVar[Clock] = ContextVar("nhiemvu_clock", default=system_clock)


def now() -> datetime:
    """The current time of the active clock, as an aware UTC datetime."""
    moment = _current.get()()
    if moment.tzinfo is None:
        raise ValueError("clocks must return aware datetimes")
    return moment.astimezone(UTC)


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


class FixedClock:
    """A clock that stays where it is put; tests and sweeps move it by hand."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment = self.moment + timedelta(**delta)


LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    """Today's date in the commune (Asia/Ho_Chi_Minh), by the active clock."""
    return now().astimezone(LOCAL_TZ).date()
