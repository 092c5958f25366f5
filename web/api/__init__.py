"""The JSON API, ``/api/v1``: the application service and the read side's queries, as
the web pages use them, for programs (a district's dashboard, a phone app, scripts).

A request acts for the person whose token it carries (``auth``), under their role
and unit, and every event it causes records ``via: "api"`` (``workflow.channel``).
Each operation is declared once (``contract.operation``) and the OpenAPI document is
made from those declarations (``openapi``). Refusals are JSON (``problems``), never a
page; nothing a client sends makes a 500.

Modules: ``tasks``, ``reads`` (summary, targets, plans, alerts), ``audit`` (the audit
log, the seal and its proofs), ``reports`` (period reports).

May import: ``web`` (``storage``, ``params``, ``i18n``, ``extensions``), ``events``,
``workflow``, Flask, pydantic. Nothing of ``web`` imports it but the app factory and
the error pages.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask, Response, current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from web import storage
from web.api import problems
from web.api.contract import bp, operation
from web.extensions import csrf, limiter
from workflow.errors import DomainError

PREFIX = bp.url_prefix or "/api/v1"


def is_api_request() -> bool:
    """Whether this request is the API's (its errors are JSON), routed or not."""
    return request.blueprint == bp.name or request.path.startswith(PREFIX + "/")


def _version() -> str:
    try:
        return version("nhiemvu")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without install
        return "0"


@operation("GET", "/openapi.json", summary="This API's OpenAPI 3.1 document", tag="meta",
           public=True)
def openapi_document() -> Response:
    from web.api.openapi import document

    return current_app.json.response(document(_version()))


def error_response(error: BaseException) -> Response | None:
    """The API's answer to ``error`` raised while serving it; None: not the API's."""
    if not is_api_request() or storage.is_unavailable(error):
        return None
    if isinstance(error, problems.ApiError):
        return problems.api_error(error)
    if isinstance(error, DomainError):
        if error.code.startswith("record_damaged"):
            current_app.logger.error("damaged record: %s", error.message("en"),
                                     exc_info=error.__cause__)
        return problems.domain_error(error)
    if isinstance(error, HTTPException):
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                413: "too_large", 429: "rate_limited"}.get(error.code or 400, "invalid_json")
        found = problems.api_error(problems.ApiError(error.code or 400, code,
                                                     method=request.method))
        if error.code == 405 and (allowed := getattr(error, "valid_methods", None)):
            found.headers["Allow"] = ", ".join(allowed)
        return found
    return None


def failure(status: int) -> Response:
    """503 (the database cannot be reached now) or 500, as JSON."""
    if status == 503:
        found = problems.api_error(problems.ApiError(503, "unavailable"))
        found.headers["Retry-After"] = "10"
        return found
    return problems.api_error(problems.ApiError(500, "internal_error"))


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def init_app(app: Flask) -> None:
    # Imported for their operations, which join ``bp`` before it is registered.
    from web.api import audit, reads, reports, tasks  # noqa: F401

    # Vietnamese as it is, not \u escapes: a person reading an answer with curl reads
    # it (the JSON is the same to any parser).
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    csrf.exempt(bp)  # a bearer token is not sent by browsers on their own: no CSRF
    # Like sign-in: wrong or missing tokens count against the address (10 a minute
    # by default); once over, the address waits whatever it sends.
    limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=get_remote_address,
                  deduct_when=_failed_sign_in)(bp)
    app.register_blueprint(bp)
