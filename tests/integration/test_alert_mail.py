"""E-mail digests through a real SMTP server (aiosmtpd) inside the test.

The mail that arrives is parsed as a mail client would; the outbox's recorded
events say who was told, when and how.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller

from events.processes.mail import LEASE, MailConfig, send_pending
from events.processes.sweep import sweep
from events.queries import alerts as alert_queries
from tests import commune
from tests.commune import LEADER, PASSWORD
from tests.smtp import Inbox
from workflow.clock import LOCAL_TZ
from workflow.words import use_locale

HEAD_MAIL = "truong.vp@thanhhuong.gov.vn"
MEMBER_MAIL = "an.nv@thanhhuong.gov.vn"


# The SMTP server (``smtp``, ``port``, ``mail_config``) is tests/integration/conftest.py's.
@pytest.fixture
def commune_store(store):
    service = store.service
    commune.set_up(service, users=False)
    service.add_user(LEADER, "leader", PASSWORD, display_name="Lê Lãnh Đạo",
                     email="lanh.dao@thanhhuong.gov.vn")
    service.add_user("truong.vp", "unit_head", PASSWORD, unit="VP",
                     display_name="Trần Trưởng", email=HEAD_MAIL)
    service.add_user("an.nv", "member", PASSWORD, unit="VP",
                     display_name="Nguyễn Văn Ấn", email=MEMBER_MAIL)
    service.add_user("khong.thu", "member", PASSWORD, unit="VP")  # no e-mail address
    return store


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ)


def two_tasks_due_soon(store) -> None:
    store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 2),
                              title="Số hóa dữ liệu hộ sản xuất")
    store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 4),
                              title="Thanh toán tiền điện qua ngân hàng")


def test_each_person_gets_one_vietnamese_digest_listing_their_alerts(
        commune_store, smtp, mail_config):
    two_tasks_due_soon(commune_store)
    result = sweep(commune_store, at=at(date(2025, 3, 1)))
    assert (result.raised, result.digests) == (2, 2)
    assert send_pending(commune_store, mail_config).sent == 2
    by_person = {to[0]: message for to, message in smtp.messages()}
    assert sorted(by_person) == [MEMBER_MAIL, HEAD_MAIL]
    mail = by_person[MEMBER_MAIL]
    assert mail["Subject"] == "Nhắc hạn nhiệm vụ: 2 cảnh báo ngày 01/03/2025"
    assert mail["To"].addresses[0].display_name == "Nguyễn Văn Ấn"
    assert mail["From"].addresses[0].display_name == "Nhiệm vụ CĐS"
    body = mail.get_content()
    assert "Kính gửi Nguyễn Văn Ấn" in body
    assert ("Số hóa dữ liệu hộ sản xuất (VP): Sắp đến hạn, còn 1 ngày (hạn 02/03/2025)"
            in body)
    assert "Thanh toán tiền điện qua ngân hàng (VP): Sắp đến hạn, còn 3 ngày" in body
    # The page is named by the web's own word for it (its menu entry).
    assert "đánh dấu đã đọc tại mục Cảnh báo của hệ thống Nhiệm vụ." in body
    assert body.endswith("Thư này được gửi tự động, vui lòng không trả lời.\n")
    assert mail.get_content_charset() == "utf-8"


def test_the_mail_is_vietnamese_whatever_language_the_sender_runs_in(
        commune_store, smtp, mail_config):
    # Nobody's own language is on record: an operator's --lang en must not reach them.
    two_tasks_due_soon(commune_store)
    with use_locale("en"):
        sweep(commune_store, at=at(date(2025, 3, 1)))
        send_pending(commune_store, mail_config)
    mail = {to[0]: message for to, message in smtp.messages()}[MEMBER_MAIL]
    assert mail["Subject"] == "Nhắc hạn nhiệm vụ: 2 cảnh báo ngày 01/03/2025"
    assert "Số hóa dữ liệu hộ sản xuất (VP): Sắp đến hạn, còn 1 ngày" in mail.get_content()


def test_the_delivery_is_recorded_who_when_and_by_which_channel(
        commune_store, smtp, mail_config, clock):
    two_tasks_due_soon(commune_store)
    sweep(commune_store, at=at(date(2025, 3, 1)))
    send_pending(commune_store, mail_config)
    (row,) = alert_queries.deliveries(commune_store, username="an.nv")
    assert (row["state"], row["email"], row["attempts"], row["alerts"]) == (
        "sent", MEMBER_MAIL, 1, 2)
    assert row["sent_at"] == clock()
    events = commune_store.service.history(row["id"])
    assert [type(e).__name__ for e in events] == ["DigestQueued", "DeliveryStarted",
                                                  "DigestSent"]
    assert (events[-1].to, events[-1].channel) == (MEMBER_MAIL, "email")
    assert events[-1].message_id == f"<{UUID(row['id'])}@thanhhuong.gov.vn>"
    assert events[-1].message_id in {m["Message-ID"] for _, m in smtp.messages()}


def test_alerts_found_in_the_night_wait_for_the_morning_digest(commune_store, smtp,
                                                               mail_config):
    two_tasks_due_soon(commune_store)
    night = sweep(commune_store, at=at(date(2025, 3, 1), hour=0))
    morning = sweep(commune_store, at=at(date(2025, 3, 1), hour=7))
    assert (night.raised, night.digests) == (2, 0)
    assert (morning.raised, morning.digests) == (0, 2)
    assert send_pending(commune_store, mail_config).sent == 2
    later = sweep(commune_store, at=at(date(2025, 3, 1), hour=8))
    assert later.digests == 0
    assert len(smtp.received) == 2


def test_a_mail_server_that_is_down_delays_the_mail_which_arrives_later_once(
        commune_store, port, mail_config, clock):
    commune_store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 2),
                                      title="Tập huấn kỹ năng số")
    sweep(commune_store, at=at(date(2025, 3, 1)))
    down = send_pending(commune_store, mail_config)
    assert (down.sent, down.failed) == (0, 2)
    failed = alert_queries.deliveries(commune_store, username="an.nv")[0]
    assert failed["state"] == "failed" and "ConnectionRefused" in failed["error"]
    assert failed["next_attempt_at"] == clock() + timedelta(minutes=1)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_pending(commune_store, mail_config).sent == 0  # back-off not over
        clock.advance(minutes=1)
        assert send_pending(commune_store, mail_config).sent == 2
        clock.advance(hours=1)
        assert send_pending(commune_store, mail_config).sent == 0
    finally:
        controller.stop()
    received = {to[0]: message for to, message in inbox.messages()}
    assert sorted(received) == [MEMBER_MAIL, HEAD_MAIL]
    digest_id = UUID(alert_queries.deliveries(commune_store, username="an.nv")[0]["id"])
    assert received[MEMBER_MAIL]["Message-ID"] == f"<{digest_id}@thanhhuong.gov.vn>"


def test_a_sender_that_crashed_mid_delivery_is_taken_over_after_its_lease(
        commune_store, smtp, mail_config, clock):
    commune_store.service.assign_task(LEADER, unit="VP", deadline=date(2025, 3, 2),
                                      title="Tập huấn kỹ năng số")
    sweep(commune_store, at=at(date(2025, 3, 1)))
    # A sender claims every digest, then dies before sending or recording anything.
    for row in alert_queries.deliveries(commune_store):
        assert commune_store.service.start_delivery(UUID(row["id"]), LEASE) is not None
    assert send_pending(commune_store, mail_config).sent == 0
    clock.advance(seconds=LEASE.total_seconds())
    assert send_pending(commune_store, mail_config).sent == 2
    assert send_pending(commune_store, mail_config).sent == 0
    assert {r["attempts"] for r in alert_queries.deliveries(commune_store)} == {2}
    assert len(smtp.received) == 2


def test_two_senders_at_once_send_each_digest_once(commune_store, smtp, mail_config):
    two_tasks_due_soon(commune_store)
    sweep(commune_store, at=at(date(2025, 3, 1)))
    barrier = threading.Barrier(2)
    results = []

    def sender() -> None:
        barrier.wait()
        results.append(send_pending(commune_store, mail_config))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in results) == 2
    assert sorted(to[0] for to, _ in smtp.received) == [MEMBER_MAIL, HEAD_MAIL]


def test_the_smtp_setting_is_read_from_the_environment():
    config = MailConfig.from_env({
        "NHIEMVU_SMTP_URL": "smtp://thu%40xa:b%C3%AD-m%E1%BA%ADt@mail.xa.vn:587?starttls=1",
        "NHIEMVU_MAIL_FROM": "nhiemvu@xa.vn"})
    assert config == MailConfig(host="mail.xa.vn", port=587, sender="nhiemvu@xa.vn",
                                username="thu@xa", password="bí-mật", starttls=True)
    assert MailConfig.from_env({}) is None
    with pytest.raises(ValueError, match="NHIEMVU_SMTP_URL"):
        MailConfig.from_env({"NHIEMVU_SMTP_URL": "http://mail.xa.vn"})
