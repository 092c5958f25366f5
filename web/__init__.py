"""The web app, an interface beside ``cli``: Flask + htmx over the application service
(commands) and ``events.queries`` (everything shown).

``create_app`` is the one entry point; it wires the extensions and the feature
blueprints (auth, dashboard, tasks, plan, audit, reports, alerts, admin) and opens the
composition root (``events.system.System``) lazily, once per process (``storage``).

May import: ``events`` (``system``, ``queries``, ``settings``, ``log``), ``workflow``,
Flask and its extensions. Never ``cli``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from web import (
    api,
    as_of,
    assets,
    config,
    errors,
    fragments,
    i18n,
    limits,
    params,
    reads,
    security,
    sessions,
    storage,
    versioned,
)
from web.extensions import init_extensions


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    folder = (test_config or {}).get("INSTANCE_PATH") or config.instance_path()
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True)
    config.load(app, test_config)
    init_extensions(app)
    storage.init_app(app)
    versioned.init_app(app)
    fragments.init_app(app)
    reads.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    params.init_app(app)
    as_of.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)
    limits.init_app(app)
    errors.init_app(app)
    api.init_app(app)

    # ``assign`` adds the assign form's routes to ``tasks.bp``: imported here, before
    # the blueprint is registered, so neither module imports the other back.
    from web import admin, alerts, assign, audit, auth, dashboard, home, plan, reports, tasks  # noqa: F401

    for blueprint in (auth.bp, home.bp, dashboard.bp, tasks.bp, plan.bp, audit.bp, reports.bp,
                      alerts.bp, admin.bp):
        app.register_blueprint(blueprint)
    return app
