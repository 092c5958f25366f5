"""The read side's questions: every list, count and page the interfaces show.

Every function takes the composition root (``events.system.System``) first and
returns plain data (dicts, lists, dataclasses of str/int/date/datetime/Decimal);
none replays the log. They read the tables of ``events.readmodels`` and nothing else.

Modules: ``tasks`` (the board, counts, task ids), ``progress`` (targets, pillars,
units), ``organisation`` (units, users, plans), ``audit`` (the audit log, a task's
history), ``alerts`` (feeds, outbox), ``grading`` (the four government grades in
SQL), ``trend`` (tasks due and completed per month), ``reading`` (times and
values read back). The names below are the ones the interfaces use most, so
``from events import queries`` is one door.

May import: ``events.readmodels``, ``events.log`` (the stored rows and the seal's
arithmetic, for ``seal``), ``workflow``. Never ``events.system`` at run time
(only for type hints), ``cli`` or ``web``.
"""

from events.queries.audit import AuditPage, audit_log, task_history
from events.queries.organisation import default_plan_code, plans, units, users
from events.queries.progress import (
    pillar_progress,
    rank_units,
    target_progress,
    unit_progress,
    unit_ranking,
)
from events.queries.tasks import BoardPage, board, counts, due_soon, overdue, resolve_task_id
from events.queries.trend import monthly_trend, plan_year

__all__ = [
    "AuditPage", "BoardPage", "audit_log", "board", "counts", "default_plan_code",
    "due_soon", "monthly_trend", "overdue", "pillar_progress", "plan_year", "plans",
    "rank_units", "resolve_task_id", "target_progress", "task_history", "unit_progress",
    "unit_ranking", "units", "users",
]
