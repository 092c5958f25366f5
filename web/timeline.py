"""A task's history as readable sentences: who, when, what changed and why.

Built from the one task's own events (never the whole log), in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from web.i18n import number
from workflow.sentences import alert_sentence, event_sentence


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
    # The sentence is the event's own (workflow.sentences); what the person typed and
    # the evidence are shown below it.
    kind = entry.kind
    entry.sentence = event_sentence(kind, vars(event), entry.who, unit)
    entry.reason = getattr(event, "reason", "")
    if kind == "TaskAssigned" and event.target:
        entry.details.append((gettext("Chỉ tiêu"), event.target))
    elif kind == "ProgressNoted":
        entry.details.append((gettext("Nội dung"), event.text))
        if event.percent is not None:
            entry.details.append((gettext("Tỷ lệ hoàn thành"), f"{event.percent}%"))
        if event.value is not None:
            entry.details.append((gettext("Giá trị đo được"), number(event.value)))
        entry.evidence = list(event.evidence or [])
    elif kind == "ReportSubmitted":
        entry.details.append((gettext("Tóm tắt"), event.summary))
        if event.value is not None:
            entry.details.append((gettext("Giá trị đo được"), number(event.value)))
        entry.evidence = list(event.evidence or [])
    elif kind == "ReportVerified" and event.comment:
        entry.details.append((gettext("Nhận xét"), event.comment))


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
