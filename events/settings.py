"""Where this process keeps its data: the instance folder and the database URL.

One setting, ``NHIEMVU_DATABASE_URL``, picks the store. Default: a SQLite file
under ``./instance/`` (``NHIEMVU_INSTANCE``). For PostgreSQL set
``postgresql+psycopg://user@host/db``; the code is the same.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INSTANCE = Path("instance")


def instance_folder() -> Path:
    """The instance folder (SQLite file, evidence files): ``NHIEMVU_INSTANCE``, else
    ``./instance``."""
    return Path(os.environ.get("NHIEMVU_INSTANCE", DEFAULT_INSTANCE)).resolve()


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``NHIEMVU_DATABASE_URL``, else the SQLite file."""
    url = url or os.environ.get("NHIEMVU_DATABASE_URL")
    if url:
        return url
    instance = instance_folder()
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'nhiemvu.sqlite3'}"
