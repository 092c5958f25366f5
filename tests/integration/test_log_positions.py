"""A position of the log is never given twice, even after rows were deleted at its end.

Else the next event would take a position every read model believes it has applied,
and nothing would ever show it (on SQLite, whose ids are reused without AUTOINCREMENT).
"""

from __future__ import annotations

from sqlalchemy import func, select

from events import queries
from events.log.positions import never_reuse
from events.queries import seal as seal_queries
from events.readmodels import tables
from events.system import System
from tests.readmodels import assign, commune


def _table(store):
    return store.service.recorder.events_record_cls.__table__


def test_an_event_after_the_last_rows_were_deleted_takes_a_new_position(store):
    commune(store)
    head = store.projections.head()
    with store.engine.begin() as conn:
        conn.execute(_table(store).delete().where(_table(store).c.id >= head - 1))
    task_id = assign(store, "Sau khi mất hai dòng cuối")
    assert store.projections.head() == head + 1
    # The read models saw it: it is on the board and in the audit log.
    assert task_id in [str(r["id"]) for r in queries.board(store, limit=100).rows]
    assert queries.task_history(store, task_id)
    found = seal_queries.verify(store)
    assert (found["intact"], found["position"], found["kind"]) == (False, head - 1, "deleted")


def test_a_store_made_before_is_given_autoincrement_with_its_rows_and_ids(sqlite_url, clock):
    # The store as the library creates it, with rows and a gap at the end: positions
    # the read models saw, then deleted.
    with System(sqlite_url, clock=clock) as store:
        commune(store)
        seen = store.projections.head()
    with System(sqlite_url, clock=clock) as store, store.engine.begin() as conn:
        table = _table(store)
        rows = conn.execute(select(table).order_by(table.c.id)).all()
        conn.exec_driver_sql(f"DROP TABLE {table.name}")
        conn.exec_driver_sql(f"CREATE TABLE {table.name} (id INTEGER NOT NULL, "
                             "originator_id BINARY(16) NOT NULL, originator_version INTEGER "
                             "NOT NULL, topic TEXT NOT NULL, state BLOB NOT NULL, "
                             "PRIMARY KEY (id))")
        conn.execute(table.insert(), [dict(r._mapping) for r in rows[:-3]])
        assert "AUTOINCREMENT" not in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = ?", (table.name,)).scalar()
    with System(sqlite_url, clock=clock) as store, store.engine.connect() as conn:
        table = _table(store)
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?",
                                   (table.name,)).scalar()
        assert "AUTOINCREMENT" in sql
        assert conn.execute(select(func.count()).select_from(table)).scalar() == len(rows) - 3
        assert conn.execute(select(table).order_by(table.c.id)).all() == rows[:-3]
        indexes = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' "
                                       "AND tbl_name = ?", (table.name,)).scalars().all()
        assert set(indexes) >= {i.name for i in table.indexes}
    with System(sqlite_url, clock=clock) as store:
        assign(store, "Sau khi nâng cấp")
        assert store.projections.head() == seen + 1  # past every position seen


def test_a_store_that_already_never_reuses_is_left_alone(sqlite_url, postgres_url, clock):
    for url in (sqlite_url, postgres_url):
        with System(url, clock=clock) as store:
            commune(store)
            # Done when the store was first opened; PostgreSQL's sequence never goes back.
            assert never_reuse(store.engine, _table(store), tables.positions) is False
