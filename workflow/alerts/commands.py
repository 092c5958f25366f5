"""The alerts' service commands, mixed into ``workflow.application.Workflow``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from workflow import clock, validate
from workflow.alerts.aggregates import (
    MAX_ATTEMPTS,
    SCHEDULER,
    AlertInbox,
    DeadlineAlert,
    Digest,
    retry_delay,
)
from workflow.base import Record
from workflow.rules import Actor


@contextmanager
def _stamped(at: datetime | None) -> Iterator[None]:
    # A sweep "as of" a moment records its events at that moment (cron --at, tests).
    if at is None:
        yield
    else:
        with clock.use_clock(lambda: at):
            yield


class AlertCommands:
    """The alerts' service commands, mixed into ``workflow.application.Workflow``."""

    def raise_alerts(self, alerts: list[dict[str, Any]],
                     at: datetime | None = None) -> list[DeadlineAlert]:
        """Record the alerts not recorded yet; return those this call recorded."""
        with self._at_clock(), _stamped(at):
            return self._save_new(DeadlineAlert, alerts)

    def queue_digests(self, digests: list[dict[str, Any]],
                      at: datetime | None = None) -> list[Digest]:
        """Put mails in the outbox (fields of ``Digest``); return those queued now.

        A digest already queued (same person, same alerts) is not queued again.
        """
        with self._at_clock(), _stamped(at):
            return self._save_new(Digest, [{**d, "alert_ids": sorted(d["alert_ids"])}
                                           for d in digests])

    def _save_new(self, kind: type[Record], items: list[dict[str, Any]],
                  batch: int = 500) -> list[Any]:
        # Saving in batches keeps a sweep of a thousand alerts to a few transactions;
        # a batch refused because one of its aggregates exists (another sweep made
        # it) is retried one by one, so every new one is kept and none is doubled.
        saved: list[Any] = []
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            made = [kind(actor=SCHEDULER, **fields) for fields in chunk]
            try:
                self.save(*made)
            except IntegrityError:
                made = []
                for fields in chunk:
                    # A refused save has used up the aggregates' pending events.
                    one = kind(actor=SCHEDULER, **fields)
                    try:
                        self.save(one)
                    except IntegrityError:
                        continue
                    made.append(one)
            saved += made
        return saved

    def start_delivery(self, digest_id: UUID, lease: timedelta,
                       at: datetime | None = None) -> Digest | None:
        """Claim a digest for sending, or None if it is not (or not yet) to be sent.

        The claim is an event saved at the digest's next version, so of two senders
        only one gets it; a claim older than ``lease`` is taken to be a crashed
        sender's and is claimed again (hence at most one duplicate per crash).
        """
        with self._at_clock(), _stamped(at):
            try:
                digest: Digest = self.repository.get(digest_id)
            except AggregateNotFoundError:
                return None
            now = clock.now()
            if digest.state in ("sent", "abandoned") or (
                    digest.state == "sending" and now - digest.modified_on < lease) or (
                    digest.state == "failed" and now < digest.retry_at):
                return None
            digest.start_delivery(attempt=digest.attempts + 1, channel="email",
                                  actor=SCHEDULER)
            try:
                self.save(digest)
            except IntegrityError:
                return None
            return digest

    def record_delivery(self, digest: Digest, message_id: str, error: str | None = None,
                        at: datetime | None = None) -> None:
        """Record how the attempt claimed by ``start_delivery`` ended."""
        with self._at_clock(), _stamped(at):
            if error is None:
                digest.sent(attempt=digest.attempts, channel="email", to=digest.email,
                            message_id=message_id, actor=SCHEDULER)
            else:
                retry_at = (clock.now() + retry_delay(digest.attempts)
                            if digest.attempts < MAX_ATTEMPTS else None)
                digest.failed(attempt=digest.attempts, error=error[:500], retry_at=retry_at,
                              actor=SCHEDULER)
            # If our claim had expired and another sender took over, its record stands.
            with suppress(IntegrityError):
                self.save(digest)

    def mark_alerts_read(self, actor: str | Actor, up_to: int | None = None) -> bool:
        """Mark the actor's alerts up to log position ``up_to`` as read.

        Pass the position of the newest alert the person was shown, so one raised
        meanwhile stays unread; None marks everything recorded until now. Returns
        False when they were read already. Two tabs marking at once both succeed:
        the loser of the race looks again and records only what is new.
        """
        with self._at_clock():
            who = self.actor(actor)  # type: ignore[attr-defined]
            head = self.recorder.max_notification_id() or 0
            # Never beyond the log's head: a later alert must still show as unread.
            position = validate.cursor(up_to)
            up_to = head if position is None else min(position, head)
            for _ in range(3):
                try:
                    inbox: AlertInbox = self.repository.get(
                        AlertInbox.create_id(who.username))
                except AggregateNotFoundError:
                    inbox = AlertInbox(username=who.username, actor=who.username)
                if up_to <= inbox.read_up_to:
                    return False
                inbox._read(up_to=up_to, actor=who.username)
                try:
                    self.save(inbox)
                except IntegrityError:
                    continue
                return True
            return False
