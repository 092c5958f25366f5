"""The task board's pages: the total, going back as well as forward, the sort by last
activity, and returned work (events/queries/tasks.py ``board``), on both stores."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, text

from events import queries
from events.system import System
from tests.readmodels import assign, commune, report


def walk(store, **filters):
    """Every page forward from the first, then every page back from the last."""
    forward, pages, after = [], [], None
    while True:
        page = queries.board(store, limit=3, after=after, **filters)
        pages.append(page)
        forward += [r["id"] for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    backward, before = [], pages[-1].prev_cursor
    backward = [r["id"] for r in pages[-1].rows]
    while before:
        page = queries.board(store, limit=3, before=before, **filters)
        backward = [r["id"] for r in page.rows] + backward
        before = page.prev_cursor
    return forward, backward, pages


def test_pages_by_deadline_go_back_to_the_first_with_the_same_rows(store):
    commune(store)
    made = [assign(store, f"T{n}", deadline=date(2025, 3, 10 + n % 3)) for n in range(8)]
    forward, backward, pages = walk(store)
    assert forward == backward
    assert sorted(forward) == sorted(made)
    assert [len(p.rows) for p in pages] == [3, 3, 2]
    assert pages[0].prev_cursor is None and pages[-1].next_cursor is None
    assert {p.total for p in pages} == {8}
    assert [p.start for p in pages] == [1, 4, 7]
    deadlines = [r["deadline"] for r in queries.board(store).rows]
    assert deadlines == sorted(deadlines)


def test_a_page_reached_backwards_leads_forward_again(store):
    commune(store)
    for n in range(7):
        assign(store, f"T{n}", deadline=date(2025, 3, 10 + n))
    second = queries.board(store, limit=3, after=queries.board(store, limit=3).next_cursor)
    first = queries.board(store, limit=3, before=second.prev_cursor)
    assert [r["title"] for r in first.rows] == ["T0", "T1", "T2"]
    assert first.prev_cursor is None and first.start == 1
    again = queries.board(store, limit=3, after=first.next_cursor)
    assert [r["title"] for r in again.rows] == ["T3", "T4", "T5"]


def test_the_sort_by_activity_puts_the_latest_change_first_both_ways(store, clock):
    commune(store)
    made = []
    for n in range(7):
        made.append(assign(store, f"T{n}", deadline=date(2025, 4, 30 - n)))
        clock.advance(minutes=5)
    store.service.start_task("head_vp", made[2])  # the newest activity now
    forward, backward, pages = walk(store, sort="activity")
    assert forward == backward
    assert forward[0] == made[2]
    assert forward[1:] == [t for t in reversed(made) if t != made[2]]
    assert all(p.sort == "activity" for p in pages)
    assert pages[0].total == 7


def test_a_cursor_of_another_sort_or_a_mangled_one_gives_the_first_page(store):
    commune(store)
    for n in range(4):
        assign(store, f"T{n}", deadline=date(2025, 3, 10 + n))
    by_deadline = queries.board(store, limit=2)
    first = [r["id"] for r in queries.board(store, limit=2, sort="activity").rows]
    for cursor in (by_deadline.next_cursor, "a99999999999999999999.zz", "2025-13-40." + "0" * 32):
        page = queries.board(store, limit=2, sort="activity", after=cursor)
        assert [r["id"] for r in page.rows] == first
    assert queries.board(store, sort="nonsense").sort == "deadline"


def test_the_total_counts_the_whole_filtered_set(store):
    commune(store)
    for n in range(5):
        assign(store, f"VP{n}")
    for n in range(2):
        assign(store, f"YT{n}", unit="YT", target="CT10")
    assert queries.board(store, limit=2).total == 7
    assert queries.board(store, unit="YT", limit=1).total == 2
    assert queries.board(store, q="không có", limit=1).total == 0
    assert queries.board(store, with_total=False).total is None


def test_a_returned_task_is_marked_and_can_be_listed_alone(store):
    commune(store)
    returned = assign(store, "Trả lại")
    report(store, returned)
    store.service.return_task("lead", returned, "Thiếu minh chứng")
    waiting = assign(store, "Chờ xác nhận")
    report(store, waiting)
    assign(store, "Mới giao")
    rows = {r["title"]: r for r in queries.board(store).rows}
    assert rows["Trả lại"]["returned"] is True
    assert rows["Chờ xác nhận"]["returned"] is False
    assert rows["Mới giao"]["returned"] is False
    only = queries.board(store, returned=True)
    assert [r["title"] for r in only.rows] == ["Trả lại"] and only.total == 1
    report(store, returned)  # reported again: no longer waiting on its unit
    assert queries.board(store, returned=True).rows == []


def test_due_soon_and_overdue_keep_to_one_unit_when_asked(store):
    commune(store)
    assign(store, "VP soon", deadline=date(2025, 3, 3))
    assign(store, "YT soon", unit="YT", target="CT10", deadline=date(2025, 3, 4))
    assert [r["title"] for r in queries.due_soon(store, unit="YT")] == ["YT soon"]
    assert len(queries.due_soon(store)) == 2
    assert queries.overdue(store, unit="VP", today=date(2025, 3, 10))[0]["title"] == "VP soon"
    assert len(queries.overdue(store, unit="VP", today=date(2025, 3, 10))) == 1


def test_a_store_made_before_the_activity_index_gains_it_on_opening(database_url, clock):
    with System(database_url, clock=clock) as store:
        commune(store)
        assign(store)
        with store.engine.begin() as conn:
            conn.execute(text("DROP INDEX rm_task_by_activity"))
    with System(database_url, clock=clock) as store:
        names = {i["name"] for i in inspect(store.engine).get_indexes("rm_task")}
        assert "rm_task_by_activity" in names
        assert queries.board(store, sort="activity").rows[0]["title"] == "Nhiệm vụ"
