"""Processes that react to the log: the deadline sweep, the mail outbox, the scheduler.

``sweep`` raises every alert that is due, ``mail`` sends the outbox over SMTP,
``scheduler`` runs both on a timetable (APScheduler 3.x). They read through
``events.queries`` and write through the application service, like any interface.
See docs/alerts.md.

May import: ``events.system``, ``events.queries``, ``events.readmodels`` (tables),
``workflow``. Never ``cli`` or ``web``.
"""
