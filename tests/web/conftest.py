"""The web tests run on SQLite only, unless marked ``both_stores``.

A page reads and writes through the same service and queries on either database,
and tests/unit and tests/integration run those on SQLite and PostgreSQL: running
every page twice would test the store again, not the web. What the web itself keeps
in the database (its sessions) is tested on both: those modules are marked.
"""

from __future__ import annotations

import pytest

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
