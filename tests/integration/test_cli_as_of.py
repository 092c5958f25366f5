"""``task list --as-of`` and ``summary --as-of``: the lists and counts of an instant."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from tests.integration.test_cli_tasks import make_commune


def _assign(nhiemvu, title: str) -> str:
    found = nhiemvu("task", "assign", "--as", "lanhdao", "--unit", "VP", "--deadline",
                    "2030-03-31", "--title", title)
    assert found.exit_code == 0, found.output
    return found.output.strip().split()[-1]


def test_the_task_list_and_summary_as_of_an_instant_leave_out_what_came_later(
        nhiemvu, database_url):
    make_commune(database_url)
    _assign(nhiemvu, "Số hóa hồ sơ")
    time.sleep(0.01)
    then = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    _assign(nhiemvu, "Tập huấn kỹ năng số")
    listed = nhiemvu("task", "list", "--as-of", then, "--json")
    assert listed.exit_code == 0, listed.output
    assert [t["title"] for t in json.loads(listed.output)["tasks"]] == ["Số hóa hồ sơ"]
    text = nhiemvu("task", "list", "--as-of", then)
    assert "Số liệu tại thời điểm" in text.output and "Tập huấn" not in text.output
    summary = json.loads(nhiemvu("summary", "--as-of", then, "--json").output)
    assert summary["total"] == 1
    assert datetime.fromisoformat(summary["as_of"]) == datetime.fromisoformat(then)
    assert json.loads(nhiemvu("summary", "--json").output)["total"] == 2


def test_an_instant_that_cannot_be_used_exits_2_with_a_sentence(lite, sqlite_url):
    make_commune(sqlite_url)
    for value in ("hôm qua", "2025-02-30", "9999-01-01T00:00"):
        found = lite("task", "list", "--as-of", value)
        assert found.exit_code == 2, (value, found.output)
        assert "thời điểm" in found.output
    future = lite("summary", "--as-of", "2100-01-01T00:00")
    assert future.exit_code == 2 and "chưa tới" in future.output
