"""Every htmx protocol detail lives here: fragment detection, HX-* headers, rendering.

A view renders its page template; an htmx request gets only the named block it
asked to refresh (jinja2-fragments), a plain request gets the whole page.
"""

from __future__ import annotations

from typing import Any

import jinja2_fragments
from flask import Response, current_app, make_response, redirect, render_template
from jinja2_fragments.flask import render_block

from web.extensions import htmx


def wants_fragment() -> bool:
    """True for htmx requests that swap part of a page (not boosted navigation)."""
    # A history restore asks for the whole page even though htmx sent it.
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page(template: str, block: str | None = None, status: int = 200,
         **context: Any) -> Response:
    """The page, or only ``block`` of it when htmx asked for a fragment."""
    if block and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


def redirect_after_post(location: str) -> Response:
    """303 for plain forms; htmx is told to navigate instead of swapping a redirect."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Location"] = location
        return response
    return redirect(location, code=303)


def redirect_to_sign_in(location: str) -> Response:
    # An expired session must not swap the sign-in page into a panel.
    if htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def push_url(response: Response, location: str) -> Response:
    """Tell htmx which address to show: the canonical one, without empty filters."""
    if htmx:
        response.headers["HX-Push-Url"] = location
    return response


def trigger(response: Response, event: str) -> Response:
    """Tell the page that ``event`` happened, for the parts that listen (``from:body``)."""
    if htmx:
        response.headers["HX-Trigger"] = event
    return response


def leave_in_place(response: Response) -> Response:
    """Tell htmx not to swap this answer in (a failed background poll)."""
    if htmx:
        response.headers["HX-Reswap"] = "none"
    return response


def error_page(template: str, block: str, code: int, **context: Any) -> Response:
    """An error page; for htmx, its block put at the top of <main>, leaving the form
    (and what was typed in it) where it was."""
    return _at_top_of_main(page(template, block, code, **context))


def bare_error_page(template: str, block: str, code: int, **context: Any) -> Response:
    """``error_page`` rendered by Jinja alone, without the app's context processors:
    they read the signed-in person, from the database this page says is away."""
    environment = current_app.jinja_env
    if wants_fragment():
        body = jinja2_fragments.render_block(environment, template, block, **context)
    else:
        body = environment.get_template(template).render(**context)
    return _at_top_of_main(make_response(body, code))


def _at_top_of_main(response: Response) -> Response:
    if wants_fragment():
        response.headers["HX-Retarget"] = "#main"
        response.headers["HX-Reswap"] = "afterbegin"
    return response
