"""Scratch PostgreSQL databases for the benchmarks: made from ``test`` (the server the
tests use, 127.0.0.1:5432, trust auth), dropped afterwards."""

from __future__ import annotations

import uuid

import psycopg

PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def url_of(name: str) -> str:
    return f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def create_database(prefix: str = "nhiemvu_bench") -> str:
    """A new empty database; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="test", autocommit=True, **PG) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(dbname="test", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
