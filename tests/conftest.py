"""Fixtures shared by the whole suite.

``store`` runs a test on SQLite and on PostgreSQL. Each pytest session gets its own
PostgreSQL database (so parallel runs never meet) and each test an empty schema.
In CI (``CI`` set) an unreachable PostgreSQL fails the run; on a laptop without it
the PostgreSQL variants are skipped, with the reason shown in the summary.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from click.testing import CliRunner

from cli import main as nhiemvu_command
from events.system import System
from workflow.clock import FixedClock

os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

PG_SERVER = os.environ.get("NHIEMVU_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")


def _pg_admin() -> psycopg.Connection | None:
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None


@pytest.fixture(scope="session")
def pg_database():
    """A private PostgreSQL database for this test session, dropped at the end."""
    admin = _pg_admin()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is unreachable ({PG_SERVER})")
        pytest.skip(f"PostgreSQL unreachable at {PG_SERVER}: PostgreSQL variants NOT run")
    name = f"nhiemvu_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = psycopg.conninfo.conninfo_to_dict(PG_SERVER)
    url = (f"postgresql+psycopg://{params.get('user', 'postgres')}@"
           f"{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}")
    yield url
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_pg(url: str) -> None:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """The URL of an empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nhiemvu.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def postgres_url(pg_database):
    """The URL of an empty PostgreSQL store, for what only PostgreSQL does."""
    _empty_pg(pg_database)
    return pg_database


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'nhiemvu.sqlite3'}"


@pytest.fixture
def clock():
    """A clock standing at 09:00 on 01/03/2025 in Vietnam (02:00 UTC)."""
    return FixedClock(datetime(2025, 3, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
def store(database_url, clock):
    with System(database_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def service(store):
    return store.service


def cli_on(url: str, instance=None):
    """The real ``nhiemvu`` command on the store at ``url``, through Click's runner.

    ``instance`` is its NHIEMVU_INSTANCE (evidence files go there, never ./instance);
    the web ``app`` fixture uses the same folder, tmp_path / "instance".
    """
    runner = CliRunner(env={"NHIEMVU_INSTANCE": str(instance)} if instance else None)

    def run(*args: str, input: str | None = None):
        result = runner.invoke(nhiemvu_command, ["--database", url, *args], input=input)
        assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def nhiemvu(database_url, tmp_path):
    """The CLI on SQLite and PostgreSQL: for what gets stored and queried."""
    return cli_on(database_url, tmp_path / "instance")


@pytest.fixture
def lite(sqlite_url, tmp_path):
    """The CLI on SQLite only: for input checks and printing, which do not depend on
    the database."""
    return cli_on(sqlite_url, tmp_path / "instance")
