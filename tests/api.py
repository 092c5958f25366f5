"""Fixtures for the JSON API's tests: the web test app, seeded, with a token for each
person of ``tests.commune.WEB_PEOPLE``, and a client that sends them.

Imported with ``from tests.api import *`` beside ``from tests.webapp import *``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.commune import WEB_PEOPLE
from web import storage

__all__ = ["Api", "api", "tokens"]


@pytest.fixture
def tokens(app, seeded) -> dict[str, str]:
    """username → a token of theirs (made by the console, as ``nhiemvu token create``)."""
    with app.app_context():
        return {name: storage.service().create_token(name, "tests") for name in WEB_PEOPLE}


class Api:
    """``api.get("/tasks", "lanhdao")``: a request as that person's token, under
    /api/v1; ``who=None`` sends no token. Extra keywords go to the test client."""

    def __init__(self, client: FlaskClient, tokens: dict[str, str]):
        self.client, self.tokens = client, tokens

    def _headers(self, who: str | None, lang: str | None, headers: dict[str, str] | None
                 ) -> dict[str, str]:
        found = dict(headers or {})
        if who is not None:
            found["Authorization"] = f"Bearer {self.tokens.get(who, who)}"
        if lang is not None:
            found["Accept-Language"] = lang
        return found

    def get(self, path: str, who: str | None = "lanhdao", *, lang: str | None = None,
            headers: dict[str, str] | None = None, **kwargs: Any):
        return self.client.get("/api/v1" + path, headers=self._headers(who, lang, headers),
                               **kwargs)

    def post(self, path: str, who: str | None = "lanhdao", json: Any = None, *,
             lang: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any):
        if json is not None:
            kwargs["json"] = json
        return self.client.post("/api/v1" + path, headers=self._headers(who, lang, headers),
                                **kwargs)


@pytest.fixture
def api(app, tokens) -> Api:
    return Api(app.test_client(), tokens)
