"""The domain of nhiemvu and its application service: what is true, and who may change it.

- Aggregates and their events: ``task``, ``organisation`` (units, users), ``plan``,
  ``alerts`` (deadline alerts, inboxes, the mail outbox); ``base`` gives them stable
  topics and the injectable clock (``clock``).
- The rules as data: ``rules`` (states, the transitions with their target states, who
  may do what), ``grades`` (the four government report grades), ``validate`` (bounds
  on everything typed), ``passwords``, ``evidence``.
- The words: ``words`` (the one gettext catalogue, ``translations/``), ``errors``
  (stable refusal codes and their messages), ``sentences`` (what each event says).
- ``application.Workflow``: the service every interface calls (one method per
  command), ``admin_commands``, ``plan_file`` (a plan read from TOML), ``damage``.

May import: the standard library, ``eventsourcing``, Babel, argon2. Never Flask,
SQLAlchemy, ``events``, ``cli`` or ``web`` (tests/unit/test_layering.py).
"""
