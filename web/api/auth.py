"""Bearer tokens: ``Authorization: Bearer nv1.…`` names the person the request acts
for (``workflow.tokens``). Read afresh on every request, so a revoked token or a
deactivated account stops working at once; failed attempts count against the
address like failed sign-ins (``web.api.init_app``)."""

from __future__ import annotations

from flask import request

from web import storage
from web.api import problems
from workflow.rules import Actor


def required_actor() -> Actor:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    actor = None
    if kind.lower() == "bearer" and token.strip():
        actor = storage.service().authenticate_token(token.strip())
    if actor is None:
        raise problems.ApiError(401, "unauthorized")
    return actor
