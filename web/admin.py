"""Quản trị: units, users and the read models' health.

Each change to units and users is an event with the admin as its actor.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import ImmutableMultiDict

from web import auth, hx, reads, storage
from web.errors import form_status
from web.i18n import error_text
from workflow import rules
from workflow.errors import DomainError
from workflow.rules import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLES = [role.value for role in Role]


@bp.before_request
def _guard():
    # Checked before any form is read: a refused person learns nothing and changes nothing.
    admin_only = request.path.startswith(("/admin/users", "/admin/read-models"))
    needed = "manage_users" if admin_only else "manage_units"
    rules.check_admin(auth.actor(), needed)


def _units_page(values=None, error=None, error_form=None, status=200):
    rules.check_admin(auth.actor(), "manage_units")
    return hx.page("admin/units.html", "units", status=status, units=reads.units(),
                   values=values or ImmutableMultiDict(), error=error,
                   error_form=error_form)


def _users_page(values=None, error=None, error_form=None, status=200):
    rules.check_admin(auth.actor(), "manage_users")
    return hx.page("admin/users.html", "users", status=status, users=reads.users(),
                   units=reads.active_units(), roles=ROLES,
                   values=values or ImmutableMultiDict(), error=error,
                   error_form=error_form)


def _run(command: Callable[[], None], done: str, page, form_name: str, endpoint: str):
    """Call one service command; on refusal re-show the page with what was typed."""
    try:
        command()
    except DomainError as error:
        return page(request.form, error_text(error), form_name, form_status(error))
    flash(done)
    return hx.redirect_after_post(url_for(endpoint))


@bp.get("/units")
def units():
    return _units_page()


@bp.post("/units")
def add_unit():
    form = request.form
    return _run(lambda: storage.service().add_unit(
        form.get("code", ""), form.get("name", ""), form.get("kind", ""),
        actor=auth.actor()), gettext("Đã thêm đơn vị."), _units_page, "add", "admin.units")


# ``path``: codes and usernames recorded before identifiers were bounded may hold a
# "/" (today's rules refuse it), and they must stay manageable.
@bp.post("/units/<path:code>/rename")
def rename_unit(code: str):
    form = request.form
    return _run(lambda: storage.service().rename_unit(
        code, form.get("name", ""), form.get("reason", ""), actor=auth.actor()),
        gettext("Đã đổi tên đơn vị."), _units_page, f"rename:{code}", "admin.units")


@bp.post("/units/<path:code>/deactivate")
def deactivate_unit(code: str):
    return _run(lambda: storage.service().deactivate_unit(
        code, request.form.get("reason", ""), actor=auth.actor()),
        gettext("Đã ngừng hoạt động đơn vị."), _units_page, f"deactivate:{code}",
        "admin.units")


@bp.get("/users")
def users():
    return _users_page()


@bp.post("/users")
def add_user():
    form = request.form

    def command():
        storage.service().add_user(
            form.get("username", ""), form.get("role", ""), form.get("password", ""),
            unit=form.get("unit", "").strip().upper() or None,
            display_name=form.get("display_name", ""), email=form.get("email", ""),
            actor=auth.actor())

    return _run(command, gettext("Đã thêm người dùng."), _users_page, "add", "admin.users")


@bp.post("/users/<path:username>/deactivate")
def deactivate_user(username: str):
    return _run(lambda: storage.service().deactivate_user(
        username, request.form.get("reason", ""), actor=auth.actor()),
        gettext("Đã khóa tài khoản."), _users_page, f"deactivate:{username}", "admin.users")


@bp.post("/users/<path:username>/reactivate")
def reactivate_user(username: str):
    return _run(lambda: storage.service().reactivate_user(
        username, request.form.get("reason", ""), actor=auth.actor()),
        gettext("Đã mở lại tài khoản."), _users_page, f"reactivate:{username}",
        "admin.users")


@bp.post("/users/<path:username>/password")
def reset_password(username: str):
    return _run(lambda: storage.service().set_password(
        username, request.form.get("password", ""), actor=auth.actor()),
        gettext("Đã đặt lại mật khẩu."), _users_page, f"password:{username}", "admin.users")


@bp.get("/read-models")
def read_models():
    """Each read model's position against the log's head, and the events it parked."""
    kept = storage.store().projections
    return hx.page("admin/read_models.html", "read_models", rows=kept.status(),
                   parked=kept.parked())
