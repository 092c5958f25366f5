"""Deadline alerts: the sweep, the in-app feed, the e-mail outbox and the scheduler.

Modules: ``tables`` and ``projections`` (read models kept from the log), ``queries``
(what pages and the CLI read), ``sweep`` (raise what is due), ``mail`` (send the
outbox), ``scheduler`` (APScheduler wiring). See docs/alerts.md.
"""

# The read-model runner imports our projections, and they import the read models'
# tables: loading the runner first, whichever module is imported first, keeps that
# circle from finding a half-loaded module.
import events.projections  # noqa: E402, F401
