"""Domain errors: a stable code, and a message from the one catalogue of words.

Interfaces show ``error.message(locale)``; scripts and tests rely on ``error.code``.
The messages are Vietnamese msgids (``workflow.words``); English is their translation.
"""

from __future__ import annotations

import re
from typing import Any

from workflow.words import N_, NP_, Msg, translate, use_locale

# code -> the message (a Vietnamese msgid); %(placeholders)s are filled from the
# error's params, a param that is a word (a Msg, a lazy text) in the message's language.
MESSAGES: dict[str, Msg] = {
    "transition_not_allowed": N_(
        "Không thể %(action)s khi nhiệm vụ đang ở trạng thái “%(state)s”."),
    "permission_denied": N_("Vai trò “%(role)s” không được phép %(action)s."),
    "other_unit": N_("Bạn chỉ được thao tác trên nhiệm vụ của đơn vị mình (%(unit)s)."),
    "reporter_cannot_verify": N_("Người đã báo cáo kết quả không được tự xác nhận hoàn thành."),
    "user_inactive": N_("Tài khoản “%(username)s” đã bị vô hiệu hóa."),
    "unknown_user": N_("Không tìm thấy người dùng “%(username)s”."),
    "unknown_unit": N_("Không tìm thấy đơn vị “%(unit)s”."),
    "unit_inactive": N_("Đơn vị “%(unit)s” đã ngừng hoạt động."),
    "unknown_task": N_("Không tìm thấy nhiệm vụ “%(task)s”."),
    "ambiguous_task": N_("Mã “%(task)s” trùng với nhiều nhiệm vụ; hãy nhập dài hơn."),
    "unknown_plan": N_("Không tìm thấy kế hoạch “%(plan)s”."),
    "plan_required": N_("Hãy chọn kế hoạch chứa chỉ tiêu “%(target)s”."),
    "unknown_target": N_("Kế hoạch “%(plan)s” không có chỉ tiêu “%(target)s”."),
    "unit_exists": N_("Đơn vị “%(unit)s” đã tồn tại."),
    "unit_name_unchanged": N_("Đơn vị “%(unit)s” đã có tên “%(name)s”."),
    "user_exists": N_("Người dùng “%(username)s” đã tồn tại."),
    "unit_required": N_("Vai trò “%(role)s” cần thuộc một đơn vị."),
    "password_too_short": N_("Mật khẩu cần ít nhất %(minimum)s ký tự."),
    "password_invalid": N_(
        "Mật khẩu tối đa %(maximum)s ký tự và không được chứa ký tự điều khiển."),
    "invalid_role": N_("Vai trò “%(role)s” không hợp lệ."),
    "reason_required": N_("Cần nêu lý do."),
    "text_required": N_("Cần nhập %(field)s."),
    "text_too_long": N_("%(field)s quá dài (tối đa %(limit)s ký tự)."),
    "deadline_in_past": N_("Hạn mới (%(deadline)s) không được trước hôm nay (%(today)s)."),
    # The assign form's own field: "Hạn mới" is the extend form's (issue 13).
    "due_date_in_past": N_(
        "Hạn hoàn thành (%(deadline)s) không được trước hôm nay (%(today)s)."),
    "deadline_unchanged": N_("Hạn mới trùng với hạn hiện tại (%(deadline)s)."),
    "deadline_not_later": N_(
        "Gia hạn phải lùi hạn về sau: hạn mới (%(deadline)s) trước hạn hiện tại (%(current)s)."),
    "same_unit": N_("Nhiệm vụ đã thuộc đơn vị “%(unit)s”."),
    "invalid_percent": N_("Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100."),
    "invalid_value": N_("Giá trị đo được phải là số từ 0 đến 100."),
    "value_without_target": N_("Nhiệm vụ không gắn chỉ tiêu nên không nhận giá trị đo được."),
    "invalid_plan": N_("Tệp kế hoạch không hợp lệ: %(detail)s"),
    "text_control_character": N_(
        "%(field)s chứa ký tự điều khiển không được phép (chỉ nhận chữ, xuống dòng và tab)."),
    "invalid_identifier": N_(
        "%(field)s chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - (tối đa 40 ký tự)."),
    "invalid_date": N_("%(field)s không phải là một ngày hợp lệ."),
    "date_out_of_range": N_(
        "Ngày %(date)s nằm ngoài khoảng cho phép (%(earliest)s – %(latest)s); hãy kiểm tra năm."),
    "deadline_too_far": N_(
        "Hạn %(deadline)s quá xa: tối đa %(years)s năm, tức là đến %(latest)s; hãy kiểm tra năm."),
    "instant_in_future": N_("Thời điểm %(moment)s chưa tới: chỉ xem được số liệu đến hiện tại."),
    "invalid_cursor": N_("Vị trí trang không hợp lệ (phải là số nguyên không âm)."),
    "record_damaged": N_(
        "Bản ghi bị hỏng: %(what)s, tại vị trí %(position)s trong bảng sự kiện. Các phần khác "
        "vẫn dùng được; hãy báo cho quản trị viên."),
    "record_damaged_unlocated": N_(
        "Bản ghi bị hỏng: %(what)s (không xác định được vị trí trong bảng sự kiện). Các phần "
        "khác vẫn dùng được; hãy báo cho quản trị viên."),
    "evidence_invalid": N_(
        "Minh chứng không hợp lệ: cần là một tệp (tên, kiểu, dung lượng, SHA-256) hoặc một đường "
        "dẫn."),
    "evidence_too_many": N_("Một báo cáo có tối đa %(limit)s minh chứng (tệp và đường dẫn)."),
    "evidence_name_invalid": N_(
        "Tên tệp minh chứng không hợp lệ: không được để trống, không chứa ký tự điều khiển hay "
        "dấu / \\."),
    "evidence_name_too_long": N_("Tên tệp minh chứng quá dài (tối đa %(limit)s ký tự)."),
    "evidence_media_type_invalid": N_("Kiểu tệp minh chứng không hợp lệ."),
    "evidence_digest_invalid": N_(
        "Mã SHA-256 của tệp minh chứng phải gồm 64 chữ số thập lục phân."),
    "evidence_empty": N_("Tệp “%(name)s” rỗng."),
    "evidence_too_large": N_("Tệp “%(name)s” quá lớn (tối đa %(mb)s MB)."),
    "evidence_link_invalid": N_(
        "Đường dẫn minh chứng phải bắt đầu bằng http:// hoặc https://, có tên máy chủ và không "
        "chứa khoảng trắng."),
    "evidence_link_too_long": N_("Đường dẫn minh chứng quá dài (tối đa %(limit)s ký tự)."),
    "unknown_token": N_("Không tìm thấy khóa truy cập “%(token)s” đang dùng."),
    "ambiguous_token": N_(
        "Nhãn “%(token)s” trùng với nhiều khóa truy cập; hãy dùng mã khóa hoặc nêu người dùng."),
    "concurrent_change": N_("Nhiệm vụ vừa được người khác cập nhật; hãy tải lại và thử lại."),
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
        """The message in ``locale``; a param the raiser left out shows as "?"."""
        template = MESSAGES[self.code]
        params = dict.fromkeys(_PLACEHOLDER.findall(template), "?") | self.params
        # A lazy param (a word with placeholders of its own, ``words.lazy``) becomes
        # text as it is filled in: inside the block, in this message's language.
        with use_locale(locale):
            return _sentence(translate(template, locale, **params))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _sentence(text: str) -> str:
    # A message is a sentence: a field's name opening it ("%(field)s quá dài", the
    # name "tiêu đề") starts with a capital letter; str.capitalize would lower the rest.
    return text[:1].upper() + text[1:]


class StaleRecords(Exception):  # noqa: N818 - a condition, not a failure of the caller
    """Records a command trusted as kept in memory had changed in the store since
    (another process wrote to them): nothing was recorded, and the command is run
    again on the records as the store holds them (``Workflow._command``)."""
