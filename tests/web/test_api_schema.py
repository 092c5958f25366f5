"""Schemathesis against /api/v1/openapi.json: every operation the document lists gets
requests made from its own schemas, valid and invalid, and every answer must be what
the document says (a declared status, JSON, the declared body and headers), never a
5xx, and what the document forbids must be refused.

The schema is read from the running app (``from_wsgi``), so the test covers whatever
operations exist when it runs. It acts as a leader and as a unit head, with tasks of
their units in the store so that a share of the generated ids hit real tasks.
"""

from __future__ import annotations

import sys
import tempfile
import weakref
import zlib
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api import *  # noqa: F403
from tests.webapp import *  # noqa: F403
from web import create_app, storage

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance,
          negative_data_rejection]

# Not positive_data_acceptance: the rules refuse well-formed requests (403 for another
# unit, 404 for an unknown id, 409 for an action the state does not allow), as they must.


@pytest.fixture
def app(database_url, clock, tmp_path):
    """tests.webapp's app, but failed tokens are not limited: schemathesis sends
    requests without one on purpose, and after ten the limit (tested with the
    other refusals) would turn every later answer into a 429."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": database_url, "CLOCK": clock,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "LOGIN_RATE_LIMIT": "100000 per minute"})
    yield app
    storage.close(app)


@pytest.fixture
def real_tasks(app, seeded, task_id) -> list[str]:
    """Tasks the generated requests can reach: VP's (task_id), one of YT's, one of VP's
    reported, so actions meet more than one state."""
    with app.app_context():
        other = seeded.assign_task("lanhdao", unit="YT", deadline=date(2025, 4, 30),
                                   title="Cập nhật cổng thông tin")
        reported = seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 15),
                                      title="Báo cáo chuyển đổi số quý I")
        seeded.start_task("truongvp", reported)
        seeded.submit_report("truongvp", reported, "Đã hoàn thành", None, [])
    return [str(task_id), str(other), str(reported)]


def _document_app():
    """An app of its own to read the document from when the module is collected (the
    operations are known before any test runs); the requests go to each test's app.
    Not ``schemathesis.pytest.from_fixture``: under pytest 9.2 it fails at once
    (it sets ``Node._nodeid``, which pytest no longer has)."""
    folder = tempfile.TemporaryDirectory(prefix="nhiemvu-openapi-")
    weakref.finalize(sys.modules[__name__], folder.cleanup)
    return create_app({"TESTING": True, "SECRET_KEY": "schema", "INSTANCE_PATH": folder.name,
                       "DATABASE_URL": f"sqlite:///{folder.name}/nhiemvu.sqlite3"})


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app())


# Each operation gets a fresh app and store (function-scoped fixtures), shared by its
# examples on purpose, as clients share a server: a task one request cancels is a
# task in another state for the next.
BOUNDED = settings(max_examples=30, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


# Values the store knows, for fields whose schema is free text: a valid-shaped but
# random unit code or date far away only ever meets the same 400.
KNOWN = {"unit": ["VP", "YT"], "deadline": ["2025-03-20", "2025-06-30", "2025-12-31"],
         "target": ["CT02", None], "links": [["https://dvc.gov.vn/ho-so/1"]]}


def _pick(value: object, choices: list, seen_with: object = None) -> object:
    """Three values in four become one of ``choices``, picked by the value and what
    came with it (so a run is reproducible); the fourth is kept, to be refused."""
    digest = zlib.crc32(repr((value, seen_with)).encode())
    return choices[digest % len(choices)] if digest % 4 else value


def call(case, app, tasks: list[str], token: str) -> None:
    # Only valid cases: an invalid one must keep what makes it invalid.
    if case.meta and case.meta.generation.mode is GenerationMode.POSITIVE:
        if (case.path_parameters or {}).get("task_id"):
            case.path_parameters["task_id"] = _pick(case.path_parameters["task_id"], tasks,
                                                    seen_with=case.body)
        if isinstance(case.body, dict):
            for name in KNOWN.keys() & case.body.keys():
                case.body[name] = _pick(case.body[name], KNOWN[name])
    # identity: schemathesis' in-process (WSGI) transport asks for compression, as
    # requests does, but does not undo it, and the app compresses what it may.
    headers = {"Accept-Encoding": "identity"}
    # The token, unless the case is one that leaves it out or spoils it on purpose.
    sent = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if sent is None or sent.mode is GenerationMode.POSITIVE:
        headers["Authorization"] = f"Bearer {token}"
    case.call_and_validate(app=app, checks=CHECKS, headers=headers)


@BOUNDED
@schema.parametrize()
def test_a_leader_gets_answers_the_document_allows(case, app, real_tasks, tokens):
    call(case, app, real_tasks, tokens["lanhdao"])


@BOUNDED
@schema.parametrize()
def test_a_unit_head_gets_answers_the_document_allows(case, app, real_tasks, tokens):
    call(case, app, real_tasks, tokens["truongvp"])
