"""Sessions recorded on the server, so that signing out ends one for good.

Flask keeps its session in a signed cookie: a copy taken before sign-out would go on
working until it expires. So the cookie carries only a random id, and the row it
names says whose session it is, when it was issued and whether it has ended. The
row keeps the SHA-256 of the id, not the id: the table alone (a backup, say) opens no
session. It also keeps what the user's record said at issue — the password
fingerprint and how many times the account was deactivated — so a password reset or
a deactivation, whichever interface made it (web or CLI), ends every session issued
before it, even once the account is reactivated. The table lives in the store's
database beside the event tables and is created on first open (``checkfirst``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    literal,
    select,
    update,
)

from events.queries import seal
from events.queries.alerts import unread_of
from events.sql import compiled
from events.system import System
from web import reads, storage
from workflow.organisation import User

metadata = MetaData()
TABLE = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(200), nullable=False),
    Column("fingerprint", String(16), nullable=False),
    Column("deactivations", Integer, nullable=False),
    Column("issued_at", DateTime, nullable=False),  # UTC
    Column("ended_at", DateTime),
)
# The cookie's own limit (PERMANENT_SESSION_LIFETIME) is renewed by activity; this
# caps a session however busy, and rows older than it are deleted at each sign-in.
MAX_AGE = timedelta(days=7)
_OPEN = (TABLE.c.id_hash == bindparam("id_hash"), TABLE.c.ended_at.is_(None),
         TABLE.c.issued_at >= bindparam("since", type_=DateTime()))
# Every request asks it: built once and compiled once (events.sql.compiled).
_FIND = select(TABLE.c.username, TABLE.c.fingerprint, TABLE.c.deactivations).where(*_OPEN)
# The same, asked with the data's version in a page's first query (``reads.
# versions_with``), as rows of a name and a number: the row's fingerprint (16 hex
# digits) and username in the name, the person's unread alerts for the header, and
# the marks of the seal's records (``reads.marks``).
_SESSION = "+session "
_UNREAD = "+unread"
_WITH_VERSION = (
    select(literal(_SESSION, String) + TABLE.c.fingerprint + literal(" ", String)
           + TABLE.c.username, TABLE.c.deactivations).where(*_OPEN),
    select(literal(_UNREAD, String),
           unread_of(select(TABLE.c.username).where(*_OPEN).scalar_subquery())
           .scalar_subquery()),
    *seal.MARKS,
)


@dataclass(frozen=True)
class Issued:
    """What a session row says about whose it is."""

    username: str
    fingerprint: str
    deactivations: int


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def deactivations(user: User) -> int:
    # Records from before the counter have none (workflow.organisation).
    return getattr(user, "deactivations", 0)


def issue(user: User) -> str:
    """A new session for ``user``; returns the random id the cookie will carry."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    with _engine().begin() as conn:
        conn.execute(TABLE.delete().where(TABLE.c.issued_at < now - MAX_AGE))
        conn.execute(insert(TABLE).values(
            id_hash=_hash(session_id), username=user.username,
            fingerprint=fingerprint(user.password_hash), deactivations=deactivations(user),
            issued_at=now))
    return session_id


def find(session_id: str) -> Issued | None:
    """The open session with this id, or None (unknown, ended or too old). Asked in
    the request's first query, with the data's version and the person's unread
    alerts (kept for the request by ``web.reads``)."""
    params = {"id_hash": _hash(session_id), "since": _now() - MAX_AGE}
    # Read now, never from a page's past (web/as_of.py): a session ended since counts.
    rows = reads.versions_with(_WITH_VERSION, params)
    if rows is None:  # the version could not be read with it: the row alone
        with storage.now().engine.connect() as conn:
            row = compiled.execute(conn, _FIND, params).first()
        return Issued(*row) if row else None
    issued = None
    for name, value in rows:
        if name.startswith(_SESSION):
            fingerprint, username = name[len(_SESSION):].split(" ", 1)
            issued = Issued(username, fingerprint, int(value))
    if issued is not None:
        unread = next(int(value) for name, value in rows if name == _UNREAD)
        reads.read_unread(issued.username, unread)
        reads.read_marks([(name, value) for name, value in rows
                          if name.startswith(seal.MARK)])
    return issued


def end(session_id: str) -> None:
    """End the session: its cookie, even a copy, no longer signs anyone in."""
    with _engine().begin() as conn:
        conn.execute(update(TABLE).where(TABLE.c.id_hash == _hash(session_id),
                                         TABLE.c.ended_at.is_(None)).values(ended_at=_now()))


def create_table(store: System) -> None:
    metadata.create_all(store.engine, checkfirst=True)


def init_app(app: Flask) -> None:
    app.extensions[storage.KEY].on_open.append(create_table)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _engine():
    # The live store's own engine: issuing and ending a session are transactions.
    return storage.live().engine


def _now() -> datetime:
    clock = current_app.config["CLOCK"]
    moment = clock() if clock else datetime.now(UTC)
    return moment.astimezone(UTC).replace(tzinfo=None)
