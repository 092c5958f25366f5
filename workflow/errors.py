"""Domain errors: a stable code, and a message in Vietnamese and English.

Interfaces show ``error.message(locale)``; scripts and tests rely on ``error.code``.
"""

from __future__ import annotations

from typing import Any

from workflow.words import NP_, Msg

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
    "password_invalid": (
        "Mật khẩu tối đa {maximum} ký tự và không được chứa ký tự điều khiển.",
        "The password may have at most {maximum} characters and no control characters.",
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
        "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100.",
        "The percentage must be a whole number from 0 to 100.",
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
    "text_control_character": (
        "{field_vi} chứa ký tự điều khiển không được phép (chỉ nhận chữ, xuống dòng và tab).",
        "The {field_en} contains a control character (only text, line breaks and tabs).",
    ),
    "invalid_identifier": (
        "{field_vi} chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - (tối đa 40 ký tự).",
        "The {field_en} may hold only letters a-z, digits and . _ - (at most 40).",
    ),
    "invalid_date": (
        "{field_vi} không phải là một ngày hợp lệ.",
        "The {field_en} is not a valid date.",
    ),
    "date_out_of_range": (
        "Ngày {date} nằm ngoài khoảng cho phép ({earliest} – {latest}); hãy kiểm tra năm.",
        "The date {date} is outside {earliest} – {latest}; check the year.",
    ),
    "deadline_too_far": (
        "Hạn {deadline} quá xa: tối đa {years} năm, tức là đến {latest}; hãy kiểm tra năm.",
        "The deadline {deadline} is too far ahead: at most {years} years, until {latest}.",
    ),
    "invalid_cursor": (
        "Vị trí trang không hợp lệ (phải là số nguyên không âm).",
        "The page position is not valid (a whole number, not negative).",
    ),
    "record_damaged": (
        "Bản ghi bị hỏng: {what_vi}, tại vị trí {position} trong bảng sự kiện. Các phần khác"
        " vẫn dùng được; hãy báo cho quản trị viên.",
        "Record damaged: {what_en}, at position {position} in the events table. The rest"
        " still works; please tell the administrator.",
    ),
    "record_damaged_unlocated": (
        "Bản ghi bị hỏng: {what_vi} (không xác định được vị trí trong bảng sự kiện). Các"
        " phần khác vẫn dùng được; hãy báo cho quản trị viên.",
        "Record damaged: {what_en} (its position in the events table could not be found)."
        " The rest still works; please tell the administrator.",
    ),
    "evidence_invalid": (
        "Minh chứng không hợp lệ: cần là một tệp (tên, kiểu, dung lượng, SHA-256) "
        "hoặc một đường dẫn.",
        "Evidence must be a file (name, type, size, SHA-256) or a link.",
    ),
    "evidence_too_many": (
        "Một báo cáo có tối đa {limit} minh chứng (tệp và đường dẫn).",
        "A report takes at most {limit} pieces of evidence (files and links).",
    ),
    "evidence_name_invalid": (
        "Tên tệp minh chứng không hợp lệ: không được để trống, không chứa ký tự điều "
        "khiển hay dấu / \\.",
        "The evidence file name is not valid: not empty, no control characters, "
        "no / or \\.",
    ),
    "evidence_name_too_long": (
        "Tên tệp minh chứng quá dài (tối đa {limit} ký tự).",
        "The evidence file name is too long (at most {limit} characters).",
    ),
    "evidence_media_type_invalid": (
        "Kiểu tệp minh chứng không hợp lệ.",
        "The evidence file's media type is not valid.",
    ),
    "evidence_digest_invalid": (
        "Mã SHA-256 của tệp minh chứng phải gồm 64 chữ số thập lục phân.",
        "The evidence file's SHA-256 must be 64 hexadecimal digits.",
    ),
    "evidence_empty": (
        "Tệp “{name}” rỗng.",
        "The file '{name}' is empty.",
    ),
    "evidence_too_large": (
        "Tệp “{name}” quá lớn (tối đa {mb} MB).",
        "The file '{name}' is too large (at most {mb} MB).",
    ),
    "evidence_link_invalid": (
        "Đường dẫn minh chứng phải bắt đầu bằng http:// hoặc https://, có tên máy chủ "
        "và không chứa khoảng trắng.",
        "An evidence link must start with http:// or https://, name a host and "
        "hold no spaces.",
    ),
    "evidence_link_too_long": (
        "Đường dẫn minh chứng quá dài (tối đa {limit} ký tự).",
        "The evidence link is too long (at most {limit} characters).",
    ),
    "concurrent_change": (
        "Nhiệm vụ vừa được người khác cập nhật; hãy tải lại và thử lại.",
        "Someone else changed this task just now; reload and try again.",
    ),
}

ROLE_NAMES: dict[str, Msg] = {
    "leader": NP_("role", "Lãnh đạo UBND"),
    "unit_head": NP_("role", "Trưởng đơn vị"),
    "member": NP_("role", "Cán bộ"),
    "auditor": NP_("role", "Giám sát"),
    "admin": NP_("role", "Quản trị"),
    "system": NP_("role", "Hệ thống"),
}


def role_name(role: str | None) -> Msg:
    """The role's name to show (the code itself for a role this version lacks)."""
    return ROLE_NAMES.get(role or "", Msg(role or "?"))


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
