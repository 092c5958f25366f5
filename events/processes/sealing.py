"""Keeping the seal witnessed: checkpoints recorded, verifications run and recorded.

``checkpoint`` records the seal's root as it stands (``CheckpointRecorded``) unless
the latest checkpoint already covers every sealed event; ``verify_and_record`` runs
``events.queries.seal.verify`` and records what it found (``LogVerified``), so a
damaged log is shown to admins and auditors without anyone asking. The scheduler
calls both (``scheduler.py``); so do ``nhiemvu audit …`` and the composition root
(a checkpoint every ``NHIEMVU_SEAL_EVERY`` events).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import get_topic

from events.processes.mail import MailConfig, deliver, sender_domain
from events.processes.sweep import now_of
from events.queries import seal as seal_queries
from events.queries.seal import Checkpoint
from workflow.clock import LOCAL_TZ
from workflow.seal import Checkpoint as CheckpointRecord
from workflow.seal import Verification, damage_name
from workflow.sentences import day
from workflow.words import DEFAULT, translate

if TYPE_CHECKING:
    from events.system import System

log = logging.getLogger("nhiemvu.seal")


def checkpoint(store: System, reason: str) -> Checkpoint | None:
    """Record a checkpoint of the whole sealed log if it grew since the latest one
    (other than by the seal's own records); return the latest checkpoint (None while
    the log is empty)."""
    store.projections.catch_up("seal")
    latest = seal_queries.latest_checkpoint(store)
    if not _grew(store, latest, seal_queries.seal_size(store)):
        return latest
    size, root = seal_queries.current_root(store)
    # False when another process recorded this very size meanwhile: same root.
    store.service.record_checkpoint(size, root, reason)
    return seal_queries.latest_checkpoint(store)


def verify_and_record(store: System) -> dict[str, Any]:
    """Verify the log against its seal and record the result; return it."""
    result = seal_queries.verify(store)
    store.service.record_verification(result)
    if result["intact"]:
        log.info("log verified: %d events sealed, intact", result["size"])
    else:
        log.error("log damaged: %s at position %s (%d differences)", result["kind"],
                  result["position"], result["problems"])
    return result


# The seal's own records: recording one must not make the next checkpoint due, or
# the log would grow by itself every hour.
OWN_TOPICS = frozenset({get_topic(CheckpointRecord.CheckpointRecorded),
                        get_topic(Verification.LogVerified)})
_PAGE = 500


def _grew(store: System, latest: Checkpoint | None, size: int) -> bool:
    """Whether the seal (``size`` events) holds an event other than the seal's own
    records (checkpoints, verifications) beyond the ``latest`` checkpoint's size."""
    if latest is None:
        return size > 0
    recorder, start, after = store.service.recorder, latest.position + 1, 0
    while page := recorder.select_notifications(start, _PAGE):
        if any(notification.topic not in OWN_TOPICS for notification in page):
            return True
        after, start = after + len(page), page[-1].id + 1
    # Events recorded while the latest checkpoint was being taken sit before it,
    # beyond its size: one leaf each, like every event.
    return size - after - 1 > latest.size


def _moment(at: datetime) -> str:
    return f"{at.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"


def _damage(found: dict[str, Any], locale: str) -> str:
    if found["damaged_position"] is None:
        return translate("Nhật ký bị thay đổi", locale)
    return translate("Nhật ký bị thay đổi tại vị trí %(n)s", locale, n=found["damaged_position"])


def _witness_lines(latest: Checkpoint, found: dict[str, Any] | None, locale: str) -> list[str]:
    lines = [translate("Kính gửi các đồng chí phụ trách kiểm tra, giám sát,", locale), ""]
    if found is not None and not found["intact"]:
        kind = damage_name(found["kind"])
        lines += [translate("CẢNH BÁO: %(damage)s (%(kind)s), phát hiện khi kiểm tra lúc "
                            "%(at)s.", locale, damage=_damage(found, locale), kind=kind,
                            at=_moment(found["at"])),
                  translate("Đề nghị báo ngay cho quản trị hệ thống và giữ lại thư này.",
                            locale), ""]
    lines += [translate("Dấu niêm phong mới nhất của nhật ký nhiệm vụ:", locale),
              translate("- số sự kiện đã niêm phong: %(size)s", locale, size=latest.size),
              translate("- gốc (SHA-256): %(root)s", locale, root=latest.root),
              translate("- lúc: %(at)s (giờ Việt Nam)", locale, at=_moment(latest.at))]
    if found is None:
        lines += ["", translate("Chưa có lần kiểm tra nhật ký nào được ghi nhận.", locale)]
    elif found["intact"]:
        lines += ["", translate("Lần kiểm tra gần nhất (%(at)s): nhật ký nguyên vẹn, "
                                "%(size)s sự kiện đã niêm phong.", locale,
                                at=_moment(found["at"]), size=found["size"])]
    lines += ["", translate("Hãy lưu thư này ngoài hệ thống. Để kiểm tra sau này rằng nhật "
                            "ký chỉ được ghi thêm, không bị sửa, chạy:", locale),
              f"    nhiemvu audit consistency {latest.size} {latest.root}", "",
              translate("Thư này được gửi tự động, vui lòng không trả lời.", locale)]
    return lines


def compose_witness(latest: Checkpoint, found: dict[str, Any] | None, config: MailConfig,
                    to: Sequence[str], at: datetime) -> EmailMessage:
    """The morning mail to auditors, an outside witness of the seal: the latest
    checkpoint and the last verification (``found``; damage first, in the subject
    too), in Vietnamese with the same text in English below."""
    message = EmailMessage()
    subject = translate("Dấu niêm phong nhật ký nhiệm vụ: %(size)s sự kiện, %(day)s",
                        DEFAULT, size=latest.size, day=day(at.astimezone(LOCAL_TZ).date()))
    if found is not None and not found["intact"]:
        subject = translate("CẢNH BÁO: %(damage)s. %(subject)s", DEFAULT,
                            damage=_damage(found, DEFAULT), subject=subject)
    message["Subject"] = subject
    message["From"] = config.sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(f"seal-{latest.size}", sender_domain(config))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join([*_witness_lines(latest, found, DEFAULT), "",
                                   "— English —", "",
                                   *_witness_lines(latest, found, "en"), ""]))
    return message


def mail_witness(store: System, config: MailConfig, to: Sequence[str], *,
                 at: datetime | None = None) -> EmailMessage | None:
    """Mail the latest checkpoint and the last verification's result to ``to``;
    return the message sent, or None while there is no checkpoint to witness."""
    latest = seal_queries.latest_checkpoint(store)
    if latest is None:
        return None
    message = compose_witness(latest, seal_queries.latest_verification(store), config, to,
                              at or now_of(store))
    deliver(message, config)
    return message
