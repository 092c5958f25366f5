"""Cảnh báo: the person's deadline alerts, the unread badge in the header, marking read.

The badge is on every signed-in page and refreshes itself by polling a tiny fragment;
marking as read goes up to the newest alert the page showed, so one that arrived
meanwhile stays unread.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from web import auth, hx, params, reads, storage
from workflow import rules
from workflow.errors import DomainError
from workflow.sentences import alert_sentence

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

# The htmx event a mark-as-read answer sends; the header's badge listens for it.
READ_EVENT = "alerts-read"

DELIVERY_STATES = {
    "queued": lazy_gettext("Chờ gửi"),
    "sending": lazy_gettext("Đang gửi"),
    "sent": lazy_gettext("Đã gửi"),
    "failed": lazy_gettext("Gửi lỗi, sẽ thử lại"),
    "abandoned": lazy_gettext("Đã thôi gửi (lỗi nhiều lần)"),
}


@bp.app_template_global()
def unread_alerts() -> int:
    """The signed-in person's unread count, for the header (0 when nobody is signed in)."""
    if not current_user.is_authenticated:
        return 0
    return reads.unread_alerts(current_user.username)


@bp.app_context_processor
def _badge_event() -> dict[str, str]:
    return {"alerts_read_event": READ_EVENT}


def _feed(before: int | None, notice: str | None = None) -> dict[str, Any]:
    size = current_app.config["PAGE_SIZE"]
    rows = reads.inbox(current_user.username, limit=size + 1, before=before)
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        row["sentence"] = alert_sentence(row["kind"], row["days_left"], row["deadline"])
    return {"rows": rows, "before": before, "notice": notice,
            "next_before": rows[-1]["position"] if more else None,
            "newest": rows[0]["position"] if rows else None,
            "any_unread": any(row["unread"] for row in rows)}


@bp.get("/")
def index():
    before = params.position(request.args.get("before"))
    response = hx.page("alerts/index.html", "alerts", **_feed(before))
    return hx.push_url(response, url_for("alerts.index", before=before))


@bp.get("/badge")
def badge():
    """The header's badge alone: what the page polls (a few hundred bytes)."""
    return render_template("alerts/_badge.html")


@bp.post("/read")
def mark_read():
    up_to = params.position(request.form.get("up_to"))
    if up_to is None:
        raise DomainError("invalid_cursor")
    before = params.position(request.form.get("before"))
    # Never past the newest alert the person has: a mangled form must not silence the
    # alerts still to come.
    newest = reads.newest_alert(current_user.username)
    marked = newest is not None and storage.service().mark_alerts_read(
        auth.actor(), up_to=min(up_to, newest))
    message = gettext("Đã đánh dấu đã đọc.") if marked else gettext("Không có cảnh báo mới.")
    if hx.wants_fragment():
        response = hx.page("alerts/index.html", "alerts", **_feed(before, notice=message))
        return hx.trigger(response, READ_EVENT)
    flash(message)
    return hx.redirect_after_post(url_for("alerts.index", before=before))


@bp.get("/deliveries")
def deliveries():
    """The mail outbox: who was told by e-mail, when, and how it went (admins)."""
    rules.check_admin(auth.actor(), "manage_users")
    # Read as the mail sender reads it (events.processes.mail.MailConfig.from_env):
    # without it, queued mail waits for ever, and the page must say so.
    smtp_set = bool(os.environ.get("NHIEMVU_SMTP_URL", "").strip())
    return hx.page("alerts/deliveries.html", "deliveries",
                   rows=reads.deliveries(current_app.config["PAGE_SIZE"]),
                   delivery_states=DELIVERY_STATES, smtp_set=smtp_set)
