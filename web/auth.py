"""Signing in and out. The signed-in person is re-read from their history each request,
so a deactivation or a password reset takes effect on their next click; the session
itself is a row on the server (``web.sessions``), so signing out ends it for good."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request, session, url_for
from flask_babel import gettext
from flask_login import UserMixin, current_user, login_user, logout_user

from web import hx, reads, sessions, storage
from web.extensions import limiter, login_manager
from web.i18n import is_local_path
from workflow.errors import DomainError
from workflow.organisation import User
from workflow.rules import Actor

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


class SignedIn(UserMixin):
    def __init__(self, user: User, session_id: str):
        self.username = user.username
        self.display_name = user.display_name
        self.role = user.role
        self.unit = user.unit
        self.actor = user.as_actor()
        self._session_id = session_id

    def get_id(self) -> str:
        # What the cookie carries: the random id of the session row, nothing else.
        return self._session_id


@login_manager.user_loader
def load_user(session_id: str) -> SignedIn | None:
    issued = sessions.find(session_id)
    if issued is None:  # ended (signed out), unknown or too old
        return None
    try:
        user = reads.user(issued.username)
    except DomainError as error:
        if error.code.startswith("record_damaged"):
            # Treated as signed out: one damaged account must not break every page.
            log.error("signed out %s: %s", issued.username, error.message("en"),
                      exc_info=error.__cause__)
        return None
    if (not user.active or sessions.deactivations(user) != issued.deactivations
            or sessions.fingerprint(user.password_hash) != issued.fingerprint):
        return None  # deactivated since (even if reactivated), or the password reset
    return SignedIn(user, session_id)


@login_manager.unauthorized_handler
def unauthorized():
    return hx.redirect_to_sign_in(url_for("auth.login", next=request.full_path.rstrip("?")))


def actor() -> Actor:
    """The signed-in person as the service sees them."""
    return current_user.actor


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _per_name_and_address() -> str:
    # Keyed by name and address: many people share one office IP behind NAT.
    name = request.form.get("username", "").strip().lower()
    return f"{request.remote_addr}|{name}"


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_per_name_and_address)
def login():
    error = None
    username = request.form.get("username", "").strip().lower()
    if request.method == "GET":
        # Say so before the person types a password, not after.
        storage.check()
    if request.method == "POST":
        found = storage.service().authenticate(username, request.form.get("password", ""))
        if found is not None:
            target = request.args.get("next", "")
            user = storage.service().get_user(found.username)
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(SignedIn(user, sessions.issue(user)))
            return hx.redirect_after_post(
                target if is_local_path(target) else url_for("home.root"))
        error = gettext("Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khóa.")
    return hx.page("auth/login.html", status=401 if error else 200, error=error,
                   username=username)


@bp.post("/sign-out")
def logout():
    if current_user.is_authenticated:
        sessions.end(current_user.get_id())
    logout_user()
    session.clear()
    return hx.redirect_after_post(url_for("auth.login"))
