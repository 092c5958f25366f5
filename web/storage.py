"""One event store per app, opened on first use and closed with the app or process.

A database that cannot be reached is not a bug: ``is_unavailable`` recognises the
errors that mean "not now" (the web answers 503 with ``Retry-After``), and a store
that failed to open is tried again a few seconds later, by the next request, so the
app recovers on its own when the database comes back.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence
from flask import Flask, current_app, flash, g, request
from flask_babel import gettext
from sqlalchemy import text

from events.system import System
from workflow.application import Workflow

KEY = "nhiemvu_store"
# Where web/as_of.py keeps the request's past.
PAST_KEY = "nhiemvu_past"
# After a failed open, requests fail fast for this long instead of each waiting on
# the database again.
RETRY_SECONDS = 5.0


class StoreUnavailable(Exception):
    """The store failed to open moments ago; the next try is after RETRY_SECONDS."""


# "The database cannot be reached now", as the library, SQLAlchemy or the driver says
# it; an integrity or programming error is a real error and is not among them.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    StoreUnavailable,
    persistence.OperationalError, persistence.InterfaceError,
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError, sqlalchemy.exc.DisconnectionError,
    psycopg.OperationalError, psycopg.InterfaceError,
)


def is_unavailable(error: BaseException | None) -> bool:
    """Whether ``error``, or what caused it, means the database cannot be reached."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _UNAVAILABLE):
            return True
        if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False


class StoreHolder:
    def __init__(self, url: str | None, clock):
        self.url = url
        self.clock = clock
        self._store: System | None = None
        self._lock = threading.Lock()
        self._retry_at = 0.0
        # Called with the new store once it is open (e.g. to create the web's tables).
        self.on_open: list[Callable[[System], None]] = []

    def get(self) -> System:
        if self._store is None:
            with self._lock:  # waitress threads may all arrive at once
                if self._store is None:
                    self._store = self._open()
        return self._store

    def _open(self) -> System:
        if time.monotonic() < self._retry_at:
            raise StoreUnavailable("the database could not be reached moments ago")
        try:
            store = System(self.url, clock=self.clock)
            try:
                for hook in self.on_open:
                    hook(store)
            except BaseException:
                store.close()
                raise
        except Exception as error:
            if is_unavailable(error):
                self._retry_at = time.monotonic() + RETRY_SECONDS
            raise
        self._retry_at = 0.0
        return store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def init_app(app: Flask) -> None:
    holder = StoreHolder(app.config["DATABASE_URL"], app.config["CLOCK"])
    app.extensions[KEY] = holder
    atexit.register(holder.close)

    # A command whose events are committed is done, even when the read models could
    # not follow it (events.system.Service._notify): the person is told the lists may
    # lag, on the page they land on next.
    @app.before_request
    def _new_unit_of_work() -> None:
        if holder._store is not None:
            holder._store.service.forget_lag()

    @app.after_request
    def _tell_if_views_lag(response):
        if (holder._store is not None and holder._store.service.views_lag()
                and request.blueprint != "api"):  # the API has no session to flash in
            flash(gettext("Đã ghi nhận, nhưng danh sách và bảng tổng hợp chưa cập nhật kịp;"
                          " chúng sẽ cập nhật sau ít phút."))
        return response


def close(app: Flask) -> None:
    app.extensions[KEY].close()


def live() -> System:
    """The store as it is now: what commands write to."""
    return current_app.extensions[KEY].get()


def store() -> System:
    """What this request reads: the store now, or the past its page asked for
    (``?as_of=``, ``web/as_of.py``), which every query takes in the store's place."""
    found = g.get(PAST_KEY)
    return found if found is not None else now()


def now() -> System:
    """The store now, as the queries read it (``Reading``)."""
    system = live()
    return _readings.get(system) or _reading(system)


class Reading:
    """The store as the queries read it now: on PostgreSQL through connections in
    autocommit, so that a read is one round trip, not three (BEGIN, the query and
    ROLLBACK; each query reads in a transaction of its own either way, at PostgreSQL's
    READ COMMITTED). Everything else is the store's own."""

    def __init__(self, system: System):
        self._system = system
        self.engine = system.engine.execution_options(isolation_level="AUTOCOMMIT")

    def __getattr__(self, name: str):
        return getattr(self._system, name)


# One Reading per open store; on SQLite the store itself (its driver begins no
# transaction for a SELECT, and switching a connection costs as much as a query).
_readings: dict[System, System | Reading] = {}


def _reading(system: System) -> System:
    found = Reading(system) if system.is_postgres else system
    if len(_readings) > 8:  # stores closed and opened again (tests): keep the latest
        _readings.clear()
    _readings[system] = found
    return found  # type: ignore[return-value]


def service() -> Workflow:
    return live().service


def check() -> None:
    """Raise when the database cannot be reached now: opens the store and asks it a
    trivial question (a pooled connection may have died since it was last used)."""
    with live().engine.connect() as conn:
        conn.execute(text("SELECT 1"))
