"""The alerts' aggregates: each alert, each mail (the outbox), each person's reading.

An alert's id is derived from (task, kind, days left, deadline): raising the same
alert twice — two sweeps at once, or a sweep re-run after a crash — is refused by
the event store itself, so each alert is recorded exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import event

from workflow.alerts.rules import AWAITING_VERIFICATION
from workflow.base import NAMESPACE, Record, named_id

SCHEDULER = "scheduler"  # the actor of what the sweep and the mail sender record


def alert_id(task_id: UUID | str, kind: str, days_left: int, deadline: date,
             due_on: date | None = None) -> UUID:
    if kind == AWAITING_VERIFICATION and due_on is not None:
        # One reminder per report, whatever day a sweep finds it (the days waited are
        # in the alert, not its identity); a report after a return has a day of its own.
        return uuid5(NAMESPACE, f"alert:{UUID(str(task_id))}:{kind}:{deadline.isoformat()}:"
                                f"{due_on.isoformat()}")
    return uuid5(NAMESPACE, f"alert:{UUID(str(task_id))}:{kind}:{days_left}:"
                            f"{deadline.isoformat()}")


class DeadlineAlert(Record):
    """A task was told its deadline is near or gone. Raised once, never changed."""

    TOPIC = "nhiemvu.alerts.DeadlineAlert"

    class Created(Record.Created):
        TOPIC = "nhiemvu.alerts.DeadlineAlert.Created"

    @staticmethod
    def create_id(task_id: str, kind: str, days_left: int, deadline: date,
                  due_on: date | None = None) -> UUID:
        return alert_id(task_id, kind, days_left, deadline, due_on)

    @event("DeadlineAlertRaised", topic="nhiemvu.alerts.DeadlineAlertRaised")
    def __init__(self, *, task_id: str, title: str, unit: str, kind: str, deadline: date,
                 days_left: int, due_on: date, recipients: list[str], escalated: bool,
                 actor: str) -> None:
        self.task_id = task_id
        self.kind = kind
        self.deadline = deadline
        self.recipients = recipients


def digest_id(username: str, alert_ids: Iterable[str]) -> UUID:
    # The same person and the same alerts make the same digest, whoever queues it.
    content = hashlib.sha256(",".join(sorted(alert_ids)).encode()).hexdigest()
    return uuid5(NAMESPACE, f"digest:{username}:{content}")


MAX_ATTEMPTS = 10


def retry_delay(attempt: int) -> timedelta:
    """Back-off after failed attempt ``attempt``: 1, 2, 4 … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempt - 1), 360))


class Digest(Record):
    """One e-mail to one person listing alerts: queued, then attempts to send it."""

    TOPIC = "nhiemvu.alerts.Digest"

    class Created(Record.Created):
        TOPIC = "nhiemvu.alerts.Digest.Created"

    @staticmethod
    def create_id(username: str, alert_ids: list[str]) -> UUID:
        return digest_id(username, alert_ids)

    @event("DigestQueued", topic="nhiemvu.alerts.DigestQueued")
    def __init__(self, *, username: str, name: str, email: str, alert_ids: list[str],
                 lines: list[str], day: date, actor: str) -> None:
        self.username = username
        self.name = name
        self.email = email
        self.alert_ids = alert_ids
        self.lines = lines
        self.day = day
        self.state = "queued"
        self.attempts = 0

    @event("DeliveryStarted", topic="nhiemvu.alerts.DeliveryStarted")
    def start_delivery(self, attempt: int, channel: str, actor: str) -> None:
        self.state = "sending"
        self.attempts = attempt

    @event("DigestSent", topic="nhiemvu.alerts.DigestSent")
    def sent(self, attempt: int, channel: str, to: str, message_id: str, actor: str) -> None:
        self.state = "sent"

    @event("DigestFailed", topic="nhiemvu.alerts.DigestFailed")
    def failed(self, attempt: int, error: str, retry_at: datetime | None, actor: str) -> None:
        self.state = "failed" if retry_at else "abandoned"
        self.retry_at = retry_at


class AlertInbox(Record):
    """What one person has read of their alerts (their in-app feed)."""

    TOPIC = "nhiemvu.alerts.AlertInbox"

    class Created(Record.Created):
        TOPIC = "nhiemvu.alerts.AlertInbox.Created"

    @staticmethod
    def create_id(username: str) -> UUID:
        return named_id("alert-inbox", username)

    @event("AlertInboxOpened", topic="nhiemvu.alerts.AlertInboxOpened")
    def __init__(self, *, username: str, actor: str) -> None:
        self.read_up_to = 0

    @event("AlertsRead", topic="nhiemvu.alerts.AlertsRead")
    def _read(self, up_to: int, actor: str) -> None:
        self.read_up_to = up_to
