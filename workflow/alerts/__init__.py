"""Deadline alerts: the rules, the events that record them, the service commands.

E-mail goes through an outbox: a ``Digest`` per person records what must be sent
and every attempt to send it. See docs/alerts.md.
"""

from workflow.alerts.aggregates import (
    MAX_ATTEMPTS,
    SCHEDULER,
    AlertInbox,
    DeadlineAlert,
    Digest,
    alert_id,
    digest_id,
    retry_delay,
)
from workflow.alerts.commands import AlertCommands
from workflow.alerts.rules import (
    APPROACHING,
    AWAITING_VERIFICATION,
    DUE_TODAY,
    ESCALATED_KINDS,
    MISSED,
    STILL_OVERDUE,
    AlertPolicy,
    Threshold,
    awaiting_on,
    due_thresholds,
    next_alert_on,
    recipients,
    thresholds,
    verifiers,
)

__all__ = [
    "APPROACHING", "AWAITING_VERIFICATION", "DUE_TODAY", "ESCALATED_KINDS", "MAX_ATTEMPTS",
    "MISSED", "SCHEDULER", "STILL_OVERDUE", "AlertCommands", "AlertInbox", "AlertPolicy",
    "DeadlineAlert", "Digest", "Threshold", "alert_id", "awaiting_on", "digest_id",
    "due_thresholds", "next_alert_on", "recipients", "retry_delay", "thresholds", "verifiers",
]
