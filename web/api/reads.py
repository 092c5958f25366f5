"""What the dashboard and the plan's page show, for programs: the counts by state and
grade (for the commune, per unit, per pillar), each target against its range, the
adopted plans, and the caller's own deadline alerts.

Everyone signed in may read them (DOMAIN.md). The counts and the targets can be read
as they were at an instant (``as_of``), with the same queries as now.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, create_model

from events import queries
from events.queries import alerts as alert_queries
from events.queries.as_of import Past
from events.queries.reading import today_of
from web import params, storage
from web.api.contract import Answer, Query, operation
from web.api.tasks import AS_OF, past_or_now
from web.i18n import lang
from workflow.bands import BANDS
from workflow.errors import DomainError
from workflow.grades import GRADES
from workflow.rules import STATES, Actor
from workflow.sentences import alert_sentence

TAG = "progress"

# One field per state and per grade, each always there (0 when none): a program reads
# ``by_state.verified`` without asking whether the key exists.
StateCounts: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "StateCounts", __base__=Answer, **{state: (int, ...) for state in STATES})
GradeCounts: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "GradeCounts", __base__=Answer, **{grade: (int, ...) for grade in GRADES})
BandCounts: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "BandCounts", __base__=Answer, **{band: (int, ...) for band in BANDS})
Band = Literal[BANDS]  # type: ignore[valid-type]


class Tally(Answer):
    total: int
    by_state: StateCounts  # type: ignore[valid-type]
    by_grade: GradeCounts = Field(  # type: ignore[valid-type]
        description="The four government grades (done on time or late, open on time or "
                    "overdue) and cancelled.")


class UnitSummary(Tally):
    unit: str
    unit_name: str
    overdue: int
    due_soon: int = Field(description="Open, due within the next 7 days.")


class PillarSummary(Tally):
    code: str
    name: str
    name_en: str
    targets: int
    bands: BandCounts  # type: ignore[valid-type]
    without_value: int = Field(description="Targets with no verified value yet.")


class Summary(Tally):
    today: date = Field(description="The day the grades are reckoned for (Vietnam).")
    as_of: datetime | None = Field(description="The instant read; null: now.")
    plan: str | None = Field(description="The plan in force then, its pillars below.")
    overdue: int
    due_soon: int
    units: list[UnitSummary] = Field(description="Every unit with tasks, and every "
                                                 "active unit (with zeros).")
    pillars: list[PillarSummary]


class AsOfQuery(Query):
    as_of: str | None = AS_OF


def _instant(store: Any) -> datetime | None:
    return store.instant if isinstance(store, Past) else None


def _with_every_unit(by_unit: list[dict[str, Any]],
                     units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-unit counts, with a row of zeros for each active unit without tasks."""
    present = {row["unit"] for row in by_unit}
    zeros = {"by_state": dict.fromkeys(STATES, 0), "by_grade": dict.fromkeys(GRADES, 0),
             "overdue": 0, "due_soon": 0, "total": 0}
    missing = [{"unit": u["code"], "unit_name": u["name"], **zeros}
               for u in units if u["active"] and u["code"] not in present]
    return sorted(by_unit + missing, key=lambda row: row["unit"])


@operation("GET", "/summary", summary="The dashboard's counts, per unit and per pillar",
           tag=TAG, query=AsOfQuery, response=Summary)
def summary(actor: Actor, query: AsOfQuery) -> dict[str, Any]:
    """Counts by state and by grade for the whole commune, each unit and each pillar
    of the plan in force, now or as they were at ``as_of``."""
    with past_or_now(query.as_of) as store:
        today = today_of(store)
        counts = queries.counts(store, today=today)
        units = _with_every_unit(counts["by_unit"], queries.units(store))
        plan = queries.default_plan_code(store)
        pillars = queries.pillar_progress(store, plan, today) if plan else []
        instant = _instant(store)
    return {**counts, "today": today, "as_of": instant, "plan": plan, "units": units,
            "pillars": pillars}


class TargetProgress(Tally):
    code: str
    number: int
    pillar: str
    text: str
    range: str = Field(description="The range as the plan words it.")
    min: float
    max: float
    unit: str = Field(description="What the target is measured in (%, ...).")
    measured: float | None = Field(description="The latest verified value, else the "
                                               "latest reported one; null: none yet.")
    measured_verified: bool
    measured_at: datetime | None
    measured_band: Band | None
    band: Band | None = Field(description="The latest verified value's band.")
    reported_band: Band | None = Field(description="The latest reported value's band.")
    latest_verified_value: float | None
    verified_at: datetime | None
    latest_reported_value: float | None
    reported_at: datetime | None
    source_task: str | None = Field(description="The task the measured value came from.",
                                    json_schema_extra={"format": "uuid"})
    source_title: str | None
    open_tasks: int


class Targets(Answer):
    plan: str | None = Field(description="null: no plan adopted (then) yet.")
    as_of: datetime | None
    today: date
    targets: list[TargetProgress]


class TargetsQuery(AsOfQuery):
    plan: str | None = Field(None, max_length=40, description="A plan's code; default: "
                                                              "the plan in force.")


@operation("GET", "/targets", summary="Each target of the plan against its range",
           tag=TAG, query=TargetsQuery, response=Targets)
def targets(actor: Actor, query: TargetsQuery) -> dict[str, Any]:
    """The measured value of each target (verified, else reported), its band
    (below, within, above the range) and its tasks' counts."""
    wanted = (query.plan or "").strip().upper() or None
    with past_or_now(query.as_of) as store:
        today = today_of(store)
        if wanted and wanted not in {p["code"] for p in queries.plans(store)}:
            raise DomainError("unknown_plan", plan=wanted)
        plan = wanted or queries.default_plan_code(store)
        found = queries.target_progress(store, plan, today) if plan else []
        instant = _instant(store)
    return {"plan": plan, "as_of": instant, "today": today, "targets": found}


class Plan(Answer):
    code: str
    title: str
    organisation: str
    adopted_on: date | None


class Plans(Answer):
    in_force: str | None = Field(description="The most recently adopted plan's code: "
                                             "the one /targets and /summary read.")
    plans: list[Plan] = Field(description="The most recently adopted first.")


@operation("GET", "/plans", summary="The adopted plans", tag=TAG, response=Plans)
def plans(actor: Actor) -> dict[str, Any]:
    found = queries.plans(storage.live())
    return {"in_force": found[0]["code"] if found else None, "plans": found}


class Alert(Answer):
    alert_id: str = Field(json_schema_extra={"format": "uuid"})
    position: int = Field(description="Its place in the log; the feed pages by it.")
    task: str = Field(json_schema_extra={"format": "uuid"})
    title: str
    unit: str
    kind: str = Field(description="approaching, due_today, missed, still_overdue, "
                                  "awaiting_verification.")
    days_left: int
    deadline: date
    due_on: date
    at: datetime
    escalated: bool
    unread: bool
    sentence: str = Field(description="The alert, in the requested language.")


class Alerts(Answer):
    alerts: list[Alert]
    unread: int = Field(description="How many of the caller's alerts are unread in all.")
    next_cursor: str | None = Field(description="Pass as cursor for older alerts; null "
                                                "on the last page.")


class AlertsQuery(Query):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=20, description="A page's next_cursor.")


@operation("GET", "/alerts", summary="The caller's deadline alerts, newest first",
           tag="alerts", query=AlertsQuery, response=Alerts)
def alerts(actor: Actor, query: AlertsQuery) -> dict[str, Any]:
    before = params.position(query.cursor)
    store, locale = storage.live(), lang()
    rows = alert_queries.inbox(store, actor.username, limit=query.limit + 1, before=before,
                               locale=locale)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return {
        "alerts": [{**row, "alert_id": str(UUID(row["alert_id"])),
                    "task": str(UUID(row["task_id"])),
                    "sentence": alert_sentence(row["kind"], row["days_left"], row["deadline"],
                                               locale)} for row in rows],
        "unread": alert_queries.unread_count(store, actor.username),
        "next_cursor": str(rows[-1]["position"]) if more else None,
    }
