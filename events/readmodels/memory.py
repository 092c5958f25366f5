"""Rows a projection wrote last, kept in memory while no other writer moved it.

A command's catch-up reads back the rows its events change (a task's board row, its
audit facts) only to change them again. This process wrote them itself in its last
batch, unless another writer (another process, a rebuild) has moved the projection
since. The position read under the batch's lock tells which: the memory is used only
when that position is the one this process left the projection at, and it is empty
otherwise. An absent row is read from the table, so an empty memory is always right;
a batch that fails, rolls back or applies a plan change empties it.
"""

from __future__ import annotations

from typing import Any

# Enough for a district's open work; beyond it the memory starts again (rows are
# then read from their table, as without it).
LIMIT = 20000


class Memory:
    def __init__(self, limit: int = LIMIT):
        self.rows: dict[Any, Any] = {}
        self.limit = limit
        self._at: int | None = None

    def begin(self, position: int | None) -> None:
        """In the batch's transaction, before it applies: ``position`` is where the
        projection's stored rows stand (None: unknown)."""
        if position is None or position != self._at:
            self.rows.clear()
        # Until ``settle``: a batch that stops half way leaves nothing to trust.
        self._at = None

    def settle(self, position: int) -> None:
        """The batch applied whole, in the transaction that moves the position to
        ``position``: if that commit fails, the position stays behind and ``begin``
        finds it differs."""
        if len(self.rows) > self.limit:
            self.rows.clear()
        self._at = position

    def forget(self) -> None:
        self.rows.clear()
        self._at = None
