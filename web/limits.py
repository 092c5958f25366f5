"""The input limits the domain enforces, offered to templates as ``limit(field)``.

The rules live in ``workflow.validate``; forms only repeat them as ``maxlength`` so a
browser stops typing where the service would refuse. Defined once, shown everywhere.
"""

from __future__ import annotations

from flask import Flask

from workflow import validate


def limit(field: str) -> int:
    """Most characters the domain accepts in ``field`` (``title``, ``reason``…)."""
    return validate.FIELDS[field][2]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["limit"] = limit
