"""Static files with a content hash in the URL, so browsers keep them for a year.

On a slow rural link the 17 KB of htmx and the stylesheet are then fetched once, not
re-validated on every page; a new release changes the hash and thus the URL.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, current_app, request, url_for

YEAR = 365 * 24 * 3600
KEY = "nhiemvu_assets"


@cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset(filename: str) -> str:
    """The file's URL with its hash: made once per file and script root (every page
    asks for three, and building a URL costs more than the page's use of it)."""
    made = current_app.extensions[KEY]
    key = (request.script_root, filename)
    url = made.get(key)
    if url is None:
        path = Path(current_app.static_folder or "") / filename
        url = made[key] = url_for("static", filename=filename, v=_digest(path))
    return url


def init_app(app: Flask) -> None:
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = YEAR
    app.jinja_env.globals["asset"] = asset
    # A few files, each under a root or two: bounded by the code, not by requests.
    app.extensions[KEY] = {}
