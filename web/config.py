"""Settings: defaults, then ``instance/config.py``, then ``NHIEMVU_*``, then tests'."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from events.settings import instance_folder
from workflow import words

MB = 1024 * 1024

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: NHIEMVU_DATABASE_URL or the SQLite file (events.system)
    "CLOCK": None,  # tests inject a FixedClock; None is the real time
    "SESSION_COOKIE_NAME": "nhiemvu_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Commune offices often serve plain HTTP on the LAN; set NHIEMVU_SESSION_COOKIE_SECURE=true
    # behind HTTPS.
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # A head may keep a report form open for hours on a phone: the token lives as long
    # as the session instead of Flask-WTF's one hour.
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 32 * MB,
    "EVIDENCE_MAX_BYTES": 10 * MB,
    "EVIDENCE_MAX_FILES": 5,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    # The one catalogue, shared with the CLI, the e-mails and the domain's words.
    "BABEL_TRANSLATION_DIRECTORIES": str(words.CATALOGUE),
    "PAGE_SIZE": 50,
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript",
                           "text/javascript", "application/json"],
    # Static files are streamed responses, compressed by the streaming list.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    # Pages are made per request, so each is compressed as it is sent: at 3, brotli
    # takes half the time of its default 4 for pages 3–5 % larger (a 64 kB overview:
    # 0.17 against 0.34 ms, 7.4 against 7.1 kB).
    "COMPRESS_BR_LEVEL": 3,
}


def instance_path() -> Path:
    """The same folder the store uses by default (``NHIEMVU_INSTANCE`` or ./instance)."""
    return instance_folder()


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("NHIEMVU")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret(Path(app.instance_path))


def _persistent_secret(folder: Path) -> str:
    # Kept in the instance folder so a restart does not sign everyone out.
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
