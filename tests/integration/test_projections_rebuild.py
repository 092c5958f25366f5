"""Rebuilt equals incrementally built, after any sequence of commands (hypothesis)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import queries
from events.readmodels import bulk
from events.system import System
from tests.readmodels import ACTIONS, PLAN, commune, digest, run, today
from workflow.errors import DomainError
from workflow.grades import GRADES
from workflow.rules import STATES

steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 30), st.integers(0, 20)),
                 min_size=5, max_size=40)


def assert_counts_agree_with_the_board(store, day) -> None:
    rows = queries.board(store, limit=500, today=day).rows
    counts = queries.counts(store, today=day)
    assert counts["total"] == len(rows)
    assert counts["by_grade"] == {g: sum(r["grade"] == g for r in rows) for g in GRADES}
    assert counts["by_state"] == {s: sum(r["state"] == s for r in rows) for s in STATES}
    soon = {r["id"] for r in queries.due_soon(store, today=day, limit=500)}
    assert counts["due_soon"] == len(soon)
    for unit in counts["by_unit"]:
        mine = [r for r in rows if r["unit"] == unit["unit"]]
        assert unit["overdue"] == sum(r["grade"] == "open_overdue" for r in mine)
        assert unit["due_soon"] == sum(r["id"] in soon for r in mine)
    for unit in queries.unit_progress(store, today=day):
        mine = [r for r in rows if r["unit"] == unit["unit"]]
        assert unit["by_grade"] == {g: sum(r["grade"] == g for r in mine) for g in GRADES}
    for target in queries.target_progress(store, today=day):
        mine = [r for r in rows if r["target"] == target["code"]]
        assert target["by_grade"] == {g: sum(r["grade"] == g for r in mine) for g in GRADES}
        assert target["by_state"] == {s: sum(r["state"] == s for r in mine) for s in STATES}


@settings(max_examples=8, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=steps)
def test_rebuilt_projections_equal_the_incrementally_built_ones(store, clock, sequence):
    if not queries.units(store):
        commune(store)
    for action, pick, amount in sequence:
        # Refused commands record nothing; the rules have their own tests.
        with contextlib.suppress(DomainError):
            run(store, clock, action, pick, amount)
    assert_counts_agree_with_the_board(store, today(store, clock))
    incremental = digest(store)
    store.projections.rebuild()
    assert digest(store) == incremental
    assert all(s["behind"] == 0 for s in store.projections.status())


@pytest.mark.postgres
def test_a_postgresql_rebuild_through_copy_equals_the_row_by_row_read_models(
        postgres_url, clock, monkeypatch):
    with System(postgres_url, clock=clock) as store:
        rebuild_through_copy(store, monkeypatch)


def rebuild_through_copy(store, monkeypatch) -> None:
    commune(store)
    for n in range(12):
        task_id = assign_task(store, n)
        store.service.start_task("head_vp", task_id)
        if n % 3:
            store.service.submit_report("head_vp", task_id, "Báo cáo",
                                        value=str(n * 5) if n % 2 else None)
    incremental = digest(store)  # each catch-up wrote a few rows by INSERT
    copies = []
    original = psycopg.Cursor.copy

    def counted(cursor, statement, *args, **kwargs):
        copies.append(statement)
        return original(cursor, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", counted)
    monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 2)
    store.projections.rebuild()
    assert digest(store) == incremental
    assert {c.split('"')[1] for c in copies} >= {"rm_task", "rm_audit"}


def assign_task(store, n: int):
    return store.service.assign_task(
        "lead", unit="VP", deadline=today(store, store.service.clock) + timedelta(days=n),
        title=f"Chuyển đổi số {n}", description="Mô tả" if n % 2 else "",
        target="CT01" if n % 2 else None, plan=PLAN if n % 2 else None)
