"""Read models: tables kept up to date from the event log, exactly once.

``Projections(store)`` owns them all; ``events.queries`` reads them.
"""

from events.projections.runner import Projections

__all__ = ["Projections"]
