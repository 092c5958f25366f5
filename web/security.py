"""Response headers every page carries, and the sign-in gate in front of every view."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

from web.extensions import login_manager

# No inline script or style anywhere: htmx is configured by a <meta> tag and the CSRF
# token travels in hx-headers, so the policy can stay strict.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

PUBLIC_ENDPOINTS = {"static", "auth.login", "i18n.set_language"}
# Requests htmx makes on its own (polling), not on a person's click.
BACKGROUND_ENDPOINTS = {"alerts.badge"}


def init_app(app: Flask) -> None:
    app.before_request(_require_sign_in)
    app.after_request(_headers)


def _require_sign_in():
    if (request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None
            or request.blueprint == "api"):  # tokens, not sessions (web.api.auth)
        return None
    if not current_user.is_authenticated:
        if request.endpoint in BACKGROUND_ENDPOINTS:
            # A poll must not send the page to sign-in and lose what is being typed;
            # the next click the person makes will.
            return Response(status=204)
        return login_manager.unauthorized()
    return None


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    body = response.response
    if response.is_streamed and hasattr(body, "close"):
        # flask-compress replaces a file's body with a compressed stream (and a 304
        # drops it); keep a hold on the file so it is closed with the response.
        response.call_on_close(body.close)
    if request.endpoint != "static":
        # Pages show one person's view of the tasks: never cached by shared proxies.
        headers.setdefault("Cache-Control", "private, no-cache")
        # A fragment and a full page share a URL; caches must keep them apart.
        headers.add("Vary", "HX-Request")
    return response
