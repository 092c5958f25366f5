"""``nhiemvu projections status`` and ``nhiemvu projections rebuild [NAME]``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from events.cli.projections import projections
from events.cli.runtime import Run
from events.store import Store
from tests.test_projections_support import assign, commune, digest


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
    with Store(store.url, clock=clock) as reopened:
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
