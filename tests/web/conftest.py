"""The web tests run on SQLite only, unless marked ``both_stores``.

A page reads and writes through the same service and queries on either database,
and tests/unit and tests/integration run those on SQLite and PostgreSQL: running
every page twice would test the store again, not the web. What the web itself keeps
in the database (its sessions) is tested on both: those modules are marked.
"""

from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import urlsplit, urlunsplit

import pytest

from events.processes.sweep import sweep
from tests.forwarder import Forwarder
from web import storage
from workflow.alerts import AlertPolicy
from workflow.clock import LOCAL_TZ

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_generate_tests(metafunc):
    if ("database_url" in metafunc.fixturenames
            and metafunc.definition.get_closest_marker("both_stores")):
        metafunc.parametrize("database_url", STORES, indirect=True)


@pytest.fixture
def database_url(request):
    """The URL of an empty SQLite store, or for ``both_stores`` tests of each store."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def forwarder(postgres_url):
    """PostgreSQL through a forwarder a test can switch off: the database "away"."""
    parts = urlsplit(postgres_url)
    running = Forwarder((parts.hostname, parts.port or 5432)).start()
    running.url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{running.port}"))
    yield running
    running.stop()


@pytest.fixture
def raise_alerts(app, clock):
    """``raise_alerts(date(2025, 3, 24))``: the clock moves to 09:00 that day, one sweep."""
    def run(day: date):
        moment = datetime.combine(day, time(9), LOCAL_TZ)
        clock.advance(seconds=(moment - clock()).total_seconds())
        with app.app_context():
            return sweep(storage.store(), policy=AlertPolicy())
    return run
