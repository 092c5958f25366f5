"""The scheduler's job options, on the scheduler ``build_scheduler`` makes (a real
APScheduler) with short intervals.

These tests wait for real threads (bounded waits on events), but assert only on
what ran and how often, never on how fast.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from events.processes.scheduler import (
    SchedulerConfig,
    build_scheduler,
    scheduler_enabled,
    start_scheduler,
)
from events.queries import alerts as alert_queries
from tests import commune
from tests.commune import LEADER


class Runs:
    """A job that counts its runs and how many ran at once."""

    def __init__(self, hold: float = 0.0):
        self.hold = threading.Event()
        self.hold_for = hold
        self.count = 0
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        self.first = threading.Event()

    def __call__(self) -> None:
        with self.lock:
            self.count += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.first.set()
        self.hold.wait(self.hold_for)
        with self.lock:
            self.running -= 1


def _no_store():
    raise AssertionError("the test's job needs no store")


def scheduler_with(job: Runs, *, every: timedelta,
                   late: timedelta | None = None) -> BackgroundScheduler:
    """Our scheduler with ``job`` in place of its own jobs, so with the options ours
    run with; due ``late`` ago (as when the server was down at its time) or now."""
    scheduler = build_scheduler(_no_store, SchedulerConfig())
    scheduler.remove_all_jobs()
    scheduler.add_job(job, IntervalTrigger(seconds=every.total_seconds()),
                      next_run_time=datetime.now(UTC) - (late or timedelta()))
    return scheduler


def run_briefly(scheduler: BackgroundScheduler, job: Runs) -> bool:
    scheduler.start()
    try:
        return job.first.wait(10)
    finally:
        scheduler.shutdown(wait=True)


def test_a_daily_run_missed_while_the_server_was_down_runs_when_it_is_back():
    # APScheduler's own default grace time (1 s) would drop a run this late.
    job = Runs()
    late = scheduler_with(job, every=timedelta(days=1), late=timedelta(hours=3))
    assert run_briefly(late, job)
    assert job.count == 1


def test_many_missed_runs_run_once_not_once_each():
    job = Runs()
    late = scheduler_with(job, every=timedelta(minutes=15), late=timedelta(days=2))
    assert run_briefly(late, job)
    assert job.count == 1


def test_a_run_is_never_started_while_the_previous_one_is_still_going():
    job = Runs(hold=1.0)
    scheduler = scheduler_with(job, every=timedelta(seconds=0.1))
    scheduler.start()
    try:
        assert job.first.wait(10)
        threading.Event().wait(2.5)  # many intervals pass while runs are held
    finally:
        scheduler.shutdown(wait=True)
    assert job.most_at_once == 1
    assert 1 <= job.count < 25  # each due time while busy did not queue a run


def test_start_scheduler_sweeps_at_once_and_wires_the_jobs(store):
    commune.set_up(store.service)
    task = store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 2),
                                     title="Tập huấn kỹ năng số")
    config = SchedulerConfig(sweep_every=timedelta(hours=1))
    scheduler = start_scheduler(lambda: store, config)
    try:
        for _ in range(100):
            if alert_queries.task_alerts(store, task):
                break
            threading.Event().wait(0.1)
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=True)
    assert [a["data"]["days_left"] for a in alert_queries.task_alerts(store, task)] == [1]
    # No SMTP: no mail jobs (the seal's jobs are test_seal_scheduler.py's).
    assert sorted(jobs) == ["deadline-sweep", "morning-digest", "seal-checkpoint",
                            "seal-verify"]
    for job in jobs.values():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
    morning = {f.name: str(f) for f in jobs["morning-digest"].trigger.fields}
    assert (morning["hour"], morning["minute"]) == ("7", "0")
    assert str(jobs["morning-digest"].trigger.timezone) == "Asia/Ho_Chi_Minh"


def test_the_scheduler_is_configured_from_the_environment():
    config = SchedulerConfig.from_env({"NHIEMVU_ALERT_SWEEP_MINUTES": "5",
                                       "NHIEMVU_ALERT_MORNING": "06:30",
                                       "NHIEMVU_SMTP_URL": "smtp://127.0.0.1:2525"})
    assert config.sweep_every == timedelta(minutes=5)
    assert (config.morning.hour, config.morning.minute) == (6, 30)
    assert config.mail is not None and config.mail.port == 2525
    assert scheduler_enabled({}) and not scheduler_enabled({"NHIEMVU_SCHEDULER": "off"})
