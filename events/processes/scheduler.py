"""Running the sweep and the mail on a timetable (APScheduler 3.x).

Three jobs: the deadline sweep (every 15 minutes, and once at start-up to catch up
on downtime), the morning digest (07:00 in Vietnam), and the mail sender (every
minute, only when SMTP is configured). Three more keep the seal witnessed: an hourly
checkpoint (when the log grew), the log's verification (02:00, and once at start-up),
and the morning mail of the checkpoint to auditors (only with ``NHIEMVU_SEAL_MAIL_TO``
and SMTP). Each job runs alone (``max_instances=1``),
runs that piled up run once (``coalesce=True``) and a late run is never dropped
(``misfire_grace_time=None``). Every job that writes or mails runs in one process at
a time across all the processes and hosts sharing the store (``job_lock``): the others
skip that run. Sweeps would be safe to overlap anyway; the lock makes it cheap.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from events.processes import job_lock, sealing
from events.processes.mail import MailConfig, send_pending
from events.processes.sweep import now_of, sweep
from workflow.alerts import AlertPolicy
from workflow.clock import LOCAL_TZ

if TYPE_CHECKING:
    from collections.abc import Iterator

    from events.system import System

log = logging.getLogger("nhiemvu.alerts")

# A claimed day's witness mail stays claimed past the day (claims are per day).
WITNESS_KEPT = timedelta(days=2)
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1,
                                "misfire_grace_time": None}
# Enough to catch a typo ("kiemtra.xa.vn", "a@b c"), not to judge a domain.
_ADDRESS = re.compile(r"[^@\s<>,\"]+@[^@\s<>,\"]+")


@dataclass(frozen=True)
class SchedulerConfig:
    sweep_every: timedelta = timedelta(minutes=15)
    morning: time = time(7, 0)
    mail_every: timedelta = timedelta(minutes=1)
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    mail: MailConfig | None = None
    checkpoint_every: timedelta = timedelta(hours=1)
    verify_at: time = time(2, 0)
    seal_mail_to: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SchedulerConfig:
        """``NHIEMVU_ALERT_SWEEP_MINUTES``, ``NHIEMVU_ALERT_MORNING`` (HH:MM), the
        policy's ``NHIEMVU_ALERT_*``, the mail's ``NHIEMVU_SMTP_URL``, and the seal's
        ``NHIEMVU_SEAL_VERIFY_AT`` (HH:MM) and ``NHIEMVU_SEAL_MAIL_TO`` (addresses).
        ``NHIEMVU_ALERT_SWEEP_SECONDS``, when set, overrides the minutes: for tests
        and trials of several processes, which want many sweeps in little time."""
        raw = env.get("NHIEMVU_ALERT_SWEEP_MINUTES", "15").strip()
        try:
            minutes = int(raw)
            morning = time.fromisoformat(env.get("NHIEMVU_ALERT_MORNING", "07:00").strip())
        except ValueError:
            raise ValueError("NHIEMVU_ALERT_SWEEP_MINUTES must be a number of minutes and "
                             "NHIEMVU_ALERT_MORNING a time such as 07:00") from None
        if not 1 <= minutes <= 1440:
            raise ValueError("NHIEMVU_ALERT_SWEEP_MINUTES must be from 1 to 1440")
        return cls(sweep_every=_sweep_seconds(env) or timedelta(minutes=minutes),
                   morning=morning,
                   policy=AlertPolicy.from_env(env), mail=MailConfig.from_env(env),
                   verify_at=_verify_at(env), seal_mail_to=_seal_mail_to(env))


def _sweep_seconds(env: Mapping[str, str]) -> timedelta | None:
    raw = env.get("NHIEMVU_ALERT_SWEEP_SECONDS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 86400:
        raise ValueError("NHIEMVU_ALERT_SWEEP_SECONDS must be a number of seconds from 1 "
                         f"to 86400, not {raw!r}")
    return timedelta(seconds=int(raw))


def _verify_at(env: Mapping[str, str]) -> time:
    raw = env.get("NHIEMVU_SEAL_VERIFY_AT", "02:00").strip()
    try:
        at = time.fromisoformat(raw)
    except ValueError:
        at = None
    if at is None or at.tzinfo is not None:
        raise ValueError("NHIEMVU_SEAL_VERIFY_AT must be a time in Vietnam such as 02:00, "
                         f"not {raw!r}")
    return at


def _seal_mail_to(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("NHIEMVU_SEAL_MAIL_TO", "").strip()
    if not raw:
        return ()
    addresses = tuple(part.strip() for part in raw.split(","))
    if not all(_is_address(part) for part in addresses):
        raise ValueError("NHIEMVU_SEAL_MAIL_TO must be e-mail addresses separated by "
                         f"commas, not {raw!r}")
    return addresses


def _is_address(text: str) -> bool:
    """``kiem.tra@xa.vn`` or ``Tên <kiem.tra@xa.vn>``."""
    address = parseaddr(text)[1]
    # parseaddr mends what it cannot read ("a@b c" → "a@bc"): it must be as written.
    written = text in (address, f"<{address}>") or text.endswith(f" <{address}>")
    return written and _ADDRESS.fullmatch(address) is not None


def scheduler_enabled(env: Mapping[str, str] = os.environ) -> bool:
    """False when ``NHIEMVU_SCHEDULER=off``: another process runs the scheduler."""
    return env.get("NHIEMVU_SCHEDULER", "on").strip().lower() not in ("off", "0", "no", "false")


class AlertJobs:
    """What the jobs do; a lock keeps this process's sweeps one at a time."""

    def __init__(self, store_factory: Callable[[], System], config: SchedulerConfig):
        self.store_factory = store_factory
        self.config = config
        self.lock = threading.Lock()

    def sweep(self, *, morning: bool = False) -> None:
        with self.lock:
            try:
                store = self.store_factory()
                with alone(store, "deadline-sweep") as held:
                    result = sweep(store, policy=self.config.policy,
                                   mail=True if morning else None) if held else None
            except Exception:  # a failed run must not stop the next ones
                log.exception("deadline sweep failed")
                return
        if result is not None:
            log.info("deadline sweep: %d due, %d raised, %d mails queued",
                     result.due, result.raised, result.digests)
        # A morning run skipped here was another process's sweep: sweeps from
        # mail_from_hour on queue the digests too, and the pending ones go out now.
        if morning:
            self.send_mail()

    def send_mail(self) -> None:
        if self.config.mail is None:
            return
        try:
            store = self.store_factory()
            # Each digest is claimed once anyway (start_delivery); one sender at a
            # time spares the others walking the same outbox.
            with alone(store, "send-mail") as held:
                result = send_pending(store, self.config.mail) if held else None
        except Exception:
            log.exception("sending mail failed")
            return
        if result is not None and (result.sent or result.failed):
            log.info("mail: %d sent, %d failed", result.sent, result.failed)


class SealJobs:
    """The seal's jobs; like the alerts', a failed run is logged and the next one runs."""

    def __init__(self, store_factory: Callable[[], System], config: SchedulerConfig):
        self.store_factory = store_factory
        self.config = config

    def checkpoint(self) -> None:
        try:
            store = self.store_factory()
            with alone(store, "seal-checkpoint") as held:
                latest = sealing.checkpoint(store, "hourly") if held else None
        except Exception:
            log.exception("hourly checkpoint failed")
            return
        if latest is not None:
            log.info("checkpoint: %d events, root %s", latest.size, latest.root)

    def verify(self) -> None:
        try:
            store = self.store_factory()
            with alone(store, "seal-verify") as held:
                if held:
                    sealing.verify_and_record(store)  # logs what it found
        except Exception:
            log.exception("verifying the log failed")

    def mail(self) -> None:
        if self.config.mail is None or not self.config.seal_mail_to:
            return
        try:
            store = self.store_factory()
            # Once a day whichever process comes first: the mail has no record to
            # be claimed by, and every process runs this job at the same minute.
            name = f"seal-mail:{now_of(store).astimezone(LOCAL_TZ).date().isoformat()}"
            holder = job_lock.claim(store.engine, name, WITNESS_KEPT)
            if holder is None:
                log.info("checkpoint already mailed today by another process")
                return
            try:
                sent = sealing.mail_witness(store, self.config.mail,
                                            self.config.seal_mail_to)
            except BaseException:
                job_lock.release(store.engine, name, holder)  # the next run tries again
                raise
            if sent is None:
                job_lock.release(store.engine, name, holder)
        except Exception:
            log.exception("mailing the checkpoint failed")
            return
        if sent is None:
            log.info("no checkpoint to mail yet")
        else:
            log.info("checkpoint mailed to %s", sent["To"])


@contextmanager
def alone(store: System, job: str) -> Iterator[bool]:
    """Whether this process runs ``job`` now; logs a skipped run (job_lock)."""
    with job_lock.exclusive(store.engine, job) as held:
        if not held:
            log.info("%s: running in another process; skipped here", job)
        yield held


def build_scheduler(store_factory: Callable[[], System], config: SchedulerConfig | None = None,
                    *, blocking: bool = False) -> BaseScheduler:
    """The scheduler with its jobs, not started. ``store_factory()`` is called at
    each run and what it returns is not closed: hand it the app's own store."""
    config = config or SchedulerConfig.from_env()
    jobs = AlertJobs(store_factory, config)
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone=LOCAL_TZ, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(jobs.sweep, IntervalTrigger(seconds=config.sweep_every.total_seconds()),
                      id="deadline-sweep", next_run_time=datetime.now(UTC))
    scheduler.add_job(jobs.sweep, CronTrigger(hour=config.morning.hour,
                                              minute=config.morning.minute, timezone=LOCAL_TZ),
                      id="morning-digest", kwargs={"morning": True})
    if config.mail is not None:
        scheduler.add_job(jobs.send_mail,
                          IntervalTrigger(seconds=config.mail_every.total_seconds()),
                          id="send-mail")
    _add_seal_jobs(scheduler, SealJobs(store_factory, config))
    return scheduler


def _add_seal_jobs(scheduler: BaseScheduler, jobs: SealJobs) -> None:
    config = jobs.config
    scheduler.add_job(jobs.checkpoint,
                      IntervalTrigger(seconds=config.checkpoint_every.total_seconds()),
                      id="seal-checkpoint")
    # At start-up too: damage done while the server was down is found at once.
    scheduler.add_job(jobs.verify, CronTrigger(hour=config.verify_at.hour,
                                               minute=config.verify_at.minute,
                                               timezone=LOCAL_TZ),
                      id="seal-verify", next_run_time=datetime.now(UTC))
    if config.seal_mail_to and config.mail is None:
        log.warning("NHIEMVU_SEAL_MAIL_TO is set but NHIEMVU_SMTP_URL is not: "
                    "the checkpoint is not mailed")
    elif config.seal_mail_to:
        scheduler.add_job(jobs.mail, CronTrigger(hour=config.morning.hour,
                                                 minute=config.morning.minute,
                                                 timezone=LOCAL_TZ),
                          id="seal-mail")


def start_scheduler(store_factory: Callable[[], System],
                    config: SchedulerConfig | None = None) -> BackgroundScheduler:
    """Start the jobs in background threads; call ``.shutdown()`` on exit."""
    scheduler = build_scheduler(store_factory, config)
    assert isinstance(scheduler, BackgroundScheduler)
    scheduler.start()
    return scheduler
