"""Parts of a page rendered once and kept by what they show: a row of the task list,
an entry of the audit log, the signed-in person's part of the header.

A template wraps the part in a call block, ``{% call kept(key) %}…{% endcall %}``,
where ``key`` holds every value the part shows (the row's fields, the language, the
links' prefixes): equal keys render equal HTML, so what is kept is never stale and
needs no version. Jinja renders the block's body only when the key is not kept.
The keys are made in Python (``board_row``, ``audit_entry``, ``menu``), beside what
the markup uses. A row's or an entry's key holds nothing that depends on who
is asking, so one person's part may be given to another; the header's holds the
person's role, whether they have a unit and their unread count, so it is given only
to whom it shows exactly the same. At most ``SIZE`` parts are kept per process,
the least recently shown dropped first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import itemgetter
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

from events.queries.bounded import Bounded
from events.queries.seal import MARK
from web import reads
from web.i18n import lang

KEY = "nhiemvu_fragments"
SECTIONS_KEY = "nhiemvu_sections"
# About 1.5 kB each (key and HTML): some 12 MB at most per process. A page shows 50.
SIZE = 8192
# Whole sections of a page (a list's 50 rows and its pager): some 30 kB each.
SECTIONS = 256

# What ``tasks/_rows.html`` shows of a board row.
_BOARD_ROW = itemgetter("id", "title", "state", "returned", "unit_name", "unit", "deadline",
                        "extensions", "target", "grade")
# What ``audit/index.html`` shows of an entry (``changes`` by their text only).
_AUDIT_ENTRY = itemgetter("position", "type", "at", "actor", "actor_name", "unit",
                          "unit_name", "type_name", "task_id", "summary", "changes_text")


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Bounded(SIZE)
    app.extensions[SECTIONS_KEY] = Bounded(SECTIONS)
    app.jinja_env.globals.update(kept=kept, board_row=board_row, audit_entry=audit_entry,
                                 menu=menu, filter_form=filter_form,
                                 kept_section=kept_section)


def kept(key: Hashable | None, caller: Callable[[], str], *, among: str = KEY) -> Markup:
    """The part rendered for ``key`` (the call block's body, rendered if need be);
    rendered for this request alone when the key is None."""
    if key is None:
        return Markup(caller())
    return current_app.extensions[among].get(key, lambda: Markup(caller()))


def kept_section(key: Hashable | None, caller: Callable[[], str]) -> Markup:
    """``kept`` for a whole section of a page, among fewer and larger parts."""
    return kept(key, caller, among=SECTIONS_KEY)


def board_row(row: dict[str, Any], tasks_url: str, past_q: str) -> tuple:
    return ("board row", lang(), tasks_url, past_q, *_BOARD_ROW(row))


def audit_entry(row: dict[str, Any], tasks_url: str) -> tuple:
    return ("audit entry", lang(), tasks_url, *_AUDIT_ENTRY(row), len(row["changes"]))


def menu() -> tuple:
    """The key of ``base.html``'s header for the signed-in person, up to the language
    link: the alert link with their unread count, and the links their role and unit
    may follow."""
    user = current_user._get_current_object()
    # The badge's count (``alerts/_badge.html``), read once per request.
    return ("menu", lang(), request.script_root, reads.unread_alerts(user.username),
            user.role, bool(user.unit))


def filter_form(name: str, filters: dict[str, Any]) -> tuple | None:
    """The key of a list's filter form (``name``: the task list's, the audit log's):
    the filters it shows chosen, in this language, with its choices (units, people,
    the plan's pillars and targets), which only what moves the data's version but
    notes changes. None on a page of the past (its choices are the past's)."""
    version = reads.version_but_notes()
    if version is None:
        return None
    return (name, lang(), request.script_root, version, tuple(filters.items()))


def task_results(filters: dict[str, Any], after: Any, before: Any) -> tuple | None:
    """The key of the task list's results (its count, rows and pager) for these
    filters and this page of them, in the default order (by deadline). What they show
    of each task, which tasks match and in what order: none of it is a progress
    note's (a note changes a percentage, a version and the last activity), so the
    version but notes and today hold it all. None in the order by last activity,
    which every note changes, and on a page of the past."""
    version = reads.version_but_notes()
    if version is None or filters.get("sort"):
        return None
    return ("task results", lang(), request.script_root, version, reads.today(),
            tuple(filters.items()), after, before, current_app.config["PAGE_SIZE"])


def task_part(name: str, task_id: Any, task: Any, alerts: list[dict[str, Any]] = ()
              ) -> tuple | None:
    """The key of a part of the task page that every viewer sees alike (``name``: its
    facts with the returned notice, its timeline): the task's version (its events up
    to it never change), the alerts merged in (each a recorded event: its position),
    and the version but notes for the names, units and the plan's target it shows.
    None on a page of the past."""
    version = reads.version_but_notes()
    if version is None:
        return None
    return (name, lang(), request.script_root, version, task_id.hex, task.version,
            tuple(alert["position"] for alert in alerts))


def audit_results(filters: dict[str, Any], before: Any) -> tuple | None:
    """The key of the audit log's results for these filters and this page of them:
    the entries, the names they show, the links; all read from the read models, so
    the data's version (moved by every write, notes too) holds them. None on a page
    of the past."""
    version = reads.version()
    if version is None:
        return None
    return ("audit results", lang(), request.script_root, version, tuple(filters.items()),
            before, current_app.config["PAGE_SIZE"])


def audit_seal() -> tuple | None:
    """The key of the audit log's seal (the latest checkpoint and verification): the
    marks of the seal's records, which only a checkpoint or a verification moves (a
    note, say, leaves them). None on a page of the past."""
    marks = reads.marks(MARK)
    return None if marks is None else ("audit seal", lang(), marks)
