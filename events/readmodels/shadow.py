"""Rebuilding a read model beside the live one, then swapping: never an empty view.

A rebuild fills shadow copies of the projection's tables, together with its own
position and parked events, while the live tables keep answering and keep being
caught up. At the end one write transaction applies what the log gained meanwhile
to the shadow, then replaces the live tables with it and moves the positions. A
rebuild that fails, or is killed, leaves the live tables exactly as they were.

Where the shadow lives: on SQLite, in the rebuild connection's ``temp`` schema
(SQLite resolves an unqualified name in ``temp`` before ``main``, so every statement
the projections run, built once at import, lands in the shadow unchanged; the temp
tables vanish with the connection, even after SIGKILL). On PostgreSQL, in the schema
``nhiemvu_rebuild``, first on the rebuild connection's ``search_path``; the swap is
``ALTER TABLE … SET SCHEMA``, instant, and a session advisory lock keeps rebuilds
one at a time.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from sqlalchemy import Connection, MetaData, Table, select
from sqlalchemy.schema import CreateIndex, CreateTable

from events.readmodels import tables

PG_SCHEMA = "nhiemvu_rebuild"
# pg_advisory_lock key: a fixed number of this project's own (ASCII "nhvrbuid").
_PG_LOCK = 0x6E687672_62756964
_BOOKKEEPING = (tables.positions, tables.parked)


class ShadowBuild:
    """Rebuild ``chosen`` projections into shadow tables and swap them in."""

    def __init__(self, projections: Any, chosen: list[str]):
        # ``projections``: the runner's ``Projections``, which imports this module.
        self.projections = projections
        self.chosen = chosen
        self.postgres = projections.is_postgres
        self.owned = [t for name in chosen for t in projections.by_name[name].tables]

    def run(self, *, only_stale: bool = False) -> int:
        """Return how many events were read; ``only_stale``: skip projections whose
        definition another process brought up to date meanwhile."""
        conn = self.projections.engine.connect()
        try:
            self._prepare(conn)
            if only_stale:
                self._keep_stale(conn)
                conn.commit()
                if not self.chosen:
                    return 0
            self._create(conn)
            conn.commit()
            read = self.projections.fill(conn, self.chosen, rebuilding=True)
            with self.projections.write(conn) as tx:
                self._index(tx)
            with self.projections.write(conn) as tx:
                read += self.projections.fill_in(tx, self.chosen)
                self._swap(tx)
            return read
        finally:
            # Never back in the pool: its temp tables and search path are the shadow's.
            conn.invalidate()
            conn.close()
            # What a projection kept in memory described the shadow, or the rows the
            # shadow replaced: from here on it reads its stored rows again.
            for name in self.chosen:
                self.projections.by_name[name].at_position(None)

    # -- the shadow --------------------------------------------------------------

    def _prepare(self, conn: Connection) -> None:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        if not self.postgres:
            conn.exec_driver_sql("PRAGMA temp.cache_size=-65536")
            # The shadow is thrown away if anything fails: its journal (needed only to
            # roll back a savepoint) can stay in memory.
            conn.exec_driver_sql("PRAGMA temp.journal_mode=MEMORY")
            conn.commit()
            return
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_LOCK})")
        self.live = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        # A rebuild killed earlier left its schema behind: nobody else uses it.
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {PG_SCHEMA}")
        conn.exec_driver_sql(f"SET search_path TO {PG_SCHEMA}, {_quote(self.live)}")
        conn.commit()
        conn.execution_options(isolation_level="READ COMMITTED")

    def _keep_stale(self, conn: Connection) -> None:
        live_defs = _copy_of(tables.definitions, self._live_schema())
        stored = dict(conn.execute(select(live_defs.c.name, live_defs.c.definition))
                      .tuples().all())
        self.chosen = [n for n in self.chosen
                       if stored.get(n) != self.projections.by_name[n].definition()]
        self.owned = [t for n in self.chosen for t in self.projections.by_name[n].tables]

    def _create(self, conn: Connection) -> None:
        schema = PG_SCHEMA if self.postgres else "temp"
        with conn.begin() if self.postgres else nullcontext():
            for table in (*_BOOKKEEPING, *self.owned):
                conn.execute(CreateTable(_copy_of(table, schema)))
            shadow_positions = _copy_of(tables.positions, schema)
            conn.execute(shadow_positions.insert(),
                         [{"name": name, "position": 0} for name in self.chosen])

    def _index(self, tx: Connection) -> None:
        """Index the filled shadow before the swap, so the swap holds its locks only
        briefly: on PostgreSQL the indexes move with their tables; on SQLite a copy
        between tables with the same indexes moves whole pages (the "transfer
        optimisation"), several times faster than indexing after the copy."""
        shadow = PG_SCHEMA if self.postgres else "temp"
        for table in self.owned:
            for index in _copy_of(table, shadow).indexes:
                tx.execute(CreateIndex(index))
            if self.postgres:
                tx.exec_driver_sql(f"ANALYZE {_qualified(shadow, table.name)}")

    # -- the swap ----------------------------------------------------------------

    def _swap(self, tx: Connection) -> None:
        """In the caller's write transaction: shadow tables become the live ones."""
        live = self._live_schema()
        names = self.chosen
        positions = _copy_of(tables.positions, live)
        if self.postgres:  # hold off the live catch-ups of these projections
            tx.execute(select(positions.c.name).where(positions.c.name.in_(names))
                       .with_for_update())
        for table in self.owned:
            live_table = _copy_of(table, live)
            tx.exec_driver_sql(f"DROP TABLE {_qualified(live, table.name)}")
            if self.postgres:
                tx.exec_driver_sql(f"ALTER TABLE {_qualified(PG_SCHEMA, table.name)} "
                                   f"SET SCHEMA {_quote(live)}")
            else:
                # Created with its indexes while empty, then filled in one statement
                # that SQLite turns into a page-by-page transfer from the shadow.
                tx.execute(CreateTable(live_table))
                for index in live_table.indexes:
                    tx.execute(CreateIndex(index))
                tx.exec_driver_sql(f"INSERT INTO {_qualified(live, table.name)} "
                                   f"SELECT * FROM {_qualified('temp', table.name)}")
        shadow = "temp" if not self.postgres else PG_SCHEMA
        shadow_positions = _copy_of(tables.positions, shadow)
        reached = dict(tx.execute(select(shadow_positions.c.name,
                                         shadow_positions.c.position)).tuples().all())
        definitions = _copy_of(tables.definitions, live)
        parked = _copy_of(tables.parked, live)
        for name in names:
            tx.execute(positions.update().where(positions.c.name == name)
                       .values(position=reached[name]))
            tx.execute(definitions.update().where(definitions.c.name == name)
                       .values(definition=self.projections.by_name[name].definition()))
        tx.execute(parked.delete().where(parked.c.projection.in_(names)))
        tx.exec_driver_sql(f"INSERT INTO {_qualified(live, 'rm_parked')} "
                           f"SELECT * FROM {_qualified(shadow, 'rm_parked')}")

    def _live_schema(self) -> str:
        return self.live if self.postgres else "main"


def _copy_of(table: Table, schema: str) -> Table:
    """The same table (columns, keys, indexes) named in ``schema``."""
    return table.to_metadata(MetaData(), schema=schema)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(schema: str, name: str) -> str:
    return f"{_quote(schema)}.{_quote(name)}"
