"""Error pages: every refusal is a clear page (or fragment), never a traceback."""

from __future__ import annotations

from flask import Flask, make_response, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web import api, hx, storage
from web.i18n import error_text
from web.security import BACKGROUND_ENDPOINTS
from workflow.errors import DomainError

# Codes that mean "you may not", as opposed to "not now" or "not like this".
FORBIDDEN_CODES = {"permission_denied", "other_unit", "user_inactive"}
NOT_FOUND_CODES = {"unknown_task", "unknown_unit", "unknown_user", "unknown_plan",
                   "unknown_target", "ambiguous_task"}
# A parameter of the URL that cannot be read (a crafted link, a mangled bookmark).
BAD_REQUEST_CODES = {"invalid_cursor", "invalid_date", "date_out_of_range", "instant_in_future",
                     "text_control_character"}
# Stored data damaged behind the app's back: the page says which record, where.
DAMAGED_CODES = {"record_damaged", "record_damaged_unlocated"}
# Seconds a client is asked to wait when the database cannot be reached.
RETRY_AFTER = 10


def status_for(error: DomainError) -> int:
    if error.code in FORBIDDEN_CODES:
        return 403
    if error.code in NOT_FOUND_CODES:
        return 404
    if error.code in BAD_REQUEST_CODES:
        return 400
    if error.code in DAMAGED_CODES:
        # Not a 500: nothing failed unexpectedly. The app met a history that breaks
        # the log's own rules, said which and where, and logged it; the stored state
        # of this resource conflicts with what it must be.
        return 409
    return 422


def form_status(error: DomainError) -> int:
    """A refusal answering a form: 403 when the person may not, else 422 (fix the input)."""
    return 403 if error.code in FORBIDDEN_CODES else 422


def _messages() -> dict[int, str]:
    return {
        400: gettext("Yêu cầu không hợp lệ."),
        401: gettext("Cần đăng nhập."),
        403: gettext("Bạn không có quyền thực hiện thao tác này."),
        404: gettext("Không tìm thấy trang."),
        405: gettext("Phương thức không được hỗ trợ."),
        413: gettext("Tệp gửi lên quá lớn."),
        429: gettext("Quá nhiều lần thử; hãy đợi một phút rồi thử lại."),
        500: gettext("Lỗi máy chủ; hãy thử lại sau."),
    }


def render_error(status: int, message: str | None = None):
    text = message or _messages().get(status, gettext("Đã có lỗi."))
    return hx.error_page("error.html", "error", status, error_code=status, message=text)


def render_unavailable():
    """503: the database cannot be reached now. The page reads nothing from it."""
    if request.endpoint in BACKGROUND_ENDPOINTS:
        # A poll leaves the page alone; the person's next click shows the notice.
        response = hx.leave_in_place(make_response("", 503))
    else:
        retry = request.full_path.rstrip("?") if request.method == "GET" else None
        response = hx.bare_error_page("unavailable.html", "unavailable", 503,
                                      retry_url=retry)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # the API is exempt: never its request
        return render_error(400, gettext("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp"
                                         " lệ; hãy tải lại trang và thử lại."))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if (found := api.error_response(error)) is not None:
            return found
        if error.code in DAMAGED_CODES:
            app.logger.error("damaged record: %s", error.message("en"),
                             exc_info=error.__cause__)
        return render_error(status_for(error), error_text(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if (found := api.error_response(error)) is not None:
            return found
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if (found := api.error_response(error)) is not None:
            return found
        if storage.is_unavailable(error):
            # One line, no traceback: the operator needs to know, not to debug.
            lines = str(error).strip().splitlines()
            app.logger.warning("database unavailable: %s: %s", type(error).__name__,
                               lines[0][:200] if lines else "")
            return api.failure(503) if api.is_api_request() else render_unavailable()
        if app.testing:  # tests see the traceback instead of a polite page
            raise error
        app.logger.exception("unexpected error")
        return api.failure(500) if api.is_api_request() else render_error(500)
