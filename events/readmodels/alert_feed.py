"""The alerts as people see them: each alert, each person's feed, and the mail outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, insert, select, update

from events.readmodels import alert_tables
from events.readmodels.projection import Logged, Projection

A, F, R, D = alert_tables.alerts, alert_tables.inbox, alert_tables.reads, alert_tables.digests


class AlertFeed(Projection):
    name = "alert_feed"
    version = 2  # v2: room for the kind "awaiting_verification"
    tables = (A, F, R, D)
    areas = frozenset({"alerts"})

    def apply(self, conn: Connection, events: list[Logged]) -> None:
        # A sweep writes hundreds of alerts at once: insert them in two statements.
        alerts: list[dict[str, Any]] = []
        feed: list[dict[str, Any]] = []
        for event in events:
            d = event.data
            if event.type == "DeadlineAlertRaised":
                alerts.append({
                    "id": event.key, "position": event.position,
                    "task_id": UUID(str(d["task_id"])).hex, "title": d["title"],
                    "unit": d["unit"], "kind": d["kind"], "days_left": d["days_left"],
                    "deadline": d["deadline"], "due_on": d["due_on"], "raised_at": event.at,
                    "escalated": bool(d["escalated"]), "recipients": ",".join(d["recipients"])})
                feed += [{"username": who, "alert_id": event.key, "position": event.position,
                          "raised_at": event.at, "digest": None} for who in d["recipients"]]
                continue
            handler = getattr(self, f"_on_{event.type}", None)
            if handler is not None:
                self._flush(conn, alerts, feed)
                alerts, feed = [], []
                handler(conn, event, d)
        self._flush(conn, alerts, feed)

    @staticmethod
    def _flush(conn: Connection, alerts: list[dict[str, Any]],
               feed: list[dict[str, Any]]) -> None:
        if alerts:
            conn.execute(insert(A), alerts)
        if feed:
            conn.execute(insert(F), feed)

    @staticmethod
    def _on_AlertsRead(conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        # Asked, not told by the update's row count: a batch's writes may be
        # pipelined, and then no count comes back (``events.sql.pipeline``).
        known = conn.execute(select(R.c.username).where(R.c.username == d["actor"])).first()
        if known is not None:
            conn.execute(update(R).where(R.c.username == d["actor"]).values(up_to=d["up_to"]))
        else:
            conn.execute(insert(R).values(username=d["actor"], up_to=d["up_to"]))

    @staticmethod
    def _on_DigestQueued(conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        conn.execute(insert(D).values(
            id=event.key, username=d["username"], email=d["email"], state="queued",
            attempts=0, alerts=len(d["alert_ids"]), queued_at=event.at, changed_at=event.at,
            next_attempt_at=event.at))
        conn.execute(update(F).where(F.c.username == d["username"],
                                     F.c.alert_id.in_(d["alert_ids"]), F.c.digest.is_(None))
                     .values(digest=event.key))

    @staticmethod
    def _on_DeliveryStarted(conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        conn.execute(update(D).where(D.c.id == event.key).values(
            state="sending", attempts=d["attempt"], changed_at=event.at))

    @staticmethod
    def _on_DigestSent(conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        conn.execute(update(D).where(D.c.id == event.key).values(
            state="sent", changed_at=event.at, sent_at=event.at, next_attempt_at=None,
            message_id=d["message_id"], error=None))

    @staticmethod
    def _on_DigestFailed(conn: Connection, event: Logged, d: dict[str, Any]) -> None:
        retry = d["retry_at"]
        conn.execute(update(D).where(D.c.id == event.key).values(
            state="failed" if retry else "abandoned", changed_at=event.at,
            next_attempt_at=retry, error=d["error"]))
