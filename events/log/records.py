"""Rows of the events table as the seal and the backup see them: bytes, as stored.

A row is ``(id, originator_id, originator_version, topic, state)``: the id is the
event's position in the log; SQLite gives the aggregate id as 16 bytes, PostgreSQL
as a UUID. ``select_rows`` reads them in position order with Core, in batches.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, bindparam, select, type_coerce
from sqlalchemy.types import NullType

from events.log.merkle import record_bytes


def id_bytes(originator_id: Any) -> bytes:
    """The aggregate id's 16 bytes, as SQLite (bytes) or PostgreSQL (UUID) gives it."""
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    if isinstance(originator_id, bytes | bytearray | memoryview):
        return bytes(originator_id)
    return UUID(str(originator_id)).bytes


def record_of(row: Any) -> bytes:
    """The sealed bytes of a stored row (``merkle.record_bytes``)."""
    position, originator_id, version, topic, state = row
    return record_bytes(position, id_bytes(originator_id), version, topic, bytes(state))


def record_json(row: Any) -> dict[str, Any]:
    """A stored row as JSON, byte for byte (the state in base64): what proofs and
    backups carry, and what anyone can hash again (docs/audit.md)."""
    position, originator_id, version, topic, state = row
    return {"position": position, "aggregate_id": id_bytes(originator_id).hex(),
            "version": version, "topic": topic,
            "state": base64.b64encode(bytes(state)).decode("ascii")}


def columns(table: Table) -> tuple[Any, ...]:
    """The row's columns, the aggregate id as the driver gives it (no UUID built)."""
    return (table.c.id, type_coerce(table.c.originator_id, NullType()),
            table.c.originator_version, table.c.topic, table.c.state)


def select_batches(conn: Connection, table: Table, batch: int = 20000, after: int = 0,
                   until: int | None = None) -> Iterator[list[Any]]:
    """The rows after position ``after`` (up to ``until``), in position order, in
    lists of ``batch``: keyset pages, never the whole table in memory."""
    query = select(*columns(table)).where(table.c.id > bindparam("after"))
    if until is not None:
        query = query.where(table.c.id <= until)
    query = query.order_by(table.c.id).limit(batch)
    while rows := conn.execute(query, {"after": after}).all():
        yield rows
        after = rows[-1][0]


def select_rows(conn: Connection, table: Table, batch: int = 20000,
                after: int = 0) -> Iterator[Any]:
    """Every row after position ``after``, in position order, ``batch`` at a time."""
    for rows in select_batches(conn, table, batch, after):
        yield from rows
