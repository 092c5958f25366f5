"""``nhiemvu projections status``, ``rebuild [NAME]`` and ``retry [NAME]``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.projections import projections
from cli.runtime import Run
from events.system import System
from tests.readmodels import assign, commune, digest


def invoke(url: str, *args: str):
    run = Run(database=url, lang="en")
    try:
        return CliRunner().invoke(projections, list(args), obj=run)
    finally:
        run.close()


def test_status_shows_every_projection_at_the_head_of_the_log(store):
    commune(store)
    assign(store)
    result = invoke(store.url, "status", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    head = store.projections.head()
    assert {r["name"]: (r["position"], r["head"]) for r in rows} == {
        name: (head, head) for name in store.projections.names}


def test_status_shows_a_projection_left_behind(store):
    commune(store)
    store.projections.reset("audit")
    result = invoke(store.url, "status")
    assert result.exit_code == 0
    audit_line = [line for line in result.output.splitlines() if line.startswith("audit")][0]
    assert audit_line.split()[1:4] == ["0", str(store.projections.head()),
                                       str(store.projections.head())]


def test_rebuild_of_one_projection_replays_the_log_into_it(store, clock):
    commune(store)
    assign(store)
    before = digest(store)
    store.projections.reset("tasks")
    result = invoke(store.url, "rebuild", "tasks")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Rebuilt tasks from")
    with System(store.url, clock=clock) as reopened:
        assert digest(reopened) == before


def test_rebuild_of_everything_without_a_name(store):
    commune(store)
    before = digest(store)
    result = invoke(store.url, "rebuild")
    assert result.exit_code == 0, result.output
    assert digest(store) == before


def test_rebuild_of_an_unknown_projection_is_bad_input(store):
    result = invoke(store.url, "rebuild", "nonsense")
    assert result.exit_code == 2
    assert "no read model 'nonsense'" in result.output


def test_status_lists_parked_events_by_position_and_retry_clears_them(store, monkeypatch):
    from events.readmodels.audit import AuditLog

    applies = AuditLog.apply

    def failing(self, conn, events):
        if any(e.type == "WorkStarted" for e in events):
            raise ValueError("cannot describe this start")
        applies(self, conn, events)

    commune(store)
    task_id = assign(store)
    monkeypatch.setattr(AuditLog, "apply", failing)
    store.service.start_task("head_vp", task_id)
    position = store.projections.head()

    result = invoke(store.url, "status")
    assert result.exit_code == 0, result.output
    audit_line = [line for line in result.output.splitlines() if line.startswith("audit")][0]
    columns = audit_line.split()  # name, position, head, behind, rows, parked
    assert columns[1:4] == [str(position), str(position), "0"] and columns[5] == "1"
    parked_line = [line for line in result.output.splitlines()
                   if line.startswith(str(position))][0]
    assert "audit" in parked_line and "ValueError: cannot describe this start" in parked_line
    rows = json.loads(invoke(store.url, "status", "--json").output)
    [audit] = [r for r in rows if r["name"] == "audit"]
    assert [p["position"] for p in audit["parked_events"]] == [position]

    still = invoke(store.url, "retry", "audit")  # the cause is not fixed yet
    assert still.exit_code == 1
    assert "audit: 1 events still parked." in still.output
    monkeypatch.undo()
    fixed = invoke(store.url, "retry")
    assert fixed.exit_code == 0, fixed.output
    assert "audit: every parked event is applied." in fixed.output
    assert store.projections.parked() == []
    assert invoke(store.url, "retry").output.strip() == "No parked events."


def test_retry_of_an_unknown_projection_is_bad_input(store):
    result = invoke(store.url, "retry", "nonsense")
    assert result.exit_code == 2
