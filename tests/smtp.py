"""A real SMTP server inside the test: aiosmtpd's handler that keeps what it was sent.

The fixtures that start it (``port``, ``smtp``, ``mail_config``) are in
``tests/integration/conftest.py``; a test that needs the server to start late (a mail
server that was down) builds its own ``Controller`` with an ``Inbox``.
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy


class Inbox:
    """An aiosmtpd handler that keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def messages(self):
        """What arrived, each as (recipients, message parsed as a mail client would)."""
        return [(to, message_from_bytes(raw, policy=policy.default))
                for to, raw in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
