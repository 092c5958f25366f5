"""Six API clients race on one task with the same ``expected_version``: exactly one
change is recorded, the other five are told (409 ``concurrent_change``, with the
version now). The real ``nhiemvu serve`` in its own process, on SQLite and on
PostgreSQL; six threads with their own connections, released together by a barrier."""

from __future__ import annotations

import http.client
import json
import threading
from datetime import date, timedelta

import pytest

from events.system import System
from tests.integration.test_serve import _free_port, _get, _wait_for
from tests.integration.test_serve_processes import _start, _stop
from tests.webapp import seed
from workflow.clock import local_today

CLIENTS = 6
# Who races, and with what: notes of the unit's people and extensions by the leaders,
# none of which changes the state, so the version is the only thing that can refuse.
RACERS = [
    ("canbovp", "progress", {"note": "Ghi chú của cán bộ", "percent": 30}),
    ("truongvp", "progress", {"note": "Ghi chú của trưởng đơn vị", "percent": 40}),
    ("canbovp", "progress", {"note": "Ghi chú thứ hai", "percent": 50}),
    ("truongvp", "progress", {"note": "Ghi chú thứ ba", "links": ["https://a.example.vn/1"]}),
    ("lanhdao", "extend", {"reason": "Chờ kinh phí", "days": 40}),
    ("lanhdao2", "extend", {"reason": "Chờ thiết bị", "days": 50}),
]
assert len(RACERS) == CLIENTS


def _seed(url: str) -> tuple[str, list[str], str]:
    """The commune, a VP task started (version 2), one token per racer."""
    with System(url) as store:
        service = store.service
        seed(service)
        today = local_today()
        task = service.assign_task("lanhdao", unit="VP", deadline=today + timedelta(days=30),
                                   title="Nhiệm vụ được tranh nhau cập nhật")
        service.start_task("truongvp", task)
        assert service.get_task(task).version == 2
        tokens = [service.create_token(who, f"đua {n}") for n, (who, _, _) in enumerate(RACERS)]
    return str(task), tokens, today.isoformat()


def _body(action: str, fields: dict, today: str) -> dict:
    if action == "extend":
        deadline = date.fromisoformat(today) + timedelta(days=fields["days"])
        return {"reason": fields["reason"], "deadline": deadline.isoformat(),
                "expected_version": 2}
    return {**fields, "expected_version": 2}


def _race(port: int, task: str, tokens: list[str], today: str) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, dict] | str] = [""] * CLIENTS

    def client(index: int) -> None:
        _, action, fields = RACERS[index]
        payload = json.dumps(_body(action, fields, today)).encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.connect()  # connected first, so only the request is left to race
            barrier.wait(timeout=30)
            connection.request("POST", f"/api/v1/tasks/{task}/{action}", body=payload,
                               headers={"Authorization": f"Bearer {tokens[index]}",
                                        "Content-Type": "application/json"})
            response = connection.getresponse()
            answers[index] = (response.status, json.loads(response.read()))
        except Exception as error:  # reported in the assertion, not lost in a thread
            answers[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(isinstance(answer, tuple) for answer in answers), answers
    return answers  # type: ignore[return-value]


def _history(port: int, task: str, token: str) -> list[dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", f"/api/v1/tasks/{task}/history",
                           headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        assert response.status == 200
        return json.loads(response.read())["events"]
    finally:
        connection.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_six_clients_with_one_expected_version_one_wins_five_are_told(kind, request,
                                                                      tmp_path):
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "postgres_url")
    task, tokens, today = _seed(url)
    port = _free_port()
    process, log = _start(url, tmp_path, "api-race", "--port", str(port), "--threads", "8",
                          NHIEMVU_SCHEDULER="off")
    try:
        assert _wait_for(lambda: _get(f"http://127.0.0.1:{port}/api/v1/openapi.json")) == 200
        answers = _race(port, task, tokens, today)
        events = _history(port, task, tokens[0])
    finally:
        output = _stop(process, log)
    assert "Traceback" not in output, output

    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [409] * (CLIENTS - 1), answers
    winner = next(index for index, (status, _) in enumerate(answers) if status == 200)
    assert answers[winner][1]["version"] == 3
    for status, body in answers:
        if status == 409:
            assert body == {"error": {"code": "concurrent_change", "current_version": 3,
                                      "message": body["error"]["message"]}}, body

    # Exactly one new event, the winner's, made through the API by the winner.
    who, action, _ = RACERS[winner]
    assert [e["version"] for e in events] == [1, 2, 3]
    assert [e["type"] for e in events][:2] == ["TaskAssigned", "WorkStarted"]
    assert events[2]["type"] == {"progress": "ProgressNoted",
                                 "extend": "DeadlineExtended"}[action]
    assert (events[2]["actor"], events[2]["via"]) == (who, "api")
    with System(url) as store:
        assert store.service.get_task(task).version == 3
        assert len(store.service.history(task)) == 3
