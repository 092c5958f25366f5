"""Fixtures of the integration tests that send mail: a real SMTP server on a free port
of 127.0.0.1 (aiosmtpd) and the settings that reach it."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from events.processes.mail import MailConfig
from tests.smtp import Inbox, free_port


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def smtp(port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def mail_config(port):
    return MailConfig(host="127.0.0.1", port=port, timeout=5,
                      sender="Nhiệm vụ CĐS <nhiemvu@thanhhuong.gov.vn>")

