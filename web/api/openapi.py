"""The OpenAPI 3.1 document, made from the operations' own declarations
(``web.api.contract.OPERATIONS``) and the JSON Schemas of the models they validate
and answer with: nothing in it is written by hand but the titles."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from web.api import contract
from web.api.schemas import ErrorBody

REF = "#/components/schemas/{model}"
_PATH_SCHEMAS = {"uuid": {"type": "string", "format": "uuid"},
                 "int": {"type": "integer", "minimum": 0},
                 "str": {"type": "string"}}
_STATUS_TEXT = {200: "OK", 201: "Created", 400: "Bad request", 401: "Unauthorized",
                403: "Forbidden", 404: "Not found", 409: "Conflict",
                429: "Too many requests", 503: "Service unavailable"}


@cache
def document(version: str) -> dict[str, Any]:
    operations = contract.OPERATIONS
    used: list[tuple[type[BaseModel], str]] = [(ErrorBody, "serialization")]
    for op in operations:
        if op.body is not None:
            used.append((op.body, "validation"))
        if op.response is not None:
            used.append((op.response, "serialization"))
    refs, schemas = models_json_schema(used, ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "nhiemvu API", "version": version,
                 "description": "Nhiệm vụ chuyển đổi số của UBND xã: the same service and "
                                "rules as the web pages. See docs/api.md."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "nhiemvu token create USERNAME"}},
        },
        "security": [{"bearer": []}],
    }


def _operation(op: contract.Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        found["description"] = op.description
    if op.public:
        found["security"] = []
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": _PATH_SCHEMAS[kind]} for name, kind in op.path_types.items()]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required,
                     "schema": {k: v for k, v in prop.items() if k not in ("title", "description")}}
            if prop.get("description"):
                param["description"] = prop["description"]
            parameters.append(param)
    if parameters:
        found["parameters"] = parameters
    if op.body is not None:
        # Required when the body has required fields; a body of optional ones alone may
        # be left out.
        needed = any(f.is_required() for f in op.body.model_fields.values())
        found["requestBody"] = {"required": needed, "content": {
            "application/json": {"schema": refs[(op.body, "validation")]}}}
    responses: dict[str, Any] = {}
    if op.response is not None:
        responses[str(op.status)] = {"description": _STATUS_TEXT.get(op.status, "OK"),
                                     "content": {"application/json": {
                                         "schema": refs[(op.response, "serialization")]}}}
    else:
        responses[str(op.status)] = {"description": _STATUS_TEXT.get(op.status, "OK"),
                                     "content": {"application/json": {"schema": {}}}}
    error = refs[(ErrorBody, "serialization")]
    for status in op.errors:
        responses[str(status)] = {"description": _STATUS_TEXT[status],
                                  "content": {"application/json": {"schema": error}}}
    found["responses"] = responses
    return found
