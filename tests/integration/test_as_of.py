"""The read models as of an instant equal what the live ones showed at that instant."""

from __future__ import annotations

import contextlib
import copy
import threading
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import queries
from events.queries.as_of import as_of, position_at
from events.system import System
from tests.readmodels import ACTIONS, PLAN, assign, commune, run, today
from workflow.errors import DomainError

steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 30), st.integers(0, 20),
                           st.booleans()), min_size=5, max_size=40)


def views(store, today) -> dict:
    """Everything the dashboard, the task list and the progress pages show."""
    return {
        "board": queries.board(store, limit=500, today=today).rows,
        "overdue_board": queries.board(store, overdue=True, limit=500, today=today).rows,
        "counts": queries.counts(store, today=today),
        "due_soon": queries.due_soon(store, today=today, limit=500),
        "overdue": queries.overdue(store, today=today, limit=500),
        "targets": queries.target_progress(store, today=today),
        "pillars": queries.pillar_progress(store, today=today),
        "units": queries.unit_progress(store, today=today),
        "organisation": (queries.units(store), queries.users(store), queries.plans(store)),
        "audit": queries.audit_log(store, limit=1000).rows,
    }


@settings(max_examples=6, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=steps)
def test_the_views_as_of_an_instant_equal_what_they_showed_then(store, clock, sequence):
    if not queries.units(store):
        commune(store)
    seen = []
    for action, pick, amount, look in sequence:
        with contextlib.suppress(DomainError):
            run(store, clock, action, pick, amount)
        if look:
            seen.append((clock.moment, views(store, today(store, clock))))
            # What happens next happens later: the instant seen names one state.
            clock.advance(seconds=1)
    seen.append((clock.moment, views(store, today(store, clock))))
    for instant, shown in seen:
        with as_of(store, instant) as past:
            assert views(past, past.today) == shown


def test_an_instant_before_the_first_event_shows_nothing(store, clock):
    before = clock.moment - timedelta(days=1)
    commune(store)
    assign(store)
    assert position_at(store, before) == 0
    with as_of(store, before) as past:
        assert queries.board(past).rows == []
        assert queries.counts(past)["total"] == 0
        assert queries.units(past) == []
        assert queries.target_progress(past) == []


def test_a_renamed_unit_and_a_later_task_are_shown_as_they_were(store, clock):
    commune(store)
    first = assign(store, "Số hóa hồ sơ")
    instant = clock.moment
    clock.advance(hours=1)
    store.service.rename_unit("VP", "Văn phòng HĐND-UBND", "Đổi tên")
    assign(store, "Đào tạo kỹ năng số")
    with as_of(store, instant) as past:
        rows = queries.board(past).rows
        assert [r["id"] for r in rows] == [first]
        assert {u["code"]: u["name"] for u in queries.units(past)}["VP"] != "Văn phòng HĐND-UBND"
    assert len(queries.board(store).rows) == 2


def test_a_target_moved_to_another_pillar_later_is_shown_under_its_pillar_of_then(
        store, clock):
    commune(store)
    assign(store, "Số hóa hồ sơ", target="CT01")
    instant = clock.moment
    then = views(store, today(store, clock))
    clock.advance(hours=1)
    content = copy.deepcopy(store.service.get_plan(PLAN).content)
    moved = next(t for t in content["targets"] if t["code"] == "CT01")
    moved["pillar"] = next(p["code"] for p in content["pillars"] if p["code"] != moved["pillar"])
    moved["text"] = "Chỉ tiêu đã sửa"
    store.service.import_plan(content)
    assert queries.board(store).rows[0]["pillar"] == moved["pillar"]
    with as_of(store, instant) as past:
        assert views(past, past.today) == then
        assert queries.board(past).rows[0]["pillar"] != moved["pillar"]


def test_a_past_is_kept_between_requests_and_the_least_recent_given_up(store, clock):
    commune(store)
    instants = []
    for n in range(3):
        assign(store, f"Nhiệm vụ {n}")
        instants.append(clock.moment)
        clock.advance(minutes=5)
    store.pasts.keep = 2
    connections = []
    for instant in (instants[0], instants[0], instants[1], instants[2], instants[0]):
        with as_of(store, instant) as past:
            connections.append(past.engine.conn)
            assert len(queries.board(past).rows) == instants.index(instant) + 1
    first, again, second, third, first_anew = connections
    assert first is again  # kept: the second look costs no new past
    assert len({id(first), id(second), id(third)}) == 3
    assert first_anew is not first  # given up when the third was made
    assert first.closed and not third.closed


def test_a_kept_past_is_the_same_after_later_events(store, clock):
    commune(store)
    assign(store, "Số hóa hồ sơ")
    instant = clock.moment
    with as_of(store, instant) as past:
        before = views(past, past.today)
    clock.advance(hours=1)
    assign(store, "Tập huấn kỹ năng số")
    with as_of(store, instant) as past:
        assert views(past, past.today) == before


def test_people_looking_at_one_instant_at_once_share_one_past(store, clock):
    commune(store)
    assign(store)
    instant = clock.moment
    seen, errors = [], []

    def look() -> None:
        try:
            with as_of(store, instant) as past:
                seen.append((past.engine.conn, queries.counts(past)["total"]))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    workers = [threading.Thread(target=look) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len({id(conn) for conn, _ in seen}) == 1 and {n for _, n in seen} == {1}


def test_a_process_told_to_keep_no_past_makes_one_for_each_look(database_url, clock,
                                                                monkeypatch):
    monkeypatch.setenv("NHIEMVU_PASTS_KEPT", "0")
    with System(database_url, clock=clock) as store:
        commune(store)
        assign(store)
        looked = []
        for _ in range(2):
            with as_of(store, clock.moment) as past:
                looked.append(past.engine.conn)
                assert queries.counts(past)["total"] == 1
        assert looked[0] is not looked[1] and all(conn.closed for conn in looked)
