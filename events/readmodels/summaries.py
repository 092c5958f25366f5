"""One line per event, for the audit log and a task's history, in Vietnamese or English.

The audit projection stores the Vietnamese line (the record's language); readers in
English get theirs from the event's stored data at read time (``reading.py``), so
the table keeps one summary and rebuilds never depend on a reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from workflow.errors import role_name
from workflow.words import translate

_LIMIT = 240


def _day(value: Any) -> str:
    # Dates come as ``date`` from the events and as ISO text from the stored JSON.
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value or "?")


def _role(role: str | None, en: bool) -> str:
    return translate(role_name(role), "en" if en else "vi")


def _with(text: str, extra: Any, sep: str = ": ") -> str:
    return f"{text}{sep}{extra}" if extra else text


def _percent(d: dict[str, Any]) -> str:
    return f" ({d['percent']}%)" if d.get("percent") is not None else ""


def _value(d: dict[str, Any], word: str) -> str:
    return f" ({word} {d['value']}%)" if d.get("value") is not None else ""


def _in_unit(d: dict[str, Any], sep: str) -> str:
    return f"{sep}{d['unit']}" if d.get("unit") else ""


Line = Callable[[dict[str, Any]], str]

_VI: dict[str, Line] = {
    "TaskAssigned": lambda d: (f"Giao nhiệm vụ “{d['title']}” cho {d['unit']}, "
                               f"hạn {_day(d['deadline'])}"),
    "WorkStarted": lambda d: "Bắt đầu thực hiện",
    "ProgressNoted": lambda d: (_with("Ghi nhận tiến độ", d.get("text")) + _percent(d)
                                + _value(d, "giá trị")),
    "ReportSubmitted": lambda d: (_with("Báo cáo kết quả", d.get("summary"))
                                  + _value(d, "giá trị")),
    "ReportVerified": lambda d: _with("Xác nhận hoàn thành", d.get("comment")),
    "ReportReturned": lambda d: _with("Trả lại để làm tiếp", d.get("reason")),
    "DeadlineExtended": lambda d: _with(
        f"Gia hạn từ {_day(d.get('previous_deadline'))} đến {_day(d['deadline'])}",
        d.get("reason")),
    "TaskReassigned": lambda d: _with(
        f"Giao lại từ {d.get('previous_unit', '?')} sang {d['unit']}", d.get("reason")),
    "TaskCancelled": lambda d: _with("Hủy nhiệm vụ", d.get("reason")),
    "UnitCreated": lambda d: f"Tạo đơn vị {d['code']} – {d['name']}",
    "UnitRenamed": lambda d: _with(f"Đổi tên đơn vị thành “{d['name']}”", d.get("reason")),
    "UnitDeactivated": lambda d: _with("Ngừng hoạt động đơn vị", d.get("reason")),
    "UserRegistered": lambda d: (f"Tạo tài khoản {d['username']} ({_role(d.get('role'), False)}"
                                 + _in_unit(d, ", ") + ")"),
    "RoleGranted": lambda d: _with(
        f"Cấp vai trò {_role(d.get('role'), False)}" + _in_unit(d, " tại "), d.get("reason")),
    "UserDeactivated": lambda d: _with("Vô hiệu hóa tài khoản", d.get("reason")),
    "UserReactivated": lambda d: _with("Kích hoạt lại tài khoản", d.get("reason")),
    "PasswordChanged": lambda d: "Đổi mật khẩu",
    "PlanAdopted": lambda d: f"Ban hành kế hoạch {d['code']}",
    "PlanRevised": lambda d: _with(f"Điều chỉnh kế hoạch {d['content'].get('code', '')}",
                                   d.get("reason")),
}

_EN: dict[str, Line] = {
    "TaskAssigned": lambda d: (f"Assigned “{d['title']}” to {d['unit']}, "
                               f"due {_day(d['deadline'])}"),
    "WorkStarted": lambda d: "Started the work",
    "ProgressNoted": lambda d: (_with("Noted progress", d.get("text")) + _percent(d)
                                + _value(d, "value")),
    "ReportSubmitted": lambda d: (_with("Reported the results", d.get("summary"))
                                  + _value(d, "value")),
    "ReportVerified": lambda d: _with("Verified as done", d.get("comment")),
    "ReportReturned": lambda d: _with("Returned for more work", d.get("reason")),
    "DeadlineExtended": lambda d: _with(
        f"Extended the deadline from {_day(d.get('previous_deadline'))} to "
        f"{_day(d['deadline'])}", d.get("reason")),
    "TaskReassigned": lambda d: _with(
        f"Reassigned from {d.get('previous_unit', '?')} to {d['unit']}", d.get("reason")),
    "TaskCancelled": lambda d: _with("Cancelled the task", d.get("reason")),
    "UnitCreated": lambda d: f"Created the unit {d['code']} – {d['name']}",
    "UnitRenamed": lambda d: _with(f"Renamed the unit “{d['name']}”", d.get("reason")),
    "UnitDeactivated": lambda d: _with("Deactivated the unit", d.get("reason")),
    "UserRegistered": lambda d: (f"Created the account {d['username']} "
                                 f"({_role(d.get('role'), True)}" + _in_unit(d, ", ") + ")"),
    "RoleGranted": lambda d: _with(
        f"Granted the role {_role(d.get('role'), True)}" + _in_unit(d, " in "),
        d.get("reason")),
    "UserDeactivated": lambda d: _with("Deactivated the account", d.get("reason")),
    "UserReactivated": lambda d: _with("Reactivated the account", d.get("reason")),
    "PasswordChanged": lambda d: "Changed the password",
    "PlanAdopted": lambda d: f"Adopted the plan {d['code']}",
    "PlanRevised": lambda d: _with(f"Revised the plan {d['content'].get('code', '')}",
                                   d.get("reason")),
}


def summary(event_type: str, data: dict[str, Any], locale: str = "vi") -> str:
    """A short human line saying what happened, in ``locale`` (``vi`` or ``en``)."""
    line = (_EN if locale.startswith("en") else _VI).get(event_type)
    text = line(data) if line else event_type
    return text if len(text) <= _LIMIT else text[:_LIMIT - 1] + "…"
