"""Read models: tables kept up to date from the event log, exactly once.

``Projections(application, engine)`` owns them all (``runner``: catch-up, rebuild
beside the live tables in ``shadow``, events it cannot apply in ``parking``). Each
projection is a module named for its view: ``board`` (+ ``tally``), ``audit``,
``organisation``, ``alert_schedule``, ``alert_feed``; their tables are in ``tables``
and ``alert_tables``. ``projection`` is what each one sees (``Logged``), ``decoding``
reads stored rows into it, ``writing`` the one-writer transaction, ``bulk`` the fast
executemany/COPY. ``events.queries`` reads the tables.

May import: ``events.log``, ``events.settings``, ``workflow``. Never ``events.system``,
``events.queries``, ``events.processes``, ``cli`` or ``web``.
"""

from events.readmodels.runner import Projections

__all__ = ["Projections"]
