"""The alerts' read-model tables, on the read models' metadata (created with them)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table, Text

from events.readmodels.tables import CODE, ID, POSITION, STAMP, metadata

# One row per open task: when it is next due an alert. The sweep reads only the rows
# whose day has come (``next_alert_on <= today``), so its cost follows the tasks that
# cross a threshold, not all open tasks.
schedule = Table(
    "rm_alert_schedule", metadata,
    Column("task_id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("unit", CODE, nullable=False),
    Column("deadline", Date, nullable=False),
    # The day the deadline was set (assigned or extended): no threshold before it.
    Column("armed_on", Date, nullable=False),
    Column("next_alert_on", Date),
    # While a report waits for verification: its day and reporter (who never verifies).
    # The unit is not reminded then; the verifiers are, once (docs/alerts.md).
    Column("reported_on", Date),
    Column("reported_by", CODE),
    Index("rm_alert_schedule_next", "next_alert_on"),
)

alerts = Table(
    "rm_alert", metadata,
    Column("id", ID, primary_key=True),
    Column("position", POSITION, nullable=False),
    Column("task_id", ID, nullable=False),
    Column("title", Text, nullable=False),
    Column("unit", CODE, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("days_left", Integer, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("raised_at", STAMP, nullable=False),
    Column("escalated", Boolean, nullable=False),
    Column("recipients", Text, nullable=False),
    Index("rm_alert_task", "task_id", "position"),
)

# The feed: one row per (person, alert); ``digest`` once a mail includes it.
inbox = Table(
    "rm_alert_inbox", metadata,
    Column("username", CODE, primary_key=True),
    Column("alert_id", ID, primary_key=True),
    Column("position", POSITION, nullable=False),
    Column("raised_at", STAMP, nullable=False),
    Column("digest", ID),
    Index("rm_alert_inbox_user", "username", "position"),
    Index("rm_alert_inbox_undigested", "digest", "raised_at"),
)

reads = Table(
    "rm_alert_read", metadata,
    Column("username", CODE, primary_key=True),
    Column("up_to", POSITION, nullable=False),
)

# The outbox as the sender reads it; the Digest aggregates remain the authority.
digests = Table(
    "rm_alert_digest", metadata,
    Column("id", ID, primary_key=True),
    Column("username", CODE, nullable=False),
    Column("email", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("alerts", Integer, nullable=False),
    Column("queued_at", STAMP, nullable=False),
    Column("changed_at", STAMP, nullable=False),
    Column("next_attempt_at", STAMP),
    Column("sent_at", STAMP),
    Column("message_id", Text),
    Column("error", Text),
    Index("rm_alert_digest_due", "state", "next_attempt_at"),
    Index("rm_alert_digest_user", "username", "queued_at"),
)
