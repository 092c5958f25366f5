"""A batch's writes sent without a round trip each (``events.sql.pipeline``), and
past SQLAlchemy on the driver's cursor (``events.sql.compiled.on_driver``).

On PostgreSQL the writes are queued and the first statement that answers rows waits
for them, so a block reads what it wrote; a queued write that fails raises by the
block's end, and a savepoint around the block leaves the transaction usable. On
SQLite the block runs as it would without.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, func, insert, select, update

from events.readmodels import tables
from events.readmodels.parking import savepoint
from events.sql import compiled
from events.sql.pipeline import pipelined, sync

K = tables.parked
_INSERT = insert(K)

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def row(position: int) -> dict:
    return {"projection": "pipe", "position": position, "topic": "t", "error": "e",
            "parked_at": NOW}


def count(conn) -> int:
    return conn.execute(select(func.count()).select_from(K)
                        .where(K.c.projection == "pipe")).scalar_one()


def queueing(conn) -> bool:
    """Whether the driver's connection is in pipeline mode now (PostgreSQL only)."""
    driver = conn.connection.driver_connection
    return bool(getattr(getattr(driver, "pgconn", None), "pipeline_status", 0))


def test_a_block_reads_what_it_wrote_and_its_writes_are_committed(store):
    with store.engine.connect() as conn, conn.begin(), pipelined(conn):
        conn.execute(insert(K), [row(1), row(2)])
        conn.execute(insert(K), row(3))
        assert queueing(conn) == store.is_postgres
        assert count(conn) == 3  # waits for the writes queued before it
        assert not queueing(conn)
        conn.execute(insert(K), row(4))
    with store.engine.connect() as conn:
        assert count(conn) == 4


def test_a_write_that_fails_raises_and_the_savepoint_keeps_the_rest(store):
    with store.engine.connect() as conn, conn.begin():
        conn.execute(insert(K), row(1))
        with pytest.raises(Exception, match="(?i)unique|duplicate"), \
                pipelined(conn), savepoint(conn, "test_block"):
            conn.execute(insert(K), row(2))
            conn.execute(insert(K), row(1))  # the same key again: refused
            sync(conn)
        assert count(conn) == 1  # the block's rows rolled back, the one before it kept
        conn.execute(insert(K), row(5))
    with store.engine.connect() as conn:
        assert count(conn) == 2


@pytest.fixture
def sent():
    """What goes to the driver's cursor itself, and what SQLAlchemy's events see."""
    seen = {"driver": [], "sqlalchemy": []}

    def on_driver(sql, params, many):
        seen["driver"].append(sql)

    compiled.listeners.append(on_driver)
    yield seen
    compiled.listeners.remove(on_driver)


def test_on_the_driver_compiled_statements_skip_sqlalchemy_and_are_told_to_listeners(
        store, sent):
    def counted(*args):
        sent["sqlalchemy"].append(args[2])

    event.listen(store.engine, "before_cursor_execute", counted)
    try:
        with store.engine.connect() as conn, conn.begin(), pipelined(conn), \
                compiled.on_driver(conn):
            compiled.execute(conn, _INSERT, [row(1), row(2)])
            compiled.execute(conn, _INSERT, row(3))
            assert queueing(conn) == store.is_postgres  # queued on the driver too
            # A statement that answers rows waits for those queued, and reads them:
            # sent with them, in one round trip, the pipeline open for what follows.
            assert compiled.execute(conn, select(func.count()).select_from(K), {}
                                    ).scalar_one() == 3
            assert queueing(conn) == store.is_postgres
            compiled.execute(conn, _INSERT, row(4))
    finally:
        event.remove(store.engine, "before_cursor_execute", counted)
    assert len(sent["driver"]) == 4
    assert not any("rm_parked" in sql for sql in sent["sqlalchemy"])
    with store.engine.connect() as conn:
        assert count(conn) == 4  # committed with the transaction SQLAlchemy began


def test_on_the_driver_a_write_that_fails_rolls_back_to_the_savepoint(store, sent):
    with store.engine.connect() as conn, conn.begin():
        conn.execute(insert(K), row(1))
        with pytest.raises(Exception, match="(?i)unique|duplicate"), pipelined(conn), \
                compiled.on_driver(conn), savepoint(conn, "test_block"):
            compiled.execute(conn, _INSERT, row(2))
            compiled.execute(conn, _INSERT, row(1))  # the same key again: refused
            sync(conn)
        assert "SAVEPOINT test_block" in sent["driver"]
        assert count(conn) == 1
        conn.execute(insert(K), row(5))
    with store.engine.connect() as conn:
        assert count(conn) == 2


_MARK = (update(K).where(K.c.projection == bindparam("b_projection"),
                         K.c.position == bindparam("b_position"))
         .values(error=bindparam("b_error")))
_POSITION = insert(tables.positions)


def test_on_postgresql_writes_to_several_tables_go_as_one_statement_in_their_order(
        store, sent):
    """Held back and sent as parts of one statement: writes to different tables. A
    write to a table already written in the block goes after them, and sees them."""
    with store.engine.connect() as conn, conn.begin(), pipelined(conn), \
            compiled.on_driver(conn):
        compiled.execute(conn, _INSERT, [row(1), row(2)])
        compiled.execute(conn, _POSITION, {"name": "pipe_test", "position": 7})
        compiled.execute(conn, _MARK, {"b_projection": "pipe", "b_position": 1,
                                       "b_error": "seen"})
    if store.is_postgres:
        assert len(sent["driver"]) == 2
        assert sent["driver"][0].startswith("WITH w0 AS (INSERT INTO rm_parked")
        assert sent["driver"][0].count("INSERT INTO") == 3
    else:
        assert len(sent["driver"]) == 3
    with store.engine.connect() as conn:
        errors = conn.execute(select(K.c.position, K.c.error).where(K.c.projection == "pipe")
                              .order_by(K.c.position)).all()
        assert [tuple(r) for r in errors] == [(1, "seen"), (2, "e")]
        assert conn.execute(select(tables.positions.c.position).where(
            tables.positions.c.name == "pipe_test")).scalar_one() == 7


def test_rows_said_distinct_go_as_parts_and_others_alone(store, sent):
    """Several rows of an UPDATE may touch one row twice: sent alone, after what is
    held, unless the caller says they are distinct."""
    with store.engine.connect() as conn, conn.begin():
        conn.execute(insert(K), [row(1), row(2)])
        with pipelined(conn), compiled.on_driver(conn):
            compiled.execute(conn, _POSITION, {"name": "pipe_test", "position": 1})
            marks = [{"b_projection": "pipe", "b_position": n, "b_error": f"m{n}"}
                     for n in (1, 2)]
            compiled.execute(conn, _MARK, marks)
            compiled.execute(conn, _MARK, [{**m, "b_error": m["b_error"] + "!"}
                                           for m in marks], distinct=True)
    if store.is_postgres:
        # The insert alone (the rows after it could not join it), the two rows, then
        # the distinct two as one statement.
        assert [sql[:8] for sql in sent["driver"]] == ["INSERT I", "UPDATE r", "WITH w0 "]
    with store.engine.connect() as conn:
        errors = conn.execute(select(K.c.error).where(K.c.projection == "pipe")
                              .order_by(K.c.position)).scalars().all()
        assert errors == ["m1!", "m2!"]
