"""``nhiemvu export`` and ``nhiemvu import``: the whole log, with its seal, as a file."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Adds ``export`` and ``import`` to the main group."""
