"""The CLI with hostile or broken input: stored escape sequences, bytes that are not
UTF-8, a store it cannot read, a year 9999. Each ends in one line and a clear exit
code: 1 refused by the rules, 2 bad usage or input, 3 internal error."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from events.system import System
from tests import commune
from workflow.clock import local_today, use_clock
from workflow.task import Task

TITLE = "\x1b]0;Đã xác nhận\x07Tập huấn\x1b[2J \u202eTrạm y tế"
DESCRIPTION = "Dòng 1\nDòng 2\x1b[31m đỏ"


def event_count(url: str) -> int:
    with System(url) as store:
        return store.service.recorder.max_notification_id() or 0


@pytest.fixture
def hostile_task(sqlite_url) -> str:
    """A task whose title and description hold terminal escape sequences.

    Recorded as a release before validation would have: that release's ``assign``
    checked only length and emptiness, then recorded ``TaskAssigned`` through the
    same ``@event`` method, ``Task.__init__``, which is what is called here (today's
    ``Task.assign`` refuses control characters). The store and its read models are
    today's.
    """
    with System(sqlite_url) as store:
        commune.set_up(store.service, users=False, plan=False)
        task = Task(actor="system", title=TITLE, description=DESCRIPTION, unit="VP",
                    plan=None, target=None, deadline=local_today() + timedelta(days=5))
        store.service.save(task)
    return str(task.id)


@pytest.mark.parametrize("command", [
    ("task", "list"), ("task", "show", "{id}"), ("task", "show", "{id}", "--history"),
    ("summary",),
])
def test_control_characters_in_stored_text_are_printed_escaped(lite, hostile_task, command):
    result = lite(*(arg.format(id=hostile_task) for arg in command))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output
    assert r"\x1b]0;Đã xác nhận\x07Tập huấn\x1b[2J \u202eTrạm y tế" in result.output


def test_a_description_keeps_its_lines_but_not_its_escape_sequences(lite, hostile_task):
    result = lite("task", "show", hostile_task)
    assert "Dòng 1\nDòng 2\\x1b[31m đỏ" in result.output


def test_json_output_keeps_the_stored_text_exactly(lite, hostile_task):
    result = lite("task", "show", hostile_task, "--json")
    assert "\x1b" not in result.output  # json escapes it as \u001b
    assert json.loads(result.output)["title"] == TITLE


@pytest.mark.parametrize(("lang", "message"), [
    ((), "Lỗi: tham số “Tập huấn \\xff” không phải là văn bản UTF-8 hợp lệ"),
    (("--lang", "en"), "Error: the argument 'Tập huấn \\xff' is not valid UTF-8 text"),
])
def test_an_argument_that_is_not_utf8_is_bad_input_in_one_line(lite, sqlite_url, lang,
                                                               message):
    # Python gives the undecodable byte 0xff of argv as the lone surrogate \udcff.
    result = lite(*lang, "task", "assign", "--as", "lanhdao", "--unit", "VP",
                  "--deadline", "2030-01-01", "--title", "Tập huấn \udcff")
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert event_count(sqlite_url) == 0


def report_into_a_broken_instance(lite, sqlite_url, tmp_path):
    """Report with evidence while NHIEMVU_INSTANCE (``lite`` sets tmp_path / "instance")
    names a file, not a folder: the evidence cannot be kept, which is nobody's typing
    mistake and no rule's refusal."""
    with System(sqlite_url) as store:
        commune.set_up(store.service, plan=False)
        task_id = commune.task_in_state(store.service, "in_progress", target=None)
    (tmp_path / "instance").write_text("not a folder")
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(b"%PDF-1.4")
    return lite("task", "report", str(task_id), "--as", commune.HEAD, "--summary", "Xong",
                "--evidence", str(scan))


def test_an_internal_error_exits_3_in_one_line_without_a_traceback(lite, sqlite_url,
                                                                   tmp_path, clock):
    with use_clock(clock):
        result = report_into_a_broken_instance(lite, sqlite_url, tmp_path)
    assert result.exit_code == 3
    assert result.output.startswith("Lỗi: lỗi nội bộ không mong đợi (NotADirectoryError")
    assert "NHIEMVU_DEBUG=1" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_with_nhiemvu_debug_the_internal_error_is_raised(lite, sqlite_url, tmp_path, clock,
                                                        monkeypatch):
    monkeypatch.setenv("NHIEMVU_DEBUG", "1")
    with use_clock(clock):
        result = report_into_a_broken_instance(lite, sqlite_url, tmp_path)
    assert isinstance(result.exception, NotADirectoryError)


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59", "1999-12-31T23:00",
                                    "2101-01-01T00:00+07:00"])
def test_a_sweep_outside_the_date_window_is_refused_at_once(lite, sqlite_url, moment):
    result = lite("alerts", "sweep", "--at", moment)
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Ngày ") and "nằm ngoài khoảng cho phép" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert event_count(sqlite_url) == 0


def test_a_sweep_at_the_edge_of_the_window_runs(lite, sqlite_url):
    result = lite("alerts", "sweep", "--at", "2100-12-31T23:59", "--allow-future")
    assert result.exit_code == 0, result.output


def test_a_command_whose_views_cannot_follow_is_done_and_says_so(database_url, clock):
    """The events are committed before the read models catch up: a catch-up that fails
    then (here its bookkeeping table is gone from under an open store) leaves the
    command done, exit 0, with a warning that the views lag."""
    from click.testing import CliRunner

    from cli.runtime import Run
    from cli.tasks import task
    from events.readmodels import tables

    run = Run(database=database_url, lang="en")
    try:
        run._store = System(database_url, clock=clock)
        commune.set_up(run.store.service)
        task_id = commune.task_in_state(run.store.service, "assigned")
        with run.store.engine.begin() as conn:
            tables.positions.drop(conn)
        # ``nhiemvu task start``, on this open store (the group alone takes ``obj``).
        result = CliRunner().invoke(task, ["start", str(task_id), "--as", commune.HEAD],
                                    obj=run)
        assert result.exit_code == 0, result.output
        assert "Warning: recorded, but the read models could not catch up yet" in result.output
        assert run.store.service.get_task(task_id).state == "in_progress"
    finally:
        run.close()
