"""One Vietnamese line per event, for the audit log and a task's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.errors import ROLE_NAMES

_LIMIT = 240


def _day(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value or "?")


def _role(role: str | None) -> str:
    return ROLE_NAMES.get(role or "", (role or "?", ""))[0]


def _with(text: str, extra: Any, sep: str = ": ") -> str:
    return f"{text}{sep}{extra}" if extra else text


def _value(d: dict[str, Any]) -> str:
    return f" (giá trị {d['value']}%)" if d.get("value") is not None else ""


_LINES = {
    "TaskAssigned": lambda d: (f"Giao nhiệm vụ “{d['title']}” cho {d['unit']}, "
                               f"hạn {_day(d['deadline'])}"),
    "WorkStarted": lambda d: "Bắt đầu thực hiện",
    "ProgressNoted": lambda d: (_with("Ghi nhận tiến độ", d.get("text"))
                                + (f" ({d['percent']}%)" if d.get("percent") is not None
                                   else "") + _value(d)),
    "ReportSubmitted": lambda d: _with("Báo cáo kết quả", d.get("summary")) + _value(d),
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
    "UserRegistered": lambda d: (f"Tạo tài khoản {d['username']} ({_role(d.get('role'))}"
                                 + (f", {d['unit']}" if d.get("unit") else "") + ")"),
    "RoleGranted": lambda d: _with(
        f"Cấp vai trò {_role(d.get('role'))}" + (f" tại {d['unit']}" if d.get("unit") else ""),
        d.get("reason")),
    "UserDeactivated": lambda d: _with("Vô hiệu hóa tài khoản", d.get("reason")),
    "UserReactivated": lambda d: _with("Kích hoạt lại tài khoản", d.get("reason")),
    "PasswordChanged": lambda d: "Đổi mật khẩu",
    "PlanAdopted": lambda d: f"Ban hành kế hoạch {d['code']}",
    "PlanRevised": lambda d: _with(f"Điều chỉnh kế hoạch {d['content'].get('code', '')}",
                                   d.get("reason")),
}


def summary(event_type: str, data: dict[str, Any]) -> str:
    """A short human line saying what happened (Vietnamese)."""
    line = _LINES.get(event_type)
    text = line(data) if line else event_type
    return text if len(text) <= _LIMIT else text[:_LIMIT - 1] + "…"
