"""The event log itself, below the application's own reading of it.

``damage`` finds the first stored row of a history that no longer replays;
``evidence_files`` keeps the bytes behind a report's evidence, by SHA-256, once the
event that names them is recorded.

May import: ``events.settings``, ``workflow``. Never ``events.readmodels``,
``events.queries``, ``cli`` or ``web``.
"""
