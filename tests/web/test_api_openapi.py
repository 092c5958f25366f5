"""/api/v1/openapi.json against the application that serves it: a valid OpenAPI 3.1
document, listing exactly the routes Flask has under /api/v1 with their methods,
each operation named and with its refusals, the bodies closed to unknown fields, and
served to anyone, the same every time.

The OpenAPI meta-schema check is schemathesis' own (``BaseSchema.validate``, the
3.1 schema of the OpenAPI Initiative): openapi-spec-validator is not installed, and
no package is added for it. The models' schemas are checked as JSON Schema 2020-12
(the dialect of OpenAPI 3.1) with jsonschema-rs, which schemathesis brings.
"""

from __future__ import annotations

import re
import uuid

import jsonschema_rs
import pytest
import schemathesis
from schemathesis.core.result import Ok

from tests.api import *  # noqa: F403
from tests.webapp import *  # noqa: F403

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # Flask answers them for every rule itself
ERROR_REF = "#/components/schemas/ErrorBody"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def document(app) -> dict:
    response = app.test_client().get(PREFIX + "/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def resolve(document: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def flask_routes(app) -> dict[tuple[str, str], dict[str, str]]:
    """(METHOD, OpenAPI path) → {parameter: converter} for every rule under /api/v1."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = _CONVERTER.sub(lambda m: "{" + m[2] + "}", rule.rule[len(PREFIX):])
        converters = {m[2]: m[1] or "default" for m in _CONVERTER.finditer(rule.rule)}
        for method in rule.methods - IGNORED_METHODS:
            found[(method, path)] = converters
    return found


def test_the_document_is_valid_openapi_3_1(app, document):
    assert document["openapi"].startswith("3.1.")
    loaded = schemathesis.openapi.from_wsgi(PREFIX + "/openapi.json", app)
    loaded.validate()  # the OpenAPI 3.1 meta-schema: raises on the first violation
    results = list(loaded.get_all_operations())
    assert results and all(isinstance(result, Ok) for result in results), [
        result for result in results if not isinstance(result, Ok)]
    loaded_ops = {(result.ok().method.upper(), result.ok().path) for result in results}
    # All but the document itself, which schemathesis leaves out of what it tests.
    assert loaded_ops | {("GET", "/openapi.json")} == {
        (method, path) for method, path, _ in operations(document)}


def test_every_model_schema_is_json_schema_2020_12(document):
    for name, schema in document["components"]["schemas"].items():
        dialect = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        assert jsonschema_rs.meta.is_valid(dialect), name


def test_every_route_is_in_the_document_and_every_operation_is_routed(app, document):
    routes = flask_routes(app)
    documented = {(method, path) for method, path, _ in operations(document)}
    assert documented == set(routes)


def test_path_parameters_are_typed_as_the_routes_read_them(app, document):
    routes = flask_routes(app)
    expected = {"uuid": {"type": "string", "format": "uuid"},
                "int": {"type": "integer", "minimum": 0}}
    for method, path, op in operations(document):
        declared = {p["name"]: p["schema"] for p in op.get("parameters", [])
                    if p["in"] == "path"}
        converters = routes[(method, path)]
        assert set(declared) == set(converters), (method, path)
        for name, converter in converters.items():
            assert declared[name] == expected[converter], (method, path, name)
            assert next(p for p in op["parameters"] if p["name"] == name)["required"]


def test_every_operation_has_a_unique_id(document):
    ids = [op.get("operationId") for _, _, op in operations(document)]
    assert all(ids), ids
    assert len(ids) == len(set(ids))


def test_every_operation_lists_its_refusals_with_the_error_body(document):
    for method, path, op in operations(document):
        where = f"{method} {path}"
        statuses = {int(status) for status in op["responses"]}
        public = op.get("security") == []
        # What any request may meet: bad input, the limit, the database away.
        assert {400, 429, 503} <= statuses, where
        assert (401 in statuses) != public, where
        if "{" in path:
            assert 404 in statuses, where  # an id or a position that is not there
        if method == "POST":
            assert 403 in statuses, where  # commands obey the permission rules
        if path.startswith("/tasks/{task_id}/") and method == "POST":
            assert 409 in statuses, where  # the state, or a stale expected_version
        successes = [s for s in statuses if s < 300]
        assert len(successes) == 1, where
        for status in statuses - set(successes):
            content = op["responses"][str(status)]["content"]
            assert content["application/json"]["schema"] == {"$ref": ERROR_REF}, where


def test_only_the_document_itself_is_public(document):
    assert document["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"] == {
        **document["components"]["securitySchemes"]["bearer"], "type": "http",
        "scheme": "bearer"}
    public = [(method, path) for method, path, op in operations(document)
              if op.get("security") == []]
    assert public == [("GET", "/openapi.json")]


def test_the_document_is_served_without_a_token_and_the_same_every_time(app):
    client = app.test_client()
    first = client.get(PREFIX + "/openapi.json")
    second = client.get(PREFIX + "/openapi.json", headers={"Accept-Language": "en"})
    assert first.status_code == second.status_code == 200
    assert first.mimetype == "application/json"
    assert first.data == second.data


def test_every_request_body_forbids_unknown_fields(document):
    bodies = [(method, path, op["requestBody"]) for method, path, op in operations(document)
              if "requestBody" in op]
    assert bodies  # assigning and the actions at least
    for method, path, body in bodies:
        schema = resolve(document, body["content"]["application/json"]["schema"])
        assert schema["type"] == "object", (method, path)
        assert schema["additionalProperties"] is False, (method, path)


def test_the_server_refuses_the_unknown_fields_the_document_forbids(api, document):
    """The document's additionalProperties: false is what the handlers do: a body
    with every required field, as text, and one more is refused for that one."""
    for method, path, op in operations(document):
        if "requestBody" not in op:
            continue
        schema = resolve(document, op["requestBody"]["content"]["application/json"]["schema"])
        body = {name: "x" for name in schema.get("required", [])}
        url = re.sub(r"\{\w+\}", str(uuid.uuid4()), path)
        response = api.post(url, "lanhdao", json={**body, "không_có": 1})
        assert response.status_code == 400, (method, path, response.json)
        assert response.json["error"]["code"] == "unknown_field", (method, path)
        assert response.json["error"]["field"] == "không_có"


def test_a_body_is_required_exactly_when_it_has_required_fields(api):
    paths = api.get("/openapi.json", who=None).json["paths"]
    assert paths["/tasks"]["post"]["requestBody"]["required"] is True
    assert paths["/tasks/{task_id}/cancel"]["post"]["requestBody"]["required"] is True
    # Starting needs nothing: a POST without a body is a start.
    assert paths["/tasks/{task_id}/start"]["post"]["requestBody"]["required"] is False
