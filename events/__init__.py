"""The event log and everything derived from it.

- ``system``: the composition root; ``settings``: where the data lives.
- ``log``: the stored events themselves (damage, evidence files).
- ``readmodels``: tables kept from the log, exactly once (projections, their runner,
  parking and rebuilds).
- ``queries``: every question the interfaces ask, answered from those tables.
- ``processes``: what reacts to the log (the deadline sweep, the mail, the scheduler).
- ``demo``: labelled sample data.
- ``exports``: what people take away: CSV, XLSX and DOCX files of the queries' answers.
- ``sql``: how a command's statements reach the database (compiled once, pipelined).

May import: ``workflow`` and itself, in the order processes, demo, exports → system →
queries → readmodels → log → sql → settings. Never ``cli`` or ``web``.
"""
