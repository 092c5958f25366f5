"""Many rows at once (``bulk.execute_many``): a rebuild's batches, on both databases.

From ``COPY_FROM_ROWS`` rows a plain insert goes through COPY on PostgreSQL; an
upsert must not, since COPY knows no ON CONFLICT: the tallies of a large batch add to
the buckets already there, as the same rows a few at a time would.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from events.readmodels import tables
from events.readmodels.bulk import COPY_FROM_ROWS
from events.readmodels.tally import Tally


def rows(count: int) -> list[dict]:
    first = date(2025, 6, 1)
    return [{"unit": "VP", "plan": None, "target": None, "state": "in_progress",
             "grade": None, "reported_on": None, "deadline": first + timedelta(days=n)}
            for n in range(count)]


def test_a_large_batch_adds_to_the_running_totals_already_there(store):
    many = rows(COPY_FROM_ROWS + 50)
    for _ in range(2):  # the second batch meets every bucket the first made
        tally = Tally()
        for row in many:
            tally.move(None, row)
        with store.projections.write() as conn:
            tally.write(conn)
    D, C = tables.task_due, tables.task_counts
    with store.engine.connect() as conn:
        due = conn.execute(select(D.c.n, func.count()).group_by(D.c.n)).all()
        counted = conn.execute(select(C.c.n)).scalars().all()
    assert due == [(2, len(many))]
    assert counted == [2 * len(many)]
