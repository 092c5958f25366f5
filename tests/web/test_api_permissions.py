"""Who may do what, over the API: for each kind of person and each task action (and
assign), the answer is the rules' — 200/201, or 403 with the rules' code and nothing
recorded. The expectation is read from ``workflow.rules`` (TRANSITIONS, ADMIN_ACTIONS),
not copied; a few cells are also pinned by hand, so a wrong reading fails too."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api import *  # noqa: F403
from tests.commune import WEB_PEOPLE
from tests.webapp import *  # noqa: F403
from web import storage
from web.api.schemas import ACTIONS
from workflow.rules import ADMIN_ACTIONS, STATES, TRANSITIONS

UNIT = "VP"  # the unit of every task here
PEOPLE = {
    "leader": "lanhdao",
    "unit_head own unit": "truongvp",
    "unit_head other unit": "truongyt",
    "member own unit": "canbovp",
    "auditor": "giamsat",
    "admin": "quantri",
}
BODIES = {
    "start": {},
    "progress": {"note": "Đã làm được một nửa", "percent": 50},
    "report": {"summary": "Đã xong"},
    "verify": {"note": "Đạt"},
    "return": {"reason": "Thiếu minh chứng"},
    "extend": {"reason": "Chờ kinh phí", "deadline": "2025-04-30"},
    "reassign": {"reason": "Đổi đơn vị phụ trách", "unit": "YT"},
    "cancel": {"reason": "Không còn cần"},
}
assert set(BODIES) == set(ACTIONS)


def _may(username: str, action: str) -> bool:
    """Whether the rules let this person take ``action`` (an API name) on a VP task."""
    role, unit = WEB_PEOPLE[username].role, WEB_PEOPLE[username].unit
    transition = TRANSITIONS[ACTIONS[action]]
    return role in transition.roles and (not transition.own_unit_only or unit == UNIT)


def _refusal(username: str, action: str) -> str:
    roles = TRANSITIONS[ACTIONS[action]].roles
    return "permission_denied" if WEB_PEOPLE[username].role not in roles else "other_unit"


def _state_for(action: str) -> str:
    """The earliest state the action may be taken in, so the state never refuses it."""
    sources = TRANSITIONS[ACTIONS[action]].sources
    return next(state for state in STATES if state in sources)


def _task_in(app, service, state: str):
    with app.app_context():
        task = service.assign_task("lanhdao", unit=UNIT, deadline=date(2025, 3, 31),
                                   title="Nhiệm vụ phân quyền")
        if state in ("in_progress", "reported"):
            service.start_task("truongvp", task)
        if state == "reported":
            service.submit_report("truongvp", task, "Báo cáo")
        assert service.get_task(task).state == state
    return task


def test_the_rules_read_here_say_what_is_known_of_them():
    # Pinned by hand: if the reading of the table above went wrong, this says so.
    assert _may("canbovp", "start") and _may("canbovp", "progress")
    assert not _may("canbovp", "report") and _may("truongvp", "report")
    assert not _may("truongyt", "start") and _refusal("truongyt", "start") == "other_unit"
    assert _may("lanhdao", "verify") and not _may("truongvp", "verify")
    assert not _may("lanhdao", "start") and _refusal("lanhdao", "start") == "permission_denied"
    assert not any(_may(who, action) for who in ("giamsat", "quantri") for action in ACTIONS)
    assert [_state_for(a) for a in ("start", "report", "verify", "return")] == [
        "assigned", "in_progress", "reported", "reported"]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("kind", list(PEOPLE))
def test_each_person_may_take_each_action_only_as_the_rules_say(app, seeded, api, kind,
                                                                action):
    who = PEOPLE[kind]
    task = _task_in(app, seeded, _state_for(action))
    before = api.get(f"/tasks/{task}", who).get_json()
    # What the task says this person may do agrees with what the action answers.
    assert (action in before["actions"]) is _may(who, action)

    response = api.post(f"/tasks/{task}/{action}", who, BODIES[action])

    after = api.get(f"/tasks/{task}", "lanhdao").get_json()
    if _may(who, action):
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["version"] == after["version"] == before["version"] + 1
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == _refusal(who, action)
        assert after["version"] == before["version"]  # nothing recorded


@pytest.mark.parametrize("kind", list(PEOPLE))
def test_only_the_roles_the_rules_name_may_assign(api, kind):
    who = PEOPLE[kind]
    response = api.post("/tasks", who, {"title": "Nhiệm vụ mới", "unit": "YT",
                                        "deadline": "2025-04-30"})
    if WEB_PEOPLE[who].role in ADMIN_ACTIONS["assign"][0]:
        assert response.status_code == 201, response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "permission_denied"
    listed = api.get("/tasks?q=nhiem vu moi").get_json()["tasks"]
    assert len(listed) == (response.status_code == 201)


@pytest.mark.parametrize("who", list(WEB_PEOPLE))
def test_everyone_may_read_the_list_a_task_and_its_history(api, task_id, who):
    listed = api.get("/tasks", who)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.get_json()["tasks"]] == [str(task_id)]
    assert api.get(f"/tasks/{task_id}", who).status_code == 200
    history = api.get(f"/tasks/{task_id}/history", who)
    assert history.status_code == 200
    assert [e["type"] for e in history.get_json()["events"]] == ["TaskAssigned"]


def test_a_deactivated_persons_token_stops_working(app, seeded, api, task_id):
    assert api.get("/tasks", "canbovp").status_code == 200
    with app.app_context():
        storage.service().deactivate_user("canbovp", "Nghỉ việc", "quantri")
    response = api.post(f"/tasks/{task_id}/start", "canbovp")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
