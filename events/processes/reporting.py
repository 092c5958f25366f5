"""Issuing a period report: its figures read at the cut-off, sealed, then recorded.

``issue`` finds the log position of the cut-off (the last event recorded at or
before it), renders the report's content from the read models pinned there, records
a checkpoint of the seal (reason ``report``) so the report names a witnessed state
of the whole log, and records ``PeriodReportIssued`` with the content's digest.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from events.processes import sealing
from events.processes.sweep import now_of
from events.queries.as_of import at_position, position_at
from events.queries.reports import digest_of, report_content
from workflow.periods import default_cutoff, parse_period, period_start
from workflow.reports import check_cutoff, check_number

if TYPE_CHECKING:
    from events.system import System


def issue(store: System, actor: str, period: str, cutoff: datetime | None = None,
          number: str = "") -> UUID:
    """Issue the report of ``period`` (a code, ``workflow.periods``) as of ``cutoff``
    (default: the period's last second in Vietnam, or now while the period runs, so
    the running month or quarter can be reported too); return its id.

    Refused (``DomainError``) before any figure is computed when ``actor`` may not
    issue reports; ``PeriodError`` for a period, cut-off or number that cannot be used.
    """
    store.service.check_may_issue_report(actor)
    chosen = parse_period(period)
    now = now_of(store)
    if cutoff is None:
        cutoff = default_cutoff(chosen)
        if period_start(chosen) <= now < cutoff:  # the period runs: as of now
            cutoff = now
    moment = check_cutoff(chosen, cutoff, now)
    cleaned = check_number(number)
    position = position_at(store, moment)
    with at_position(store, position, moment) as past:
        content = report_content(past, chosen)
    checkpoint = sealing.checkpoint(store, "report")
    size, root = (checkpoint.size, checkpoint.root) if checkpoint else (0, "0" * 64)
    return store.service.issue_period_report(
        actor, period=chosen, cutoff=moment, position=position, digest=digest_of(content),
        checkpoint_size=size, checkpoint_root=root, number=cleaned)
