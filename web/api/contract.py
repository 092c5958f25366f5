"""Each API operation declared once: its path, the models its query and body are
validated with, and the model of what it answers. ``operation`` registers the Flask
route and the same declaration feeds the OpenAPI document (``web.api.openapi``), so
the contract cannot drift from what the handlers accept and return.

Handlers receive the validated models and return plain data (or a model); what they
return is passed through the response model before it is sent, so every answer
conforms to the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated, Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from web.api import auth, problems

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Errors every operation may answer (a token is needed unless it is public).
COMMON_ERRORS = (400, 429, 503)


class Body(BaseModel):
    """A request body: JSON types as they are (no "12" for 12), unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _whole(value: Any) -> Any:
    # JSON Schema's integer is any whole number: 3.0 is one, as the document promises.
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, BeforeValidator(_whole)]


class Query(BaseModel):
    """URL parameters: text, read into numbers and flags; unknown parameters refused."""

    model_config = ConfigDict(extra="forbid")


class NoQuery(Query):
    """An operation that takes no parameters: any it is sent is refused."""


class Answer(BaseModel):
    """What an operation answers, read from the query results' dicts."""

    model_config = ConfigDict(from_attributes=True)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as OpenAPI writes it: /tasks/{task_id}
    name: str
    summary: str
    tag: str
    query: type[Query] | None
    body: type[Body] | None
    response: type[BaseModel] | None  # None: the handler answers a Response itself
    status: int
    errors: tuple[int, ...]
    public: bool
    path_types: dict[str, str] = field(default_factory=dict)  # name → "uuid" or "int"
    description: str = ""


OPERATIONS: list[Operation] = []
_PARAM = re.compile(r"\{(\w+)\}")
_CONVERTERS = {"uuid": "uuid", "int": "int", "str": "string"}


def operation(method: str, path: str, *, summary: str, tag: str,
              query: type[Query] | None = None, body: type[Body] | None = None,
              response: type[BaseModel] | None = None, status: int = 200,
              errors: tuple[int, ...] = (), public: bool = False,
              path_types: dict[str, str] | None = None,
              description: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and route one operation; the view is called with the path's values,
    ``actor`` (unless public), ``query`` and ``body`` when declared."""
    types = {name: (path_types or {}).get(name, "uuid") for name in _PARAM.findall(path)}

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        refusals = {*COMMON_ERRORS, *errors, *(() if public else (401,))}
        op = Operation(method, path, view.__name__, summary, tag, query, body, response,
                       status, tuple(sorted(refusals)), public, types,
                       description or (view.__doc__ or "").strip())
        OPERATIONS.append(op)
        rule = _PARAM.sub(lambda m: f"<{_CONVERTERS[types[m[1]]]}:{m[1]}>", path)

        @wraps(view)
        def handle(**values: Any) -> Response:
            if not public:
                values["actor"] = auth.required_actor()
            try:
                if query is not None:
                    values["query"] = query.model_validate(_args())
                else:
                    NoQuery.model_validate(_args())
                if body is not None:
                    values["body"] = body.model_validate(_json())
            except ValidationError as error:
                return problems.invalid(error)
            return _answer(op, view(**values))

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handle, methods=[method])
        return view

    return register


def _args() -> dict[str, str]:
    args = request.args
    repeated = next((key for key in args if len(args.getlist(key)) > 1), None)
    if repeated:
        raise problems.ApiError(400, "invalid_field", field=repeated)
    return args.to_dict()


def _json() -> Any:
    if not request.get_data(cache=True):
        return {}  # an action that needs nothing may be sent without a body
    if not request.is_json:
        raise problems.ApiError(400, "invalid_json")
    try:
        found = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no body a person means
        found = None
    if not isinstance(found, dict) or not _encodable(found):
        raise problems.ApiError(400, "invalid_json")
    return found


def _encodable(value: Any) -> bool:
    """False when a string holds a lone surrogate (JSON's "\\ud800"): no text can be
    stored or compared with one, and no person typed it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    return True


def _answer(op: Operation, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    model = op.response
    assert model is not None, f"{op.name} declares no response model"
    checked = result if isinstance(result, model) else model.model_validate(result)
    response = jsonify(checked.model_dump(mode="json"))
    response.status_code = op.status
    return response

