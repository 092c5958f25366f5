"""Sample data for a first look (``nhiemvu demo``), all of it labelled as such.

``sample`` fills an empty store: units, one user per role, the seed plan and tasks
whose histories are backdated through the injected clock; ``tasks`` lists the
sample tasks and what happens to each.

May import: ``events.system``, ``events.log``, ``workflow``.
"""
