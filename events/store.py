"""Opening the event store: one setting, ``NHIEMVU_DATABASE_URL``, picks it.

Default: a SQLite file under ``./instance/``. For PostgreSQL set
``postgresql+psycopg://user@host/db``; the code is the same.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Engine

from events.damage import first_damaged_position
from events.projections import Projections
from workflow.application import Workflow
from workflow.clock import Clock

DEFAULT_INSTANCE = Path("instance")
log = logging.getLogger(__name__)


def instance_folder() -> Path:
    """The instance folder (SQLite file, evidence files): ``NHIEMVU_INSTANCE``, else
    ``./instance``."""
    return Path(os.environ.get("NHIEMVU_INSTANCE", DEFAULT_INSTANCE)).resolve()


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``NHIEMVU_DATABASE_URL``, else the SQLite file."""
    url = url or os.environ.get("NHIEMVU_DATABASE_URL")
    if url:
        return url
    instance = instance_folder()
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'nhiemvu.sqlite3'}"


class Service(Workflow):
    """The workflow service, told after every save so read models catch up at once."""

    def __init__(self, env: dict[str, str], clock_: Clock | None = None):
        super().__init__(env, clock_)
        self.after_save: list[Callable[[], None]] = []
        self._lag = threading.local()

    def _notify(self, recordings: list[Any]) -> None:
        # Read your writes: a command returns only after the read models have caught
        # up. The events are committed by now, so nothing here may turn the command's
        # success into a failure: a catch-up that fails is logged, and the command's
        # caller can see that the views lag (``views_lag``); the next catch-up, by any
        # command or process, applies what this one could not.
        self._lag.failed = False
        for listener in self.after_save:
            try:
                listener()
            except Exception:  # noqa: BLE001 - the command itself succeeded
                log.exception("Read models could not catch up after a save; they lag "
                              "until the next catch-up.")
                self._lag.failed = True

    def views_lag(self) -> bool:
        """Whether the read models failed to catch up after this thread's last save."""
        return getattr(self._lag, "failed", False)

    def forget_lag(self) -> None:
        """Start a new unit of work (a web request) on this thread."""
        self._lag.failed = False

    def damage_position(self, aggregate_id: UUID) -> int | None:
        return first_damaged_position(self, aggregate_id)


class Store:
    """The service plus what reads beside it; close it when done."""

    def __init__(self, url: str | None = None, *, clock: Clock | None = None):
        self.url = database_url(url)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": self.url,
            "CREATE_TABLE": "y",
        }
        self.service = Service(env, clock)
        # Creates the read-model tables if missing, like the event tables above.
        self.projections = Projections(self)
        self.service.after_save.append(self.projections.catch_up)

    @property
    def engine(self) -> Engine:
        engine = self.service.recorder.datastore.engine  # type: ignore[attr-defined]
        assert engine is not None
        return engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.service.close()
        # The library leaves its pooled connections open; a closed store holds none.
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str | None = None, *, clock: Clock | None = None) -> Store:
    return Store(url, clock=clock)
