"""Domain errors: a stable code, and a message in Vietnamese and English.

Interfaces show ``error.message(locale)``; scripts and tests rely on ``error.code``.
"""

from __future__ import annotations

from typing import Any

# code -> (Vietnamese, English); {placeholders} are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "transition_not_allowed": (
        "Không thể {action_vi} khi nhiệm vụ đang ở trạng thái “{state_vi}”.",
        "Cannot {action_en} a task that is {state_en}.",
    ),
    "permission_denied": (
        "Vai trò “{role_vi}” không được phép {action_vi}.",
        "The role '{role_en}' may not {action_en}.",
    ),
    "other_unit": (
        "Bạn chỉ được thao tác trên nhiệm vụ của đơn vị mình ({unit}).",
        "You may only act on your own unit's tasks ({unit}).",
    ),
    "reporter_cannot_verify": (
        "Người đã báo cáo kết quả không được tự xác nhận hoàn thành.",
        "The person who reported a task may not verify it.",
    ),
    "user_inactive": (
        "Tài khoản “{username}” đã bị vô hiệu hóa.",
        "The account '{username}' is deactivated.",
    ),
    "unknown_user": (
        "Không tìm thấy người dùng “{username}”.",
        "No user named '{username}'.",
    ),
    "unknown_unit": (
        "Không tìm thấy đơn vị “{unit}”.",
        "No unit with code '{unit}'.",
    ),
    "unit_inactive": (
        "Đơn vị “{unit}” đã ngừng hoạt động.",
        "The unit '{unit}' is no longer active.",
    ),
    "unknown_task": (
        "Không tìm thấy nhiệm vụ “{task}”.",
        "No task '{task}'.",
    ),
    "ambiguous_task": (
        "Mã “{task}” trùng với nhiều nhiệm vụ; hãy nhập dài hơn.",
        "'{task}' matches several tasks; type more of the id.",
    ),
    "unknown_plan": (
        "Không tìm thấy kế hoạch “{plan}”.",
        "No plan '{plan}'.",
    ),
    "plan_required": (
        "Hãy chọn kế hoạch chứa chỉ tiêu “{target}”.",
        "Name the plan that holds target '{target}'.",
    ),
    "unknown_target": (
        "Kế hoạch “{plan}” không có chỉ tiêu “{target}”.",
        "The plan '{plan}' has no target '{target}'.",
    ),
    "unit_exists": (
        "Đơn vị “{unit}” đã tồn tại.",
        "The unit '{unit}' already exists.",
    ),
    "user_exists": (
        "Người dùng “{username}” đã tồn tại.",
        "The user '{username}' already exists.",
    ),
    "unit_required": (
        "Vai trò “{role_vi}” cần thuộc một đơn vị.",
        "The role '{role_en}' needs a unit.",
    ),
    "password_too_short": (
        "Mật khẩu cần ít nhất {minimum} ký tự.",
        "The password needs at least {minimum} characters.",
    ),
    "invalid_role": (
        "Vai trò “{role}” không hợp lệ.",
        "'{role}' is not a role.",
    ),
    "reason_required": (
        "Cần nêu lý do.",
        "A reason is required.",
    ),
    "text_required": (
        "Cần nhập {field_vi}.",
        "The {field_en} is required.",
    ),
    "text_too_long": (
        "{field_vi} quá dài (tối đa {limit} ký tự).",
        "The {field_en} is too long (at most {limit} characters).",
    ),
    "deadline_in_past": (
        "Hạn mới ({deadline}) không được trước hôm nay ({today}).",
        "The new deadline ({deadline}) is before today ({today}).",
    ),
    "deadline_unchanged": (
        "Hạn mới trùng với hạn hiện tại ({deadline}).",
        "The new deadline is the current one ({deadline}).",
    ),
    "deadline_not_later": (
        "Gia hạn phải lùi hạn về sau: hạn mới ({deadline}) trước hạn hiện tại ({current}).",
        "An extension must move the deadline later: {deadline} is before {current}.",
    ),
    "same_unit": (
        "Nhiệm vụ đã thuộc đơn vị “{unit}”.",
        "The task already belongs to '{unit}'.",
    ),
    "invalid_percent": (
        "Tỷ lệ hoàn thành phải từ 0 đến 100.",
        "The percentage must be between 0 and 100.",
    ),
    "invalid_value": (
        "Giá trị đo được phải là số từ 0 đến 100.",
        "The measured value must be a number from 0 to 100.",
    ),
    "value_without_target": (
        "Nhiệm vụ không gắn chỉ tiêu nên không nhận giá trị đo được.",
        "The task has no target, so it takes no measured value.",
    ),
    "invalid_plan": (
        "Tệp kế hoạch không hợp lệ: {detail}",
        "The plan file is not valid: {detail}",
    ),
    "concurrent_change": (
        "Nhiệm vụ vừa được người khác cập nhật; hãy tải lại và thử lại.",
        "Someone else changed this task just now; reload and try again.",
    ),
}

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "leader": ("Lãnh đạo UBND", "leader"),
    "unit_head": ("Trưởng đơn vị", "unit head"),
    "member": ("Cán bộ", "member"),
    "auditor": ("Giám sát", "auditor"),
    "admin": ("Quản trị", "administrator"),
    "system": ("Hệ thống", "system"),
}


class DomainError(Exception):
    """A command refused by the rules. ``code`` is stable; messages are for people."""

    def __init__(self, code: str, **params: Any):
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, locale: str = "vi") -> str:
        vi, en = MESSAGES[self.code]
        template = en if locale.startswith("en") else vi
        return template.format_map(_Defaulting(self.params))


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "?"
