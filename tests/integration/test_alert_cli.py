"""``nhiemvu alerts …``: one sweep by hand (cron, systemd), the outbox, a person's feed."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from events.queries import alerts as alert_queries
from events.system import System
from tests import commune
from tests.commune import HEAD, LEADER
from tests.scheduler import run_scheduler_until
from workflow.clock import LOCAL_TZ

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def nhiemvu(database_url, monkeypatch):
    for name in ("NHIEMVU_SMTP_URL", "NHIEMVU_ALERT_OVERDUE_EVERY_DAYS"):
        monkeypatch.delenv(name, raising=False)

    runner = CliRunner()

    def run(*args: str):
        monkeypatch.setenv("NHIEMVU_DATABASE_URL", database_url)
        result = runner.invoke(main, list(args))  # the real `nhiemvu` command
        assert "Traceback" not in result.output
        return result

    run.database_url = database_url
    return run


@pytest.fixture
def task(database_url, clock):
    with System(database_url, clock=clock) as store:
        commune.set_up(store.service)
        return store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 31),
                                         title="Tập huấn kỹ năng số")


def test_a_sweep_at_a_given_time_records_the_due_alerts_once(nhiemvu, task):
    first = nhiemvu("alerts", "sweep", "--at", "2025-03-24T09:00")
    again = nhiemvu("alerts", "sweep", "--at", "2025-03-24T10:00+07:00")
    assert first.exit_code == 0, first.output
    assert "24/03/2025 09:00: 1 cảnh báo mới (1 đến hạn), 0 thư chờ gửi" in first.output
    assert again.exit_code == 0 and ": 0 cảnh báo mới (0 đến hạn)" in again.output
    feed = nhiemvu("alerts", "inbox", HEAD)
    assert "Sắp đến hạn, còn 7 ngày (hạn 31/03/2025)" in feed.output
    assert "Chưa đọc: 1" in feed.output


def test_a_sweep_at_a_future_time_is_refused_without_allow_future(nhiemvu, task):
    later = (datetime.now(LOCAL_TZ) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    refused = nhiemvu("alerts", "sweep", "--at", later)
    assert refused.exit_code == 2
    assert "ở tương lai" in refused.output and "--allow-future" in refused.output
    with System(nhiemvu.database_url) as store:
        assert alert_queries.task_alerts(store, task) == []
    drill = nhiemvu("alerts", "sweep", "--at", later, "--allow-future")
    assert drill.exit_code == 0, drill.output


def test_task_show_lists_the_alerts_among_the_tasks_own_events(nhiemvu, task):
    nhiemvu("alerts", "sweep", "--at", "2025-03-24T09:00")
    result = nhiemvu("task", "show", str(task), "--history", "--json")
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)["history"]
    assert [(e["type"], e["actor"]) for e in history] == [
        ("TaskAssigned", LEADER), ("DeadlineAlertRaised", "scheduler")]
    assert history[1]["summary"] == "Sắp đến hạn, còn 7 ngày (hạn 31/03/2025)"


def test_a_time_that_is_not_a_time_is_bad_input(nhiemvu, task):
    result = nhiemvu("alerts", "sweep", "--at", "thứ hai")
    assert result.exit_code == 2
    assert "thời điểm “thứ hai” không hợp lệ" in result.output


def test_a_bad_alert_setting_is_bad_input_naming_it(nhiemvu, task, monkeypatch):
    monkeypatch.setenv("NHIEMVU_ALERT_OVERDUE_EVERY_DAYS", "ba")
    result = nhiemvu("alerts", "sweep")
    assert result.exit_code == 2
    assert "NHIEMVU_ALERT_OVERDUE_EVERY_DAYS" in result.output


def test_sending_mail_without_an_smtp_server_set_is_bad_input(nhiemvu, task):
    result = nhiemvu("alerts", "send")
    assert result.exit_code == 2 and "NHIEMVU_SMTP_URL" in result.output


def test_the_scheduler_command_sweeps_at_start_and_stops_cleanly_on_ctrl_c(
        database_url, task):
    def swept():
        # The start-up sweep runs as of now (real time), long after the 2025 deadline.
        with System(database_url) as store:
            return alert_queries.task_alerts(store, task)

    out, err, code = run_scheduler_until(database_url, swept)
    assert code == 0, err
    assert "Bộ hẹn giờ chạy: quét mỗi 0:15:00, thư sáng lúc 07:00, SMTP tắt." in out
    with System(database_url) as store:
        kinds = [a["data"]["kind"] for a in alert_queries.task_alerts(store, task)]
    # A catch-up long after the deadline: "missed" once and the latest reminder.
    assert kinds == ["missed", "still_overdue"]
