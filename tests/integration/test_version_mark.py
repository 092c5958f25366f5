"""The version progress notes leave alone (``Versions.but_notes``), read the way a
long-running worker reads it: from what it read the time before, looking only at the
audit log's rows since (``events.queries.version``). It must always be what a worker
that has read nothing before finds by looking at the whole log."""

from __future__ import annotations

from datetime import date

from events.queries.version import versions
from events.system import System
from tests.readmodels import assign, commune


def fresh(database_url: str, clock):
    with System(database_url, clock=clock) as store:
        return versions(store)


def test_the_mark_read_since_the_last_read_is_the_one_read_in_full(database_url, clock):
    with System(database_url, clock=clock) as here, \
            System(database_url, clock=clock) as there:
        commune(here)
        task = assign(here)
        first = versions(here)
        assert first == fresh(database_url, clock)

        # Notes from another process, more than the latest rows a full read looks
        # at first: the mark stays.
        for n in range(40):
            if n == 0:
                there.service.start_task("head_vp", task)
                started = versions(here)
                assert started.but_notes != first.but_notes
            there.service.note_progress("head_vp", task, f"Ghi chú {n}", percent=n)
            if n % 13 == 0:
                assert versions(here).but_notes == started.but_notes
        noted = versions(here)
        assert noted.but_notes == started.but_notes and noted.every != started.every
        assert noted == fresh(database_url, clock)

        # Another kind of event among notes moves it.
        there.service.note_progress("head_vp", task, "Trước", percent=50)
        there.service.extend_deadline("lead", task, date(2025, 4, 30), "Lùi hạn")
        there.service.note_progress("head_vp", task, "Sau", percent=60)
        moved = versions(here)
        assert moved.but_notes != noted.but_notes
        assert moved == fresh(database_url, clock)


def test_after_the_audit_log_is_rebuilt_the_mark_is_still_the_one_read_in_full(
        database_url, clock):
    with System(database_url, clock=clock) as store:
        commune(store)
        task = assign(store)
        store.service.start_task("head_vp", task)
        versions(store)  # remembered from here on
        store.projections.rebuild("audit")
        store.service.note_progress("head_vp", task, "Ghi chú", percent=20)
        store.service.submit_report("head_vp", task, "Xong")
        assert versions(store) == fresh(database_url, clock)
