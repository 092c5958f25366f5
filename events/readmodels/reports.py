"""The issued period reports, one row each, so that they can be listed.

A row copies what ``PeriodReportIssued`` recorded (``workflow.reports``) and the
position of that event in the log. The figures themselves are never stored: a
report is rendered again from the read models pinned to its ``report_position``
(``events.queries.reports``), and its ``digest`` proves the rendering unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Date, Index, Integer, String, Table, Text, insert

from events.readmodels.projection import Logged, Projection
from events.readmodels.tables import CODE, ID, POSITION, STAMP, metadata

reports = Table(
    "rm_report", metadata,
    Column("id", ID, primary_key=True),
    Column("position", POSITION, nullable=False),  # of the PeriodReportIssued event
    Column("issued_at", STAMP, nullable=False),
    Column("issued_by", CODE, nullable=False),
    Column("number", Text, nullable=False),
    Column("period", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("cutoff", STAMP, nullable=False),
    Column("report_position", POSITION, nullable=False),  # where its figures stand
    Column("digest", String(64), nullable=False),
    Column("format", Integer, nullable=False),
    Column("checkpoint_size", POSITION, nullable=False),
    Column("checkpoint_root", String(64), nullable=False),
    Index("rm_report_by_position", "position", unique=True),
)

_INSERT = insert(reports)


class IssuedReports(Projection):
    name = "reports"
    tables = (reports,)
    areas = frozenset({"report"})

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        rows = [_row(e) for e in events if e.type == "PeriodReportIssued"]
        if rows:
            conn.execute(_INSERT, rows)


def _row(event: Logged) -> dict[str, Any]:
    data = event.data
    return {
        "id": event.key, "position": event.position, "issued_at": event.at,
        "issued_by": event.actor, "number": data.get("number") or "",
        "period": data["period"], "kind": data["kind"], "first_day": data["first_day"],
        "last_day": data["last_day"], "cutoff": data["cutoff"],
        "report_position": int(data["position"]), "digest": data["digest"],
        "format": int(data["format"]), "checkpoint_size": int(data["checkpoint_size"]),
        "checkpoint_root": data["checkpoint_root"],
    }
