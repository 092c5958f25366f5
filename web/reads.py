"""The read models as the pages need them: one seam over ``events.queries``.

Request-scoped caches (on ``g``) keep a page from asking twice for the same list,
and are dropped when the request records a command, so what it shows next is read
anew. The units, the people and the default plan are also kept between requests
under the version of the data (``web/versioned.py``) that progress notes leave
alone: on a page of the present, they are read from the database only when
something other than a note was recorded since.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from events import queries
from events.queries import alerts as alert_queries
from events.queries import seal
from events.queries.as_of import Past, version_at
from events.queries.audit import Names
from events.queries.board_cursor import SORTS
from events.queries.version import Versions
from events.queries.version import versions_with as _versions_with
from events.system import System
from web import params, storage
from web.versioned import remembered
from workflow.base import named_id
from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError
from workflow.grades import GRADES
from workflow.rules import STATES
from workflow.words import NP_

log = logging.getLogger(__name__)
FILTER_KEYS = ("q", "state", "unit", "pillar", "grade", "target", "deadline_from",
               "deadline_to", "overdue", "returned", "sort")


_KEY = "nhiemvu_reads"


def _cached(key: str, compute):
    cache = g.setdefault(_KEY, {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _versions_now() -> Versions | None:
    """Both keys of the data's version now (``events.queries.version``), read once per
    request and again after a command, whatever the page shows (the signed-in
    person's record is read before the page knows it shows a past); None when the
    read models' bookkeeping cannot be read (nothing is then kept). The seal's marks
    (``marks``) come with it: a task's panel after a command asks for them."""
    def read() -> Versions | None:
        try:
            # Read now (one round trip on PostgreSQL's autocommit connections).
            found, rows = _versions_with(storage.now(), seal.MARKS)
        except SQLAlchemyError:
            log.warning("The data's version cannot be read; nothing is kept.", exc_info=True)
            return None
        read_marks(rows)
        return found

    return _cached("version", read)


def versions_with(also: tuple, params: dict) -> list[tuple[str, Any]] | None:
    """The data's version now, as ``_versions_now`` reads it (kept for the request,
    unless read already), and the rows of ``also`` from the same query
    (``events.queries.version.versions_with``); None when it cannot be read."""
    try:
        found, rows = _versions_with(storage.now(), also, params)
    except SQLAlchemyError:
        return None  # asked again alone, which says why (_versions_now)
    g.setdefault(_KEY, {}).setdefault("version", found)
    return rows


def read_unread(username: str, count: int) -> None:
    """The person's unread alerts now, read with the version (``versions_with``):
    ``unread_alerts`` gives them on a page of the present, until a command."""
    g.setdefault(_KEY, {}).setdefault(f"unread now:{username}", count)


def read_marks(rows: list[tuple[str, Any]]) -> None:
    """Marks of read models' tables read with the version (``events.queries.seal.
    MARKS``): ``marks`` gives them on a page of the present, until a command."""
    g.setdefault(_KEY, {}).setdefault(
        "marks", tuple(sorted((name, int(value)) for name, value in rows)))


def marks(prefix: str) -> tuple | None:
    """The marks named ``prefix…`` (``read_marks``) and the parked events of the same
    snapshot: a key for what is read from their tables now, if those only gain rows
    at their events' positions, in order but for parked events applied late (which
    the parked events' count and last position show) and rebuilds (which give the
    same rows). None on a page of the past, or when they cannot be read (nothing is
    then kept)."""
    if isinstance(storage.store(), Past):
        return None
    # Read with the marks, unless read already (a command since drops both).
    version = _versions_now()
    found = g.get(_KEY, {}).get("marks")
    if version is None or found is None:
        return None
    return (*(row for row in found if row[0].startswith(prefix)),
            *(row for row in version.every if row[0].startswith("~parked")))


def _versions() -> Versions | None:
    """The keys of what this page reads: those of now, None on a page of the past."""
    return None if isinstance(storage.store(), Past) else _versions_now()


def version() -> tuple | None:
    """The data's version: moved by every write."""
    found = _versions()
    return None if found is None else found.every


def version_but_notes() -> tuple | None:
    """The data's version as far as the read models of tasks, plans and the
    organisation show it, progress notes left out (``Versions.but_notes``): a key for
    what no note changes."""
    found = _versions()
    return None if found is None else found.but_notes


def _kept(key: str, compute):
    """``_cached``, and on a page of the present kept between requests too, under the
    data's version read first (a note changes none of what is kept so)."""
    def between_requests():
        found = version_but_notes()
        return compute() if found is None else remembered(("reads", key), found, compute)

    return _cached(key, between_requests)


def init_app(app: Flask) -> None:
    app.extensions[storage.KEY].on_open.append(_forget_after_saves)


def _forget_after_saves(store: System) -> None:
    store.service.after_save.append(_forget)


def _forget(_positions: list[int]) -> None:
    # A command recorded during a request (any thread of the process may record,
    # e.g. the scheduler, outside any request): what this request read before it is
    # no longer what the store holds.
    if g:
        g.pop(_KEY, None)


def units() -> list[dict[str, Any]]:
    return _kept("units", lambda: queries.units(storage.store()))


def active_units() -> list[dict[str, Any]]:
    return [unit for unit in units() if unit["active"]]


def unit_name(code: str | None) -> str:
    if not code:
        return ""
    names = _kept("unit_names", lambda: {u["code"]: u["name"] for u in units()})
    return names.get(code, code)


def users() -> list[dict[str, Any]]:
    return _kept("users", lambda: queries.users(storage.store()))


def user(username: str) -> Any:
    """The person's record now (``workflow.organisation.User``, from their history in
    the log, on a page of the past too), kept under the data's version like the list
    of people: only events of the organisation change it, and each moves that version."""
    def load():
        return storage.service().get_user(username)

    found = _versions_now()
    return load() if found is None else remembered(("user", username), found.but_notes, load)


def person_name(username: str) -> str:
    """The display name; the console operator ("system") has no account."""
    names = _kept("user_names", lambda: {u["username"]: u["display_name"] or u["username"]
                                          for u in users()})
    return names.get(username, username)


def names() -> Names:
    """How the audit log calls people and units (``events.queries.audit.Names``), from
    the kept lists rather than read again."""
    return _kept("names", lambda: Names(
        {u["username"]: u["display_name"] or u["username"] for u in users()},
        {u["code"]: u["name"] for u in units()}))


def plan_code() -> str | None:
    return _kept("plan_code", lambda: queries.default_plan_code(storage.store()))


def plan_content(code: str | None) -> dict[str, Any] | None:
    """The plan's content; on a page of the past, as it was then (None: not yet adopted)."""
    if not code:
        return None

    def load():
        version = None
        if isinstance(store := storage.store(), Past):
            version = version_at(store, named_id("plan", code).hex)
            if version is None:
                return None
        try:
            return storage.service().get_plan(code, version).content
        except DomainError:
            return None

    if code == plan_code():
        return _kept("plan", load)  # the one plan most pages show
    return _cached(f"plan:{code}", load)


def target(plan: str | None, code: str | None) -> dict[str, Any] | None:
    content = plan_content(plan)
    if not content or not code:
        return None
    return next((t for t in content["targets"] if t["code"] == code), None)


def unread_alerts(username: str) -> int:
    def read() -> int:
        if not isinstance(store := storage.store(), Past):
            found = g.get(_KEY, {}).get(f"unread now:{username}")
            if found is not None:
                return found
        return alert_queries.unread_count(store, username)

    return _cached(f"unread:{username}", read)


def inbox(username: str, *, limit: int, before: int | None = None) -> list[dict[str, Any]]:
    """The person's alerts newest first, each with ``task`` as the task page wants it."""
    rows = alert_queries.inbox(storage.store(), username, limit=limit, before=before)
    return [{**row, "task": str(UUID(row["task_id"]))} for row in rows]


def newest_alert(username: str) -> int | None:
    """The log position of the person's newest alert (None: they have none)."""
    rows = alert_queries.inbox(storage.store(), username, limit=1)
    return rows[0]["position"] if rows else None


def task_alerts(task_id: UUID) -> list[dict[str, Any]]:
    """The task's alerts; on a page of the past, those raised by then."""
    rows = alert_queries.task_alerts(storage.store(), task_id)
    if isinstance(store := storage.store(), Past):
        rows = [row for row in rows if row["position"] <= store.position]
    return rows


def task_version(task_id: UUID) -> int | None:
    """On a page of the past, the version the task had then (a 404 if it did not
    exist yet); None on a page of the present."""
    store = storage.store()
    if not isinstance(store, Past):
        return None
    version = version_at(store, task_id.hex)
    if version is None:
        raise DomainError("unknown_task", task=str(task_id))
    return version


def task_positions(task_id: UUID) -> dict[int, int]:
    """Each of the task's versions → its log position (to merge alerts into the history)."""
    return {entry["version"]: entry["position"]
            for entry in queries.task_history(storage.store(), task_id)}


def deliveries(limit: int) -> list[dict[str, Any]]:
    return alert_queries.deliveries(storage.store(), limit=limit)


def today() -> date:
    """Today in the commune, by the app's clock (tests inject one); on a page of the
    past, that instant's day."""
    if isinstance(store := storage.store(), Past):
        return store.today
    clock = current_app.config["CLOCK"]
    moment = clock() if clock else datetime.now(UTC)
    return moment.astimezone(LOCAL_TZ).date()


def board_filters(args: MultiDict) -> dict[str, Any]:
    """The filters named in the URL, cleaned: unknown choices are dropped; a date that
    cannot be read is refused (``DomainError``, a 400)."""
    raw = {key: (args.get(key) or "").strip() for key in FILTER_KEYS}
    filters: dict[str, Any] = {"q": raw["q"][:100] or None}
    filters["state"] = raw["state"] if raw["state"] in STATES else None
    filters["grade"] = raw["grade"] if raw["grade"] in GRADES else None
    filters["unit"] = raw["unit"].upper() or None
    filters["pillar"] = raw["pillar"].upper() or None
    filters["target"] = raw["target"].upper() or None
    filters["deadline_from"] = params.day(raw["deadline_from"], NP_("field", "Ô “Hạn từ ngày”"))
    filters["deadline_to"] = params.day(raw["deadline_to"], NP_("field", "Ô “Hạn đến ngày”"))
    filters["overdue"] = raw["overdue"] in ("1", "true", "on")
    filters["returned"] = raw["returned"] in ("1", "true", "on")
    # The default sort stays out of the URL; an unknown one is the default.
    filters["sort"] = raw["sort"] if raw["sort"] in SORTS and raw["sort"] != SORTS[0] else None
    return filters


def board(filters: dict[str, Any], after: str | None = None, before: str | None = None,
          limit: int | None = None):
    """One page of the task list, with its total, its rows brief (what a list shows);
    ``after`` / ``before`` as read by ``params.board_cursor``."""
    found = {**filters, "sort": filters.get("sort") or SORTS[0]}
    return queries.board(storage.store(), **found, after=after, before=before,
                         limit=limit or current_app.config["PAGE_SIZE"], brief=True)


def filter_choices() -> dict[str, Any]:
    content = plan_content(plan_code()) or {}
    return {"units": units(), "pillars": content.get("pillars", []),
            "targets": content.get("targets", []), "states": STATES, "grades": GRADES}


def filter_args(filters: dict[str, Any], **extra: Any) -> dict[str, str]:
    """The filters as URL parameters, leaving out the empty ones (the URL stays short);
    on a page of the past, its instant too, so the next page stays in it."""
    args = {}
    if isinstance(store := storage.store(), Past):
        args["as_of"] = store.instant.isoformat()
    for key, value in {**filters, **extra}.items():
        if value in (None, "", False):
            continue
        args[key] = "1" if value is True else (value.isoformat() if isinstance(value, date)
                                               else str(value))
    return args
