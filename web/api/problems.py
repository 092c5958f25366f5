"""The API's refusals: ``{"error": {"code", "message"}}`` with the right status.

Rule refusals keep the service's own code and message (``DomainError``); what the
API itself refuses (a body that is not JSON, an unknown field, a missing token) has
a code of its own here. Messages are in the request's language, Vietnamese unless
``Accept-Language`` prefers English, from the one catalogue of words.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import ValidationError

from web.i18n import lang
from workflow.errors import DomainError
from workflow.words import N_, Msg, translate

# Which status a rule's refusal gets. Unlisted codes are input the rules cannot take
# (an empty reason, a date out of range, an unknown unit): 400.
FORBIDDEN = frozenset({"permission_denied", "other_unit", "user_inactive",
                       "reporter_cannot_verify"})
NOT_FOUND = frozenset({"unknown_task", "ambiguous_task"})
CONFLICT = frozenset({"transition_not_allowed", "concurrent_change", "record_damaged",
                      "record_damaged_unlocated"})

MESSAGES: dict[str, Msg] = {
    "unauthorized": N_("Cần một khóa truy cập hợp lệ: Authorization: Bearer <khóa>."),
    "invalid_json": N_("Nội dung gửi lên phải là một đối tượng JSON "
                       "(Content-Type: application/json)."),
    "missing_field": N_("Thiếu trường “%(field)s”."),
    "unknown_field": N_("Trường “%(field)s” không được nhận ở đây."),
    "field_too_long": N_("Trường “%(field)s” quá dài (tối đa %(limit)s ký tự)."),
    "invalid_field": N_("Giá trị của trường “%(field)s” không hợp lệ; xem /api/v1/openapi.json."),
    "not_found": N_("Không có địa chỉ này trong API."),
    "unknown_report": N_("Không tìm thấy báo cáo “%(report)s”."),
    "method_not_allowed": N_("Địa chỉ này không nhận phương thức %(method)s."),
    "too_large": N_("Nội dung gửi lên quá lớn."),
    "no_checkpoint": N_("Nhật ký chưa có điểm chốt nào; điểm chốt được ghi theo giờ và mỗi khi "
                        "ban hành báo cáo."),
    "not_sealed": N_("Vị trí %(position)s không có trong điểm chốt mới nhất của nhật ký niêm "
                     "phong (%(size)s sự kiện)."),
    "seal_damaged": N_("Bản ghi hoặc dấu niêm phong đã lưu không còn khớp với điểm chốt: không "
                       "có bằng chứng nào; hãy báo cho quản trị viên."),
    "invalid_root": N_("Gốc “%(root)s” không hợp lệ: cần đúng 64 chữ số thập lục phân."),
    "rate_limited": N_("Quá nhiều lần thử; hãy đợi một phút rồi thử lại."),
    "unavailable": N_("Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau."),
    "internal_error": N_("Lỗi máy chủ; hãy thử lại sau."),
}


class ApiError(Exception):
    """A refusal the API makes itself: ``status``, a code of ``MESSAGES``, params."""

    def __init__(self, status: int, code: str, **params: Any):
        super().__init__(code)
        self.status, self.code, self.params = status, code, params


def respond(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="nhiemvu"'
    return response


def api_error(error: ApiError) -> Response:
    named = {"field": error.params["field"]} if "field" in error.params else {}
    return respond(error.status, error.code,
                   translate(MESSAGES[error.code], lang(), **error.params), **named)


def status_of(error: DomainError) -> int:
    if error.code in FORBIDDEN:
        return 403
    if error.code in NOT_FOUND:
        return 404
    if error.code in CONFLICT:
        return 409
    return 400


def domain_error(error: DomainError, **extra: Any) -> Response:
    return respond(status_of(error), error.code, error.message(lang()), **extra)


def invalid(error: ValidationError) -> Response:
    """The first thing wrong with a body or a query, said for people."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "?"
    kind = first["type"]
    if kind == "missing":
        code, params = "missing_field", {"field": field}
    elif kind == "extra_forbidden":
        code, params = "unknown_field", {"field": field}
    elif kind == "string_too_long":
        code, params = "field_too_long", {"field": field,
                                          "limit": first.get("ctx", {}).get("max_length")}
    else:
        code, params = "invalid_field", {"field": field}
    return respond(400, code, translate(MESSAGES[code], lang(), **params), field=field)
