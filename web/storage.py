"""One event store per app, opened on first use and closed with the app or process."""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from events.store import Store
from workflow.application import Workflow

KEY = "nhiemvu_store"


class StoreHolder:
    def __init__(self, url: str | None, clock):
        self.url = url
        self.clock = clock
        self._store: Store | None = None
        self._lock = threading.Lock()

    def get(self) -> Store:
        if self._store is None:
            with self._lock:  # waitress threads may all arrive at once
                if self._store is None:
                    self._store = Store(self.url, clock=self.clock)
        return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def init_app(app: Flask) -> None:
    holder = StoreHolder(app.config["DATABASE_URL"], app.config["CLOCK"])
    app.extensions[KEY] = holder
    atexit.register(holder.close)


def close(app: Flask) -> None:
    app.extensions[KEY].close()


def store() -> Store:
    return current_app.extensions[KEY].get()


def service() -> Workflow:
    return store().service
