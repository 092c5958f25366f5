"""The base aggregate: stable topics and timestamps from the injectable clock."""

from __future__ import annotations

from copy import deepcopy
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from workflow import channel, clock

# Values a copy may share: nothing can change them in place.
_UNCHANGING = frozenset({str, int, float, bool, type(None), date, datetime, Decimal, UUID})

# Names for deterministic ids, so "the unit VP" or "the user an.nv" has one id
# for ever and creating it twice is refused by the event store itself.
NAMESPACE = uuid5(NAMESPACE_URL, "https://nhiemvu.invalid/ids")


@lru_cache(maxsize=4096)  # every command and request names the person acting
def named_id(kind: str, name: str) -> UUID:
    return uuid5(NAMESPACE, f"{kind}:{name.strip().lower()}")


class Record(Aggregate):
    """Base of our aggregates. Subclasses set ``TOPIC`` and a topic on every event.

    The base itself has no topic: it is never stored.

    Topics are explicit (``nhiemvu.<aggregate>.<Event>``) so that moving or renaming
    a class never orphans stored events: see docs/events.md for the upcasting path.
    """

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

    def collect_events(self):  # noqa: ANN201 - the library's signature
        events = super().collect_events()
        via = channel.current()
        if via is not None:
            # Frozen events: the attribute joins the stored state only. Replays ignore
            # it (the library passes an event method only the fields it names).
            for recorded in events:
                object.__setattr__(recorded, "via", via)
        return events

    def __deepcopy__(self, memo: dict[int, Any]) -> Record:
        # The aggregate cache copies a record on every get and save. Most of its
        # fields are strings, numbers, dates and ids, which ``copy.deepcopy`` rebuilt
        # one by one through ``__reduce_ex__``; they are shared, the rest copied.
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        copied.__dict__.update({
            name: value if type(value) in _UNCHANGING else deepcopy(value, memo)
            for name, value in self.__dict__.items()})
        return copied
