"""A task's history as readable sentences: who, when, what changed and why.

Built from the one task's own events (never the whole log), in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from web.i18n import dmy, number


@dataclass
class Entry:
    version: int | None  # None for a deadline alert (an event of its own aggregate)
    kind: str
    at: Any
    actor: str
    who: str
    sentence: str
    reason: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    position: int | None = None  # in the whole log; set where alerts are merged in


def build(events: list[Any], person: Callable[[str], str],
          unit: Callable[[str], str]) -> list[Entry]:
    """One entry per event, oldest first. ``person``/``unit`` turn codes into names."""
    entries = []
    for event in events:
        kind = type(event).__name__
        who = person(event.actor)
        entry = Entry(version=event.originator_version, kind=kind, at=event.timestamp,
                      actor=event.actor, who=who, sentence="")
        _describe(entry, event, unit)
        entries.append(entry)
    return entries


def _describe(entry: Entry, event: Any, unit: Callable[[str], str]) -> None:
    kind, who = entry.kind, entry.who
    if kind == "TaskAssigned":
        entry.sentence = gettext("%(who)s giao nhiệm vụ cho %(unit)s, hạn %(deadline)s.",
                                 who=who, unit=unit(event.unit), deadline=dmy(event.deadline))
        if event.target:
            entry.details.append((gettext("Chỉ tiêu"), event.target))
    elif kind == "WorkStarted":
        entry.sentence = gettext("%(who)s bắt đầu thực hiện.", who=who)
    elif kind == "ProgressNoted":
        entry.sentence = gettext("%(who)s ghi nhận tiến độ.", who=who)
        entry.details.append((gettext("Nội dung"), event.text))
        if event.percent is not None:
            entry.details.append((gettext("Tỷ lệ hoàn thành"), f"{event.percent}%"))
        if event.value is not None:
            entry.details.append((gettext("Giá trị đo được"), number(event.value)))
    elif kind == "ReportSubmitted":
        entry.sentence = gettext("%(who)s báo cáo kết quả.", who=who)
        entry.details.append((gettext("Tóm tắt"), event.summary))
        if event.value is not None:
            entry.details.append((gettext("Giá trị đo được"), number(event.value)))
        entry.evidence = list(event.evidence or [])
    elif kind == "ReportVerified":
        entry.sentence = gettext("%(who)s xác nhận hoàn thành.", who=who)
        if event.comment:
            entry.details.append((gettext("Nhận xét"), event.comment))
    elif kind == "ReportReturned":
        entry.sentence = gettext("%(who)s trả lại báo cáo để làm lại.", who=who)
        entry.reason = event.reason
    elif kind == "DeadlineExtended":
        entry.sentence = gettext("%(who)s gia hạn từ %(old)s đến %(new)s.", who=who,
                                 old=dmy(event.previous_deadline), new=dmy(event.deadline))
        entry.reason = event.reason
    elif kind == "TaskReassigned":
        entry.sentence = gettext("%(who)s giao lại từ %(old)s sang %(new)s.", who=who,
                                 old=unit(event.previous_unit), new=unit(event.unit))
        entry.reason = event.reason
    elif kind == "TaskCancelled":
        entry.sentence = gettext("%(who)s hủy nhiệm vụ.", who=who)
        entry.reason = event.reason
    else:  # an event type this page does not know yet still shows who and when
        entry.sentence = gettext("%(who)s: %(kind)s.", who=who, kind=kind)


def alert_sentence(kind: str, days_left: int, deadline: Any) -> str:
    """A deadline alert as people read it, in the feed and in the task's history."""
    day = dmy(deadline)
    if kind == "approaching" and days_left == 1:
        return gettext("Sắp đến hạn, còn 1 ngày (hạn %(deadline)s).", deadline=day)
    if kind == "approaching":
        return gettext("Sắp đến hạn, còn %(days)d ngày (hạn %(deadline)s).",
                       days=days_left, deadline=day)
    if kind == "due_today":
        return gettext("Đến hạn hôm nay (%(deadline)s).", deadline=day)
    if kind == "missed":
        return gettext("Đã quá hạn (hạn %(deadline)s).", deadline=day)
    if kind == "still_overdue":
        return gettext("Vẫn quá hạn %(days)d ngày (hạn %(deadline)s).",
                       days=-days_left, deadline=day)
    return gettext("Cảnh báo hạn: %(kind)s (hạn %(deadline)s).", kind=kind, deadline=day)


def with_alerts(entries: list[Entry], alerts: list[dict[str, Any]],
                positions: dict[int, int], person: Callable[[str], str]) -> list[Entry]:
    """The task's entries with its alerts (``task_alerts``) merged in by log position."""
    merged: list[Entry] = []
    waiting = [_alert_entry(alert, person) for alert in alerts]
    for entry in entries:
        entry.position = positions.get(entry.version or 0)
        # An entry the audit log does not know yet is newer than every alert.
        while waiting and (entry.position is None or waiting[0].position < entry.position):
            merged.append(waiting.pop(0))
        merged.append(entry)
    return merged + waiting


def _alert_entry(alert: dict[str, Any], person: Callable[[str], str]) -> Entry:
    data = alert["data"]
    entry = Entry(version=None, kind=alert["type"], at=alert["at"], actor=alert["actor"],
                  who=gettext("Hệ thống nhắc hạn"), position=alert["position"],
                  sentence=alert_sentence(data["kind"], data["days_left"], data["deadline"]))
    told = ", ".join(person(username) for username in data["recipients"])
    entry.details.append((gettext("Đã báo cho"), told or gettext("không có ai")))
    return entry
