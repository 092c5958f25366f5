"""Processes that react to the log: the deadline sweep, the mail outbox, the scheduler,
the seal's witnesses, backup and restore.

``sweep`` raises every alert that is due, ``mail`` sends the outbox over SMTP,
``sealing`` records checkpoints and verifications of the sealed log (and mails the
checkpoint to auditors), ``backup`` (with ``backup_format``, ``backup_table``,
``backup_evidence``) exports and imports the whole log, ``scheduler`` runs the sweep,
the mail and the seal's jobs on a timetable (APScheduler 3.x). They read through
``events.queries`` and write through the application service, like any interface.
See docs/alerts.md.

May import: ``events.system``, ``events.queries``, ``events.readmodels`` (tables),
``events.log`` (the stored rows, the seal's arithmetic, evidence files: the backup),
``workflow``. Never ``cli`` or ``web``.
"""
