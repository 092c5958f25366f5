"""Period reports (báo cáo định kỳ) as part of the record: issuing one is a fact.

``PeriodReportIssued`` says who issued the report of which period, with which
cut-off, at which log position its figures stand, and the SHA-256 digest of its
content (computed outside this package, from the read models pinned to that
position): anyone can render it again from the log and check the digest. It also
names the seal's checkpoint recorded for it (size and root), so the report points
at a witnessed state of the whole log.

Leaders and auditors issue reports (``rules.ADMIN_ACTIONS["issue_report"]``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID

from eventsourcing.domain import event

from workflow import clock, rules
from workflow.base import Record
from workflow.periods import Period, PeriodError, parse_period, period_start
from workflow.rules import Actor
from workflow.validate import has_control
from workflow.words import N_

# The layout of the content the digest is taken over (events.queries.reports).
CONTENT_FORMAT = 1
NUMBER_LIMIT = 40
_HEX64 = re.compile(r"[0-9a-f]{64}")


class PeriodReport(Record):
    """One issued period report. Recorded once, never changed: a correction is a
    new report, and the old one shows what changed since it was issued."""

    TOPIC = "nhiemvu.report.PeriodReport"

    class Created(Record.Created):
        TOPIC = "nhiemvu.report.PeriodReport.Created"

    @event("PeriodReportIssued", topic="nhiemvu.report.PeriodReportIssued")
    def __init__(self, *, actor: str, period: str, kind: str, first_day: date,
                 last_day: date, cutoff: datetime, position: int, digest: str,
                 format: int, checkpoint_size: int, checkpoint_root: str,  # noqa: A002
                 number: str) -> None:
        self.issued_by = actor
        self.period = period
        self.kind = kind
        self.first_day = first_day
        self.last_day = last_day
        self.cutoff = cutoff
        self.position = position
        self.digest = digest
        self.format = format
        self.checkpoint_size = checkpoint_size
        self.checkpoint_root = checkpoint_root
        self.number = number


def check_cutoff(period: Period, cutoff: datetime, now: datetime) -> datetime:
    """The cut-off as aware UTC; ``PeriodError`` when it is after ``now`` (the figures
    are not known yet) or before the period's first day (nothing of it is)."""
    if cutoff.tzinfo is None:
        raise ValueError("a cut-off must be an aware datetime")
    if cutoff > now:
        raise PeriodError(N_("Thời điểm chốt số liệu (%(cutoff)s) chưa tới: không được sau "
                             "thời điểm hiện tại (%(now)s)."),
                          cutoff=_shown(cutoff), now=_shown(now))
    if cutoff < period_start(period):
        raise PeriodError(N_("Thời điểm chốt số liệu (%(cutoff)s) trước ngày đầu của kỳ "
                             "báo cáo (%(first)s)."),
                          cutoff=_shown(cutoff), first=f"{period.first_day:%d/%m/%Y}")
    return cutoff.astimezone(UTC)


def check_number(number: str | None) -> str:
    """The report's number as it will be stored (``15/BC-UBND``; may be empty)."""
    cleaned = (number or "").strip()
    if len(cleaned) > NUMBER_LIMIT or has_control(cleaned):
        raise PeriodError(N_("Số hiệu báo cáo tối đa %(limit)s ký tự, trên một dòng, không "
                             "chứa ký tự điều khiển."), limit=NUMBER_LIMIT)
    return cleaned


def _shown(moment: datetime) -> str:
    return f"{moment.astimezone(clock.LOCAL_TZ):%d/%m/%Y %H:%M:%S}"


class ReportCommands:
    """Mixed into ``workflow.application.Workflow``: issuing a period report."""

    def check_may_issue_report(self, actor: str | Actor) -> Actor:
        """The actor, resolved; ``DomainError`` unless they may issue period reports
        (asked before the report's figures are computed, and again when it is issued)."""
        with self._at_clock():  # type: ignore[attr-defined]
            who: Actor = self._acting(actor)  # type: ignore[attr-defined]
            rules.check_admin(who, "issue_report")
            return who

    def issue_period_report(self, actor: str | Actor, *, period: str | Period,
                            cutoff: datetime, position: int, digest: str,
                            checkpoint_size: int, checkpoint_root: str, number: str = "",
                            format: int = CONTENT_FORMAT) -> UUID:  # noqa: A002
        """Record that ``actor`` issued the report of ``period`` whose content, read
        at log ``position`` and graded for ``cutoff``, has SHA-256 ``digest``; return
        its id. ``PeriodError`` for a cut-off or number that cannot be used."""
        with self._at_clock():  # type: ignore[attr-defined]
            who = self.check_may_issue_report(actor)
            chosen = period if isinstance(period, Period) else parse_period(period)
            when = check_cutoff(chosen, cutoff, clock.now())
            cleaned = check_number(number)
            if not _HEX64.fullmatch(digest or "") or not _HEX64.fullmatch(checkpoint_root or ""):
                raise ValueError("a report needs SHA-256 digests as 64 lower-case hex digits")
            if position < 0 or checkpoint_size < 0 or format != CONTENT_FORMAT:
                raise ValueError("a report needs a position and checkpoint size ≥ 0, format 1")
            report = PeriodReport(
                actor=who.username, period=chosen.code, kind=chosen.kind,
                first_day=chosen.first_day, last_day=chosen.last_day, cutoff=when,
                position=position, digest=digest, format=format,
                checkpoint_size=checkpoint_size, checkpoint_root=checkpoint_root,
                number=cleaned)
            self.save(report)  # type: ignore[attr-defined]
            return report.id

