"""Each recorded event's name in people's words, and what it changed as "old → new".

The audit log's lists (the page, its exports, ``nhiemvu audit log``) show a type of
event by its name here ("Báo cáo kết quả"), never its code (``ReportSubmitted``), and
what the event changed on its task as one phrase per field: "Trạng thái: Đã giao →
Đang thực hiện", "Hạn: 31/03/2025 → 30/04/2025".

A change is ``(field, old, new)`` as the audit projection keeps it: state codes of
``workflow.rules``, dates in ISO, measured values as decimal text, percentages as
integers; ``old`` is None when the event gave the field its first value.

May import: the standard library and the rest of ``workflow``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from workflow.rules import state_name
from workflow.sentences import day
from workflow.words import NP_, Msg, current_locale, translate

EVENT_NAMES: dict[str, Msg] = {
    # A task's life.
    "TaskAssigned": NP_("event", "Giao nhiệm vụ"),
    "WorkStarted": NP_("event", "Bắt đầu thực hiện"),
    "ProgressNoted": NP_("event", "Ghi nhận tiến độ"),
    "ReportSubmitted": NP_("event", "Báo cáo kết quả"),
    "ReportVerified": NP_("event", "Xác nhận hoàn thành"),
    "ReportReturned": NP_("event", "Trả lại báo cáo"),
    "DeadlineExtended": NP_("event", "Gia hạn"),
    "TaskReassigned": NP_("event", "Giao lại cho đơn vị khác"),
    "TaskCancelled": NP_("event", "Hủy nhiệm vụ"),
    # Units, people and the plan.
    "UnitCreated": NP_("event", "Tạo đơn vị"),
    "UnitRenamed": NP_("event", "Đổi tên đơn vị"),
    "UnitDeactivated": NP_("event", "Ngừng hoạt động đơn vị"),
    "UserRegistered": NP_("event", "Tạo tài khoản"),
    "RoleGranted": NP_("event", "Cấp vai trò"),
    "UserDeactivated": NP_("event", "Vô hiệu hóa tài khoản"),
    "UserReactivated": NP_("event", "Kích hoạt lại tài khoản"),
    "PasswordChanged": NP_("event", "Đổi mật khẩu"),
    "ApiTokenIssued": NP_("event", "Cấp khóa truy cập API"),
    "ApiTokenRevoked": NP_("event", "Thu hồi khóa truy cập API"),
    "PlanAdopted": NP_("event", "Ban hành kế hoạch"),
    "PlanRevised": NP_("event", "Điều chỉnh kế hoạch"),
    "PeriodReportIssued": NP_("event", "Ban hành báo cáo định kỳ"),
    # The seal.
    "CheckpointRecorded": NP_("event", "Ghi điểm chốt niêm phong"),
    "LogVerified": NP_("event", "Kiểm tra nhật ký"),
    # Deadline alerts and their mail.
    "DeadlineAlertRaised": NP_("event", "Cảnh báo hạn"),
    "DigestQueued": NP_("event", "Xếp thư tổng hợp vào hàng đợi"),
    "DeliveryStarted": NP_("event", "Bắt đầu gửi thư"),
    "DigestSent": NP_("event", "Đã gửi thư tổng hợp"),
    "DigestFailed": NP_("event", "Gửi thư không thành công"),
    "AlertInboxOpened": NP_("event", "Mở hộp cảnh báo"),
    "AlertsRead": NP_("event", "Đọc cảnh báo"),
}

# The fields whose change the audit log shows, in the order it shows them.
FIELDS = ("state", "deadline", "unit", "value", "percent")
FIELD_NAMES: dict[str, Msg] = {
    "state": NP_("change", "Trạng thái"),
    "deadline": NP_("change", "Hạn"),
    "unit": NP_("change", "Đơn vị"),
    "value": NP_("change", "Giá trị đo"),
    "percent": NP_("change", "Tiến độ"),
}


def event_name(event_type: str) -> Msg:
    """The type's name to show; a type this version does not know shows its code."""
    return EVENT_NAMES.get(event_type, Msg(event_type))


def event_type_name(event_type: str, locale: str | None = None) -> str:
    """``event_name`` translated into ``locale`` (None: the current language)."""
    if locale is None:
        return translate(event_name(event_type), locale)
    return _type_name_in(event_type, locale)


# An export says the same few names and changes a million times: each is said once
# per language (the catalogue does not change while the process runs).
@lru_cache(maxsize=256)
def _type_name_in(event_type: str, locale: str) -> str:
    return translate(event_name(event_type), locale)


def number(value: Any, locale: str | None = None) -> str:
    """A measured value as people write it: "62,5" in Vietnamese, "62.5" in English."""
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)
    return text if (locale or current_locale()).startswith("en") else text.replace(".", ",")


def _said(field: str, value: Any, locale: str | None, unit: Callable[[str], str]) -> str:
    if value is None:
        return "—"
    if field == "state":
        return translate(state_name(value), locale)
    if field == "deadline":
        return day(value)
    if field == "unit":
        return unit(value)
    if field == "percent":
        return f"{value}%"
    return f"{number(value, locale)}%"  # measured values are percentages (validate)


def change_text(field: str, old: Any, new: Any, locale: str | None = None,
                unit: Callable[[str], str] = str) -> str:
    """One change: "Trạng thái: Đã giao → Đang thực hiện"; a first value has no arrow
    ("Hạn: 31/03/2025"). ``unit`` names a unit's code (default: the code itself)."""
    if locale is not None and unit is str:
        return _change_in(field, old, new, locale)
    return _change(field, old, new, locale, unit)


@lru_cache(maxsize=8192)
def _change_in(field: str, old: Any, new: Any, locale: str) -> str:
    return _change(field, old, new, locale, str)


def _change(field: str, old: Any, new: Any, locale: str | None,
            unit: Callable[[str], str]) -> str:
    label = translate(FIELD_NAMES.get(field, Msg(field)), locale)
    shown = _said(field, new, locale, unit)
    if old is None:
        return f"{label}: {shown}"
    return f"{label}: {_said(field, old, locale, unit)} → {shown}"


def changes_text(changes: Mapping[str, Any] | None, locale: str | None = None,
                 unit: Callable[[str], str] = str) -> str:
    """All of an event's changes, in ``FIELDS`` order, joined by "; " ("" for none).

    ``changes`` maps a field to ``[old, new]``, as the audit log stores them."""
    if not changes:
        return ""
    return "; ".join(change_text(f, *changes[f], locale=locale, unit=unit)
                     for f in FIELDS if f in changes)
