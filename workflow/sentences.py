"""What each recorded event says, in people's words: the one set of sentences for the
task's timeline, the audit log, the command line's history and the alert mail.

Each event type has one predicate, its actor the subject: "giao nhiệm vụ “…” cho VP,
hạn 31/03/2025". Lists that show the actor beside it (the audit log, ``task show
--history``) say it as a line, capitalised, followed by what the person typed and the
figures: "Ghi nhận tiến độ: Đã họp thôn (40%)". The task's timeline says it as a
sentence with the actor ("Lê Lãnh Đạo bắt đầu thực hiện.") and shows the typed text
below it. A deadline alert has a line and a sentence too.

Every word is a Vietnamese msgid of ``workflow.words``; ``locale`` None is the current
language. ``data`` is an event's fields, as the event holds them or as the audit log
stores them (dates ISO, decimals as text). Dates read dd/mm/yyyy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from workflow.alerts.rules import (
    APPROACHING,
    AWAITING_VERIFICATION,
    DUE_TODAY,
    MISSED,
    STILL_OVERDUE,
)
from workflow.errors import role_name
from workflow.words import current_locale, translate

Data = Mapping[str, Any]
Names = Callable[[str], str]  # a unit's code → how it is called here
Predicate = Callable[[Data, Names, str | None], str]

# A line is one row of a list: typed text beyond this is cut.
_LIMIT = 240


def day(value: Any) -> str:
    """A date as dd/mm/yyyy, from a ``date`` or its ISO text ("?" when missing)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value or "?")


def _number(value: Any, locale: str | None) -> str:
    # Vietnamese writes 62,5 where English writes 62.5.
    text = format(Decimal(str(value)).normalize(), "f")
    return text if (locale or current_locale()).startswith("en") else text.replace(".", ",")


_PREDICATES: dict[str, Predicate] = {
    "TaskAssigned": lambda d, unit, loc: translate(
        "giao nhiệm vụ “%(title)s” cho %(unit)s, hạn %(deadline)s", loc,
        title=d["title"], unit=unit(d["unit"]), deadline=day(d["deadline"])),
    "WorkStarted": lambda d, unit, loc: translate("bắt đầu thực hiện", loc),
    "ProgressNoted": lambda d, unit, loc: translate("ghi nhận tiến độ", loc),
    "ReportSubmitted": lambda d, unit, loc: translate("báo cáo kết quả", loc),
    "ReportVerified": lambda d, unit, loc: translate("xác nhận hoàn thành", loc),
    "ReportReturned": lambda d, unit, loc: translate("trả lại báo cáo để làm lại", loc),
    "DeadlineExtended": lambda d, unit, loc: translate(
        "gia hạn từ %(old)s đến %(new)s", loc,
        old=day(d.get("previous_deadline")), new=day(d["deadline"])),
    "TaskReassigned": lambda d, unit, loc: translate(
        "giao lại từ %(old)s sang %(new)s", loc,
        old=unit(d.get("previous_unit") or "?"), new=unit(d["unit"])),
    "TaskCancelled": lambda d, unit, loc: translate("hủy nhiệm vụ", loc),
    "UnitCreated": lambda d, unit, loc: translate(
        "tạo đơn vị %(code)s – %(name)s", loc, code=d["code"], name=d["name"]),
    "UnitRenamed": lambda d, unit, loc: translate(
        "đổi tên đơn vị thành “%(name)s”", loc, name=d["name"]),
    "UnitDeactivated": lambda d, unit, loc: translate("ngừng hoạt động đơn vị", loc),
    "UserRegistered": lambda d, unit, loc: (
        translate("tạo tài khoản %(username)s (%(role)s, %(unit)s)", loc,
                  username=d["username"], role=role_name(d.get("role")), unit=unit(d["unit"]))
        if d.get("unit") else
        translate("tạo tài khoản %(username)s (%(role)s)", loc,
                  username=d["username"], role=role_name(d.get("role")))),
    "RoleGranted": lambda d, unit, loc: (
        translate("cấp vai trò %(role)s tại %(unit)s", loc,
                  role=role_name(d.get("role")), unit=unit(d["unit"]))
        if d.get("unit") else
        translate("cấp vai trò %(role)s", loc, role=role_name(d.get("role")))),
    "UserDeactivated": lambda d, unit, loc: translate("vô hiệu hóa tài khoản", loc),
    "UserReactivated": lambda d, unit, loc: translate("kích hoạt lại tài khoản", loc),
    "PasswordChanged": lambda d, unit, loc: translate("đổi mật khẩu", loc),
    "ApiTokenIssued": lambda d, unit, loc: translate(
        "cấp khóa truy cập API %(token)s", loc, token=_token_name(d)),
    "ApiTokenRevoked": lambda d, unit, loc: translate(
        "thu hồi khóa truy cập API %(token)s", loc, token=d.get("token_id", "")),
    "PlanAdopted": lambda d, unit, loc: translate(
        "ban hành kế hoạch %(code)s", loc, code=d["code"]),
    "PlanRevised": lambda d, unit, loc: translate(
        "điều chỉnh kế hoạch %(code)s", loc, code=d["content"].get("code", "")),
}

def _token_name(data: Data) -> str:
    label = data.get("label") or ""
    return f"{data.get('token_id', '')} ({label})" if label else str(data.get("token_id", ""))


# The field holding what the person typed, where it is not the reason.
_TYPED = {"ProgressNoted": "text", "ReportSubmitted": "summary", "ReportVerified": "comment"}


def event_sentence(event_type: str, data: Data, who: str, unit: Names = str,
                   locale: str | None = None) -> str:
    """The event as the task's timeline tells it: "Lê Lãnh Đạo bắt đầu thực hiện."."""
    predicate = _PREDICATES.get(event_type)
    if predicate is None:  # a type this version does not know still says who
        return translate("%(who)s: %(kind)s.", locale, who=who, kind=event_type)
    return translate("%(who)s %(what)s.", locale, who=who,
                     what=predicate(data, unit, locale))


def event_line(event_type: str, data: Data, locale: str | None = None) -> str:
    """The event beside its actor in a list, units by code:
    "Trả lại báo cáo để làm lại: Thiếu biên bản"."""
    predicate = _PREDICATES.get(event_type)
    if predicate is None:
        return event_type
    what = predicate(data, str, locale)
    text = what[:1].upper() + what[1:]
    typed = data.get(_TYPED.get(event_type, "reason"))
    if typed:
        text += f": {typed}"
    figures = _figures(data, locale)
    if figures:
        text += f" ({', '.join(figures)})"
    return text if len(text) <= _LIMIT else text[:_LIMIT - 1] + "…"


def _figures(data: Data, locale: str | None) -> list[str]:
    # A progress note's or a report's numbers: the percentage done, the measured value
    # of the target (a percentage too, validate.measured_value).
    figures = []
    if data.get("percent") is not None:
        figures.append(f"{data['percent']}%")
    if data.get("value") is not None:
        figures.append(translate("giá trị %(value)s%%", locale,
                                 value=_number(data["value"], locale)))
    return figures


def alert_line(kind: str, days_left: int, deadline: Any, locale: str | None = None) -> str:
    """A deadline alert in a list (the feed, the history, the mail):
    "Sắp đến hạn, còn 3 ngày (hạn 20/03/2025)"."""
    due = day(deadline)
    if kind == APPROACHING and days_left == 1:  # one msgid of its own for English
        return translate("Sắp đến hạn, còn 1 ngày (hạn %(day)s)", locale, day=due)
    if kind == APPROACHING:
        return translate("Sắp đến hạn, còn %(left)s ngày (hạn %(day)s)", locale,
                         left=days_left, day=due)
    if kind == DUE_TODAY:
        return translate("Đến hạn hôm nay (%(day)s)", locale, day=due)
    if kind == MISSED:
        return translate("Đã quá hạn (hạn %(day)s)", locale, day=due)
    if kind == STILL_OVERDUE:
        return translate("Vẫn quá hạn %(overdue)s ngày (hạn %(day)s)", locale,
                         overdue=-days_left, day=due)
    if kind == AWAITING_VERIFICATION and days_left == -1:
        return translate("Chờ xác nhận 1 ngày (hạn %(day)s)", locale, day=due)
    if kind == AWAITING_VERIFICATION:
        return translate("Chờ xác nhận %(waited)s ngày (hạn %(day)s)", locale,
                         waited=-days_left, day=due)
    return translate("Cảnh báo hạn: %(kind)s (hạn %(day)s)", locale, kind=kind, day=due)


def alert_sentence(kind: str, days_left: int, deadline: Any,
                   locale: str | None = None) -> str:
    """The alert as a sentence (the web's feed, the task's timeline): the line and a
    full stop, which both languages write alike."""
    return f"{alert_line(kind, days_left, deadline, locale)}."


def digest_line(title: str, unit: str, kind: str, days_left: int, deadline: Any,
                locale: str | None = None) -> str:
    """One alert in a mail: "Số hóa hồ sơ (VP): Sắp đến hạn, còn 1 ngày (hạn …)"."""
    return f"{title} ({unit}): {alert_line(kind, days_left, deadline, locale)}"
