"""The composition root: the one place a process wires nhiemvu together.

``System(url)`` opens the event store the URL names (see ``events.settings``), builds
the application service (``workflow.application.Workflow``) on it, creates the read
models beside the log, has the recorder write them in each save's own transaction and
registers their catch-up after every save (for what that could not). The CLI builds
one per run, the web app one per process (``web.storage``), the scheduler shares the
web's. Everything else receives it and never builds its own.

May import: every sub-package of ``events`` and ``workflow``; nothing imports it at
run time except the interfaces and the processes (the rest only for type hints).
"""

from __future__ import annotations

import os

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from events.log.damage import first_damaged_position
from events.log.positions import never_reuse
from events.readmodels import Projections, tables
from events.readmodels.pasts import Pasts
from events.readmodels.seal import last_checkpoint_size
from events.readmodels.writing import writer_engine
from events.settings import database_url
from workflow.application import Workflow
from workflow.clock import Clock


class System:
    """The application service plus the read models beside it; close it when done."""

    def __init__(self, url: str | None = None, *, clock: Clock | None = None):
        self.url = database_url(url)
        env = {
            "PERSISTENCE_MODULE": "events.log.recorder:Factory",
            "SQLALCHEMY_URL": self.url,
            "CREATE_TABLE": "y",
            # Users, units, plans and tasks stay in memory between commands and
            # requests. Each get still reads the aggregate's events after the cached
            # version (one indexed query, fast-forward), so a change made by another
            # process (a deactivation, a new role) is seen on the very next command.
            "AGGREGATE_CACHE_FASTFORWARD": "y",
        }
        if cached := _cache_size():  # the library reads 0 as "no limit"
            env["AGGREGATE_CACHE_MAXSIZE"] = str(cached)
        self.service = Workflow(env, clock)
        self.service.locate_damage = lambda aggregate_id: first_damaged_position(
            self.service, aggregate_id)
        # A command's person and task brought up to date by one query, not two.
        self.service.read_ahead = self.service.recorder.reading_ahead  # type: ignore[attr-defined]
        # Creates the read-model tables if missing, like the event tables above. The
        # read models write through an engine of their own (``writing.writer_engine``).
        self.projections = Projections(self.service, writer_engine(self.url))
        never_reuse(self.engine, self.events_table, tables.positions)
        # Each command's own events reach them inside its transaction; the catch-up
        # after the save applies whatever that could not (``runner.apply_within``).
        self.service.recorder.within = self.projections.apply_within  # type: ignore[attr-defined]
        self.service.recorder.alongside = self.projections.alongside  # type: ignore[attr-defined]
        self.service.after_save.append(self.projections.after_save)
        # A checkpoint of the seal every so many events (the scheduler adds one an
        # hour): recorded after the command, like the read models' catch-up.
        self.seal_every = _seal_every()
        self._checkpointed: int | None = None
        self.service.after_save.append(self._checkpoint_if_due)
        # The read models as of an instant, kept between requests (events.queries.as_of).
        self.pasts = Pasts(self.engine, keep=_pasts_kept())

    def _checkpoint_if_due(self, _positions: list[int]) -> None:
        # What the seal projection applied in this process tells the size without a
        # query; the store is asked only when a checkpoint may be due.
        sealed = self.projections.by_name["seal"].sealed()
        if sealed is None:
            return
        size = sealed.size
        if self._checkpointed is not None and size - self._checkpointed < self.seal_every:
            return
        with self.engine.connect() as conn:
            self._checkpointed = last_checkpoint_size(conn)
        if size - self._checkpointed >= self.seal_every:
            # Its own event, sealed next, counts as covered: else every checkpoint
            # would make the next one due when recording every event.
            self._checkpointed = size + 1
            self.service.record_checkpoint(size, sealed.root().hex(), "events")

    @property
    def engine(self) -> Engine:
        engine = self.service.recorder.datastore.engine  # type: ignore[attr-defined]
        assert engine is not None
        return engine

    @property
    def events_table(self) -> Table:
        """The log's own table (the library's): position ``id``, ``originator_id``,
        ``originator_version``, ``topic``, ``state``."""
        return self.service.recorder.events_record_cls.__table__  # type: ignore[attr-defined]

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.pasts.close()
        self.service.close()
        # The library leaves its pooled connections open; a closed store holds none.
        self.engine.dispose()
        self.projections.engine.dispose()

    def __enter__(self) -> System:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _seal_every() -> int:
    raw = os.environ.get("NHIEMVU_SEAL_EVERY", "1000").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise ValueError("NHIEMVU_SEAL_EVERY must be a number of events from 1 to 1000000")
    return int(raw)


def _cache_size() -> int:
    # About 5 KB per task: the default keeps a district's open work in memory.
    raw = os.environ.get("NHIEMVU_AGGREGATE_CACHE", "5000").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 1_000_000:
        raise ValueError("NHIEMVU_AGGREGATE_CACHE must be a number of records from 0 "
                         "to 1000000")
    return int(raw)


def _pasts_kept() -> int:
    raw = os.environ.get("NHIEMVU_PASTS_KEPT", "2").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 16:
        raise ValueError("NHIEMVU_PASTS_KEPT must be a number of pasts from 0 to 16")
    return int(raw)
