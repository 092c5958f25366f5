"""Read models: tables kept up to date from the event log, exactly once.

``Projections(application, engine)`` owns them all; ``events.queries`` reads them.
"""

from events.readmodels.runner import Projections

__all__ = ["Projections"]
