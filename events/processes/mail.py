"""Sending the mail outbox over SMTP: one digest per person, retried with back-off.

Each attempt is claimed (an event) before the mail goes out and recorded after, so
a mail server that is down only delays mail, and a crash between sending and
recording sends that one digest again, once. The Message-ID is derived from the
digest's id, so a repeated mail can be recognised as the same message.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from events.processes.sweep import now_of
from events.queries import alerts as alert_queries
from workflow.alerts import Digest
from workflow.sentences import day
from workflow.words import DEFAULT, N_, translate

if TYPE_CHECKING:
    from collections.abc import Mapping

    from events.system import System

# A claim older than this is taken to be a crashed sender's.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False  # smtps://: TLS from the first byte
    timeout: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailConfig | None:
        """``NHIEMVU_SMTP_URL`` (``smtp://[user:password@]host[:port][?starttls=1]`` or
        ``smtps://…``) and ``NHIEMVU_MAIL_FROM``; None when no URL is set (no mail)."""
        url = env.get("NHIEMVU_SMTP_URL", "").strip()
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"NHIEMVU_SMTP_URL must look like smtp://host:port, not {url!r}")
        options = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        sender = env.get("NHIEMVU_MAIL_FROM", "").strip() or f"nhiemvu@{parts.hostname}"
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25),
                   sender=sender, username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   starttls=options.get("starttls", ["0"])[0] in ("1", "true", "yes"), tls=tls)


def compose(digest: Digest, config: MailConfig) -> EmailMessage:
    """The digest as a Vietnamese UTF-8 mail; the same digest always gives the same one.

    Vietnamese because nobody's own language is on record; its lines were recorded
    in it when the digest was queued (sweep.queue_digests).
    """
    count, locale = len(digest.lines), DEFAULT
    message = EmailMessage()
    message["Subject"] = translate("Nhắc hạn nhiệm vụ: %(count)s cảnh báo ngày %(day)s",
                                   locale, count=count, day=day(digest.day))
    message["From"] = config.sender
    message["To"] = Address(display_name=digest.name, addr_spec=digest.email)
    message["Date"] = format_datetime(digest.created_on)
    message["Message-ID"] = f"<{digest.id}@{sender_domain(config)}>"
    message["Auto-Submitted"] = "auto-generated"
    listed = "\n".join(f"- {line}" for line in digest.lines)
    message.set_content("\n".join([
        translate("Kính gửi %(name)s,", locale, name=digest.name), "",
        translate("Có %(count)s cảnh báo về hạn nhiệm vụ chuyển đổi số liên quan đến anh/chị:",
                  locale, count=count), "",
        listed, "",
        # The web's menu entry, by its own word.
        translate("Xem chi tiết và đánh dấu đã đọc tại mục %(page)s của hệ thống Nhiệm vụ.",
                  locale, page=N_("Cảnh báo")),
        translate("Thư này được gửi tự động, vui lòng không trả lời.", locale), ""]))
    return message


def sender_domain(config: MailConfig) -> str:
    """The sender's domain, which every Message-ID of ours ends with."""
    return parseaddr(config.sender)[1].rpartition("@")[2] or "nhiemvu.invalid"


def deliver(message: EmailMessage, config: MailConfig) -> None:
    """Send one message over the configured SMTP server (raises what smtplib raises)."""
    if config.tls:
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port,
                                                timeout=config.timeout,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with server:
        if config.starttls:
            server.starttls(context=ssl.create_default_context())
        if config.username:
            server.login(config.username, config.password or "")
        server.send_message(message)


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int


def send_pending(store: System, config: MailConfig, *, at: datetime | None = None,
                 lease: timedelta = LEASE) -> DeliveryResult:
    """Try every digest that is due an attempt; record each outcome."""
    now = at or now_of(store)
    store.projections.catch_up()
    sent = failed = 0
    for digest_id in alert_queries.digests_to_send(store, now, now - lease):
        digest = store.service.start_delivery(UUID(digest_id), lease, at=at)
        if digest is None:
            continue  # another sender has it, or it is not due after all
        message = compose(digest, config)
        try:
            deliver(message, config)
        except (OSError, smtplib.SMTPException) as error:
            store.service.record_delivery(digest, message["Message-ID"], at=at,
                                          error=f"{type(error).__name__}: {error}")
            failed += 1
        else:
            store.service.record_delivery(digest, message["Message-ID"], at=at)
            sent += 1
    return DeliveryResult(sent, failed)
