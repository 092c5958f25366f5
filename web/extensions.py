"""The Flask extensions, created once and bound to each app in ``init_extensions``."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)
babel = Babel()
htmx = HTMX()
compress = Compress()


def init_extensions(app: Flask) -> None:
    from web.i18n import select_locale

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    htmx.init_app(app)
    compress.init_app(app)
