"""The input limits, offered to templates: ``limit(field)`` and the evidence uploads'.

Field lengths are the domain's rules (``workflow.validate``); forms only repeat them as
``maxlength`` so a browser stops typing where the service would refuse. The upload
limits are the web's settings (``EVIDENCE_MAX_BYTES``) and its accepted file types
(``web.evidence``). Defined once, shown everywhere.
"""

from __future__ import annotations

from flask import Flask, current_app

from web import evidence
from web.config import MB
from workflow import validate


def limit(field: str) -> int:
    """Most characters the domain accepts in ``field`` (``title``, ``reason``…)."""
    return validate.FIELDS[field].limit


def evidence_mb() -> int:
    """The largest evidence file the web takes, in whole MB, as its refusal says it."""
    return max(1, current_app.config["EVIDENCE_MAX_BYTES"] // MB)


def evidence_accept() -> str:
    """The accepted file types as a file input's ``accept`` (``.pdf,.jpg,…``)."""
    return ",".join(f".{extension}" for extension in evidence.ALLOWED_TYPES)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(limit=limit, evidence_mb=evidence_mb,
                                 evidence_accept=evidence_accept)
