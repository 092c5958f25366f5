"""Which interface a command came through, when it was not the web or the console.

A command run for an API token records ``via: "api"`` on every event it causes
(docs/events.md), beside the ``actor``: the record says who acted and that it was a
program acting for them. The service opens a scope around each command
(``Workflow._at_clock``), sets the channel there once it has resolved who acts, and
``Record.collect_events`` stamps the events saved inside it. A scope's channel ends
with it, so nothing outside a command (the scheduler, a catch-up) inherits one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

API = "api"

_scope: ContextVar[list[str | None] | None] = ContextVar("nhiemvu_channel", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """One command's scope: its channel is unset until ``note`` sets it."""
    token = _scope.set([None])
    try:
        yield
    finally:
        _scope.reset(token)


def note(via: str | None) -> None:
    """The channel of the command whose scope this is (ignored outside a scope)."""
    held = _scope.get()
    if held is not None:
        held[0] = via


def current() -> str | None:
    held = _scope.get()
    return held[0] if held is not None else None
