"""The raw limit for bench/commands.py: single-row INSERT + COMMIT, straight on the driver.

A table shaped like the event store's (``id`` autoincrement, ``originator_id`` 16 bytes
or ``uuid``, ``originator_version``, ``topic`` text, ``state`` blob/bytea, unique on
``(originator_id, originator_version)``), written one event per transaction with the
store's own durability, read from the store's connection by the caller: on SQLite its
``journal_mode`` (WAL) and ``synchronous`` (2, FULL: an fsync per commit); on
PostgreSQL the server's ``synchronous_commit`` (``on`` by default: the commit waits
for the WAL flush). Nothing else: no ORM, no pool, no reads.
"""

from __future__ import annotations

import sqlite3
import uuid

import psycopg
from sqlalchemy import func, select

TABLE = "bench_raw_events"
TOPIC = "nhiemvu.task.WorkStarted"
VERSIONS = 5  # events per originator, as a task assigned, started, noted, reported, verified

_SQLITE_DDL = (
    f"CREATE TABLE {TABLE} (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "originator_id BINARY(16) NOT NULL, originator_version INTEGER NOT NULL, "
    "topic TEXT NOT NULL, state BLOB NOT NULL)",
    f"CREATE UNIQUE INDEX {TABLE}_idx ON {TABLE} (originator_id, originator_version)",
)
_PG_DDL = (
    f"DROP TABLE IF EXISTS {TABLE}",
    f"CREATE TABLE {TABLE} (id BIGSERIAL PRIMARY KEY, originator_id UUID NOT NULL, "
    "originator_version BIGINT NOT NULL, topic TEXT NOT NULL, state BYTEA NOT NULL)",
    f"CREATE UNIQUE INDEX {TABLE}_idx ON {TABLE} (originator_id, originator_version)",
)
_INSERT = (f"INSERT INTO {TABLE} (originator_id, originator_version, topic, state) "
           "VALUES ({0}, {0}, {0}, {0})")


class _Loop:
    def __init__(self, state_size: int):
        self.state = bytes(range(256)) * (state_size // 256) + bytes(state_size % 256)
        self.count = 0

    def _next(self) -> tuple[uuid.UUID, int]:
        if self.count % VERSIONS == 0:
            self.originator = uuid.uuid4()
        self.count += 1
        return self.originator, (self.count - 1) % VERSIONS + 1


class SQLiteLoop(_Loop):
    def __init__(self, path: str, *, journal_mode: str, synchronous: int, state_size: int):
        super().__init__(state_size)
        self.conn = sqlite3.connect(path)
        self.conn.execute(f"PRAGMA journal_mode={journal_mode}")
        self.conn.execute(f"PRAGMA synchronous={int(synchronous)}")
        for statement in _SQLITE_DDL:
            self.conn.execute(statement)
        self.conn.commit()
        self.sql = _INSERT.format("?")

    def insert(self, n: int) -> None:
        for _ in range(n):
            originator, version = self._next()
            self.conn.execute(self.sql, (originator.bytes, version, TOPIC, self.state))
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()


class PostgresLoop(_Loop):
    def __init__(self, conninfo: str, *, state_size: int):
        super().__init__(state_size)
        self.conn = psycopg.connect(conninfo)
        for statement in _PG_DDL:
            self.conn.execute(statement)
        self.conn.commit()
        self.sql = _INSERT.format("%s")

    def insert(self, n: int) -> None:
        for _ in range(n):
            originator, version = self._next()
            # psycopg prepares the statement itself after a few runs, as a server would.
            self.conn.execute(self.sql, (originator, version, TOPIC, self.state))
            self.conn.commit()

    def close(self) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self.conn.commit()
        self.conn.close()


def state_size(store) -> int:
    """The mean size of a stored event's state in ``store`` (an ``events.system.System``):
    the raw rows carry as many bytes as the store's own events, so the two write alike."""
    with store.engine.connect() as conn:
        size = conn.execute(select(func.avg(func.length(store.events_table.c.state)))).scalar()
    return int(size or 200)
