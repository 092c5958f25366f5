"""Giao nhiệm vụ: the leader's form to assign a task to a unit (routes on tasks.bp)."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import ImmutableMultiDict

from web import auth, hx, reads, storage
from web.errors import form_status
from web.i18n import error_text
from web.task_actions import FormError, parse_date
from web.tasks import bp
from workflow import rules
from workflow.errors import DomainError


def _form(values: ImmutableMultiDict, error: str | None = None, status: int = 200):
    code = reads.plan_code()
    content = reads.plan_content(code) or {}
    return hx.page("tasks/assign.html", "assign_form", status=status, values=values,
                   error=error, units=reads.active_units(), plan=code,
                   targets=content.get("targets", []))


@bp.get("/new")
def new():
    rules.check_admin(auth.actor(), "assign")
    return _form(ImmutableMultiDict(request.args))


@bp.post("/new")
def create():
    form = request.form
    try:
        rules.check_admin(auth.actor(), "assign")
        deadline = parse_date(form.get("deadline"), gettext("Hạn hoàn thành"))
        target = form.get("target", "").strip() or None
        task_id = storage.service().assign_task(
            auth.actor(), unit=form.get("unit", "").strip().upper(), deadline=deadline,
            title=form.get("title", ""), description=form.get("description", ""),
            target=target, plan=reads.plan_code() if target else None)
    except FormError as error:
        return _form(form, str(error), 422)
    except DomainError as error:
        return _form(form, error_text(error), form_status(error))
    flash(gettext("Đã giao nhiệm vụ."))
    return hx.redirect_after_post(url_for("tasks.show", task_id=task_id))
