"""``?as_of=`` on the pages that show the plan's state: the dashboard, the task list, a
task, the plan's progress — as they stood at that instant.

For such a request ``storage.store()`` is the past (``events.queries.as_of``): every
query the page asks reads the read models as of then, with the same code as now, so
the page shows exactly what it showed at that instant. The page says so in a banner
(``base.html``), keeps the instant in its links (``as_of_args``) and offers no action:
the past is read, never changed.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request, url_for

from events.queries.as_of import Past, as_of
from web import storage
from workflow import validate
from workflow.clock import LOCAL_TZ
from workflow.words import NP_

# The pages that can show the past; elsewhere ``as_of`` is ignored.
PAGES = frozenset({"dashboard.index", "home.unit", "tasks.index", "tasks.show",
                   "plan.index"})
KEY = storage.PAST_KEY
FIELD = NP_("field", "Ô “Số liệu tại thời điểm”")


def init_app(app: Flask) -> None:
    @app.before_request
    def _open_the_past() -> None:
        if request.method != "GET" or request.endpoint not in PAGES:
            return
        instant = validate.instant(request.args.get("as_of"), FIELD)
        if instant is None:
            return
        stack = ExitStack()
        g.nhiemvu_past_exit = stack
        # A refused instant (in the future) is a 400 with its sentence, like any
        # other value of the URL that cannot be used.
        setattr(g, KEY, stack.enter_context(as_of(storage.live(), instant)))

    @app.teardown_request
    def _close_the_past(error: BaseException | None) -> None:
        stack = g.pop("nhiemvu_past_exit", None)
        g.pop(KEY, None)
        if stack is not None:
            stack.close()

    @app.context_processor
    def _the_past() -> dict[str, Any]:
        found = past()
        args = as_of_args()
        query = urlencode(args)
        # For links written as text in the templates: "?as_of=…" / "&as_of=…" or "".
        return {"past": found, "as_of_args": args, "past_q": f"?{query}" if query else "",
                "past_amp": f"&{query}" if query else "",
                "as_of_value": _picker_value(found.instant) if found else "",
                "now_url": _now_url()}


def past() -> Past | None:
    return g.get(KEY)


def as_of_args() -> dict[str, str]:
    """The URL parameter that keeps a link in the same past (empty for now)."""
    found = past()
    return {"as_of": found.instant.isoformat()} if found else {}


def _now_url() -> str:
    """This page now: its URL without ``as_of``."""
    args = {k: v for k, v in request.args.items(multi=False) if k != "as_of"}
    return url_for(request.endpoint, **(request.view_args or {}), **args) \
        if request.endpoint else request.path


def _picker_value(instant: datetime) -> str:
    # What ``<input type="datetime-local">`` shows: Vietnam wall-clock time.
    return instant.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
