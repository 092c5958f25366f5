"""Values kept between requests under the version of the data they were made from.

A value is kept with the version (``events.queries.version``: ``every``, or
``but_notes`` for what no progress note changes, and whatever else it depends on,
such as today and the language) read *before* it was computed, and given back only
to a request that reads the same version: never stale, whichever process or thread
wrote since, because every write that can change the value moves the version. Each
name keeps one value, the latest: the names are a fixed set chosen by the code (never
taken from a URL; at most one per account, for the person's own record), so the memory
kept is bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

KEY = "nhiemvu_versioned"


class Versioned:
    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[Hashable, Any]] = {}
        # (name, version) → set when the value being computed for it is kept.
        self._computing: dict[tuple[Hashable, Hashable], threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, name: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
        key = (name, version)
        while True:
            with self._lock:
                found = self._values.get(name)
                if found is not None and found[0] == version:
                    return found[1]
                running = self._computing.get(key)
                if running is None:
                    # This thread computes; others asking for the same version wait
                    # for it rather than each computing it again (after a write,
                    # every request in flight would).
                    running = self._computing[key] = threading.Event()
                    break
            running.wait()
            # Kept by then, unless the computing thread failed or a newer version
            # replaced it: look again, computing if need be.
        try:
            value = compute()
            with self._lock:
                self._values[name] = (version, value)
            return value
        finally:
            with self._lock:
                del self._computing[key]
            running.set()

def init_app(app: Flask) -> None:
    app.extensions[KEY] = Versioned()


def remembered(name: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, or the value it gave for ``name`` at this same ``version``."""
    return current_app.extensions[KEY].get(name, version, compute)
