"""Events a projection cannot apply are parked, and the projection goes on.

One event that a read model cannot apply (a date its arithmetic overflows, text the
database refuses, a stored record that no longer decodes) must not stop that read
model, nor the others, nor the commands whose catch-up meets it. As a persistent
subscription parks a message it keeps failing on, the runner applies a batch that
failed once again with each projection's share inside a savepoint; when that
fails, it applies the events one at a time, each in its own savepoint, and records
the ones that fail in ``rm_parked`` (position, projection, error, time), logged at
ERROR.

Only faults of the event are parked. A lost connection, a lock timeout or a
serialisation failure say nothing about the event: they propagate, the batch rolls
back whole, and the next catch-up tries it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.exc import InterfaceError, OperationalError

from events.readmodels import tables
from events.readmodels.projection import Logged, Projection
from events.sql import compiled

log = logging.getLogger(__name__)
_PARK = insert(tables.parked)
# Faults of the database or the connection, not of the event being applied.
_TRANSIENT = (OperationalError, InterfaceError)
_ERROR_CHARS = 1000


class Unreadable(Logged):
    """A stored event that could not be decoded: it is parked for every projection
    that reads its topic's area."""

    __slots__ = ("error",)

    def __init__(self, position: int, topic: str, error: BaseException):
        super().__init__(position, topic, "", 0, datetime.min.replace(tzinfo=UTC), {})
        self.error = error


def is_transient(error: BaseException) -> bool:
    """A fault of the database or the connection, not of an event."""
    return isinstance(error, _TRANSIENT)


def apply_isolated(conn: Connection, projection: Projection, events: list[Logged], *,
                   isolated: bool = True) -> int:
    """Apply ``events`` to ``projection`` in the caller's transaction, parking each one
    it cannot apply; return how many were parked.

    ``isolated=False`` is the quick first attempt of a batch: no savepoints, so an
    event that fails raises and the caller rolls the batch back and applies it again
    isolated. Commands' catch-ups thus pay nothing for parking until an event fails.
    """
    if projection.vouches:
        # The seal hashes stored bytes: an event that does not decode is sealed too.
        readable, parked = events, []
    else:
        readable = [e for e in events if not isinstance(e, Unreadable)]
        parked = [(e, e.error) for e in events if isinstance(e, Unreadable)]
    if readable and not isolated:
        projection.apply(conn, readable)
    elif readable:
        try:
            with savepoint(conn):
                projection.apply(conn, readable)
        except _TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 - which event failed is found just below
            parked += _one_by_one(conn, projection, readable)
    for event, error in parked:
        _park(conn, projection.name, event, error)
    return len(parked)


def _one_by_one(conn: Connection, projection: Projection,
                events: list[Logged]) -> list[tuple[Logged, BaseException]]:
    failed = []
    for event in events:
        try:
            with savepoint(conn):
                projection.apply(conn, [event])
        except _TRANSIENT:
            raise
        except Exception as error:  # noqa: BLE001 - parked with its error, below
            failed.append((event, error))
    return failed


def _park(conn: Connection, name: str, event: Logged, error: BaseException) -> None:
    detail = f"{type(error).__name__}: {error}".splitlines()[0][:_ERROR_CHARS]
    log.error("Read model %s parked event %s (%s): %s", name, event.position, event.topic,
              detail)
    conn.execute(_PARK, {"projection": name, "position": event.position,
                         "topic": event.topic[:_ERROR_CHARS], "error": detail,
                         "parked_at": datetime.now(UTC)})


@contextmanager
def savepoint(conn: Connection, name: str = "nhiemvu_apply") -> Iterator[None]:
    """A savepoint around the block: rolled back to, and the error raised again, if it
    fails; the rest of the caller's transaction stands either way."""
    # Plain SQL: the batch's transaction was begun by the driver on SQLite (BEGIN
    # IMMEDIATE, or the event store's implicit BEGIN), where SQLAlchemy's nested
    # transactions would not know of it.
    # Through ``compiled.send``: on the driver's cursor inside a command's batch.
    compiled.send(conn, f"SAVEPOINT {name}", (), answers_nothing=True)
    try:
        yield
    except BaseException:
        compiled.send(conn, f"ROLLBACK TO SAVEPOINT {name}", (), answers_nothing=True)
        compiled.send(conn, f"RELEASE SAVEPOINT {name}", (), answers_nothing=True)
        raise
    compiled.send(conn, f"RELEASE SAVEPOINT {name}", (), answers_nothing=True)


def decode_all(decode: Any, rows: list[Any]) -> list[Logged]:
    """Decode stored rows, each ``Logged`` keeping its row (``record``); a row that
    fails becomes ``Unreadable`` instead of stopping every projection at its position."""
    try:
        decoded = [decode(*row) for row in rows]
    except Exception:  # noqa: BLE001 - found row by row below
        decoded = []
        for row in rows:
            try:
                decoded.append(decode(*row))
            except Exception as error:  # noqa: BLE001 - parked with its error
                decoded.append(Unreadable(row[0], str(row[3]), error))
    for event, row in zip(decoded, rows, strict=True):
        event.record = row
    return decoded
