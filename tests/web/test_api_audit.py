"""/api/v1/audit and the sealed log: the audit log filtered and paged, the latest
checkpoint and verification, inclusion and consistency proofs checked with the
seal's own arithmetic (``events.log.merkle``), as an outside verifier would.

Events are made through the service with the app's clock: the VP task of
``task_id`` is assigned on 01/03/2025, started by its head that day, reported on
10/03 and verified on 12/03; a YT task is assigned on 01/03 and started by its head
on 05/03. Checkpoints are recorded as the scheduler records them
(``sealing.checkpoint``); a stored event is changed with SQL behind the app's back.
"""

from __future__ import annotations

import base64
from datetime import date

import pytest
from sqlalchemy import select

from events.log import merkle
from events.processes import sealing
from tests.api import *  # noqa: F403  (fixtures)
from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import vn
from web import storage


@pytest.fixture
def worked(app, seeded, task_id, clock):
    with app.app_context():
        svc = seeded
        other = svc.assign_task("lanhdao", unit="YT", deadline=date(2025, 4, 30),
                                title="Cập nhật cổng thông tin")
        svc.start_task("truongvp", task_id)
        clock.moment = vn(2025, 3, 5, 8, 0)
        svc.start_task("truongyt", other)
        clock.moment = vn(2025, 3, 10, 15, 0)
        svc.submit_report("truongvp", task_id, "Đã số hóa 65 % hồ sơ", value="65")
        clock.moment = vn(2025, 3, 12, 10, 0)
        svc.verify_task("lanhdao", task_id, "Đạt")
    return {"vp": task_id, "yt": other}


@pytest.fixture
def checkpoint(app):
    """Record a checkpoint of the log as it stands (as the scheduler does); it."""
    def record():
        with app.app_context():
            return sealing.checkpoint(storage.store(), "request")
    return record


def entries(api, query: str = "", who: str = "canboyt", **kwargs) -> list[dict]:
    response = api.get("/audit" + query, who, **kwargs)
    assert response.status_code == 200, response.text
    return response.get_json()["entries"]


# -- the audit log --------------------------------------------------------------

def test_the_log_is_newest_first_in_peoples_words(api, worked):
    found = entries(api, f"?task={worked['vp']}")

    assert [e["type"] for e in found] == ["ReportVerified", "ReportSubmitted", "WorkStarted",
                                          "TaskAssigned"]
    assert [e["version"] for e in found] == [4, 3, 2, 1]
    positions = [e["position"] for e in found]
    assert positions == sorted(positions, reverse=True)
    started = found[2]
    assert (started["actor"], started["actor_name"], started["unit"], started["task"],
            started["kind"]) == ("truongvp", "Người truongvp", "VP", str(worked["vp"]), "task")
    assert started["type_name"] == "Bắt đầu thực hiện"
    assert started["at"] == "2025-03-01T02:00:00Z"
    assert started["changes"] == [{"field": "state", "old": "assigned", "new": "in_progress",
                                   "text": "Trạng thái: Đã giao → Đang thực hiện"}]
    assert "Số hóa hồ sơ công việc" in found[-1]["sentence"]


def test_the_filters_combine(api, worked):
    by_actor = entries(api, "?actor=TruongVP")
    by_unit = entries(api, "?unit=yt&type=WorkStarted")
    one_day = entries(api, "?since=2025-03-10&until=2025-03-10")
    typed_days = entries(api, "?since=05/03/2025&until=11/03/2025")

    assert {e["actor"] for e in by_actor} == {"truongvp"}
    assert [e["type"] for e in by_actor] == ["ReportSubmitted", "WorkStarted"]
    assert [(e["unit"], e["task"]) for e in by_unit] == [("YT", str(worked["yt"]))]
    assert [e["type"] for e in one_day] == ["ReportSubmitted"]
    assert [e["type"] for e in typed_days] == ["ReportSubmitted", "WorkStarted"]
    assert entries(api, "?since=2025-03-13") == []


def test_the_cursor_walks_every_page_once(api, worked):
    everything = [e["position"] for e in entries(api, "?limit=200")]
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/audit?limit=4" + (f"&cursor={cursor}" if cursor else ""))
        page = response.get_json()
        seen += [e["position"] for e in page["entries"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(everything) > 8  # the seed's events too: several pages
    assert seen == everything and len(set(seen)) == len(seen)
    assert pages == -(-len(everything) // 4)


def test_the_log_speaks_english_on_request(api, worked):
    started = entries(api, f"?task={worked['vp']}&type=WorkStarted", lang="en")[0]
    assert started["type_name"] == "Work started"
    assert started["changes"][0]["text"] == "State: assigned → in progress"


@pytest.mark.parametrize("query, code, field", [
    ("?since=2025-02-30", "invalid_date", None),
    ("?until=31/13/2025", "invalid_date", None),
    ("?since=9999-01-01", "date_out_of_range", None),
    ("?cursor=abc", "invalid_cursor", None),
    ("?cursor=-1", "invalid_cursor", None),
    ("?task=not-a-task", "invalid_field", "task"),
    ("?limit=0", "invalid_field", "limit"),
    ("?actor=" + "x" * 41, "field_too_long", "actor"),
    ("?page=2", "unknown_field", "page"),
])
def test_bad_parameters_are_a_400(api, worked, query, code, field):
    response = api.get("/audit" + query)

    assert response.status_code == 400, response.text
    error = response.get_json()["error"]
    assert (error["code"], error.get("field")) == (code, field)


def test_a_bad_day_is_named_in_the_refusal(api, worked):
    error = api.get("/audit?since=2025-02-30").get_json()["error"]
    assert error["message"] == "Tham số “since” không phải là một ngày hợp lệ."


@pytest.mark.parametrize("path", ["/audit", "/audit/seal", "/audit/proof/1",
                                  "/audit/consistency?size=1&root=" + "0" * 64])
def test_without_a_token_it_is_a_401(api, worked, path):
    assert api.get(path, None).status_code == 401


# -- the seal ----------------------------------------------------------------------

def test_no_checkpoint_yet_is_a_404_with_its_code(api, worked):
    for path in ("/audit/seal", "/audit/proof/1",
                 "/audit/consistency?size=1&root=" + "0" * 64):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "no_checkpoint"


def test_the_seal_is_the_latest_checkpoint_and_verification(api, app, worked, checkpoint):
    latest = checkpoint()
    before = api.get("/audit/seal", "truongyt").get_json()
    with app.app_context():
        result = sealing.verify_and_record(storage.store())
    after = api.get("/audit/seal", "truongyt").get_json()

    assert before == {"checkpoint": latest.as_json() | {"at": "2025-03-12T03:00:00Z"},
                      "verification": None}
    assert after["checkpoint"]["size"] == latest.size and after["checkpoint"]["root"] == latest.root
    verification = after["verification"]
    assert (verification["intact"], verification["size"], verification["root"],
            verification["checked"]) == (True, result["size"], result["root"], result["checked"])
    assert verification["damaged_position"] is None and verification["kind_name"] is None


def _leaf(record: dict) -> bytes:
    """The leaf hash of a stored record as a proof carries it: hashed here again."""
    return merkle.leaf_hash(merkle.record_bytes(
        record["position"], bytes.fromhex(record["aggregate_id"]), record["version"],
        record["topic"], base64.b64decode(record["state"])))


def test_an_inclusion_proof_verifies_against_the_checkpoints_root(api, worked, checkpoint):
    latest = checkpoint()
    verified = entries(api, f"?task={worked['vp']}&type=ReportVerified")[0]

    response = api.get(f"/audit/proof/{verified['position']}", "canbovp")

    assert response.status_code == 200, response.text
    proof = response.get_json()
    assert (proof["position"], proof["tree_size"], proof["root"]) == (
        verified["position"], latest.size, latest.root)
    assert proof["record"]["aggregate_id"] == worked["vp"].hex
    assert proof["record"]["version"] == 4
    leaf = _leaf(proof["record"])
    assert leaf.hex() == proof["leaf_hash"]
    path = [bytes.fromhex(h) for h in proof["path"]]
    assert merkle.verify_inclusion(leaf, proof["leaf_index"], proof["tree_size"], path,
                                   bytes.fromhex(latest.root))
    assert not merkle.verify_inclusion(leaf, proof["leaf_index"], proof["tree_size"], path,
                                       bytes(32))


def test_a_position_outside_the_checkpoint_has_no_proof(api, app, worked, checkpoint):
    latest = checkpoint()
    with app.app_context():  # recorded after the checkpoint: not in it yet
        storage.service().start_task("truongyt", storage.service().assign_task(
            "lanhdao", unit="YT", deadline=date(2025, 4, 30), title="Một việc mới"))
    newest = entries(api, "?limit=1")[0]["position"]

    for position in (0, newest, 2**63, 10**30):
        response = api.get(f"/audit/proof/{position}")
        assert response.status_code == 404, position
        error = response.get_json()["error"]
        assert error["code"] == "not_sealed"
    assert error["message"] == (f"Vị trí {10**30} không có trong điểm chốt mới nhất của nhật "
                                f"ký niêm phong ({latest.size} sự kiện).")


def test_a_changed_record_gets_no_proof_but_a_409(api, app, worked, checkpoint):
    checkpoint()
    started = entries(api, f"?task={worked['vp']}&type=WorkStarted")[0]["position"]
    with app.app_context():
        store = storage.store()
        events = store.service.recorder.events_record_cls.__table__
        with store.engine.begin() as conn:
            state = bytes(conn.execute(select(events.c.state)
                                       .where(events.c.id == started)).scalar_one())
            conn.execute(events.update().where(events.c.id == started)
                         .values(state=state.replace(b'"truongvp"', b'"truongyt"')))

    response = api.get(f"/audit/proof/{started}")

    assert response.status_code == 409, response.text
    assert response.get_json()["error"]["code"] == "seal_damaged"


def test_the_log_is_consistent_with_an_earlier_checkpoint(api, app, worked, checkpoint):
    earlier = checkpoint()
    with app.app_context():
        storage.service().extend_deadline("lanhdao", worked["yt"], date(2025, 5, 31), "Chờ")
    later = checkpoint()
    assert later.size > earlier.size

    response = api.get(f"/audit/consistency?size={earlier.size}&root={earlier.root.upper()}")

    assert response.status_code == 200, response.text
    found = response.get_json()
    assert found["consistent"] is True
    assert found["first"] == {"size": earlier.size, "root": earlier.root}
    assert (found["second"]["size"], found["second"]["root"]) == (later.size, later.root)
    assert merkle.verify_consistency(earlier.size, later.size, bytes.fromhex(earlier.root),
                                     bytes.fromhex(later.root),
                                     [bytes.fromhex(h) for h in found["path"]])
    assert found["sentence"].startswith("Nhất quán: nhật ký hôm nay")


def test_a_wrong_root_or_size_is_said_inconsistent(api, worked, checkpoint):
    latest = checkpoint()
    forged = api.get(f"/audit/consistency?size={latest.size - 1}&root={'ab' * 32}")
    too_many = api.get(f"/audit/consistency?size={latest.size + 5}&root={latest.root}")
    in_english = api.get(f"/audit/consistency?size=3&root={'ab' * 32}", lang="en")

    assert forged.status_code == 200 and forged.get_json()["consistent"] is False
    assert forged.get_json()["sentence"].startswith(
        f"Không nhất quán: gốc đã cho không phải gốc của {latest.size - 1} sự kiện đầu tiên")
    assert too_many.get_json()["consistent"] is False
    assert too_many.get_json()["sentence"] == (
        f"Không nhất quán: nhật ký hiện chỉ có {latest.size} sự kiện đã niêm phong, ít hơn "
        f"{latest.size + 5}.")
    assert in_english.get_json()["sentence"].startswith(
        "Not consistent: the root given is not the root of the first 3 events")


@pytest.mark.parametrize("query, code, field", [
    ("?size=3&root=xyz", "invalid_root", None),
    ("?size=3&root=" + "g" * 64, "invalid_root", None),
    ("?size=3&root=" + "0" * 65, "field_too_long", "root"),
    ("?size=3", "missing_field", "root"),
    ("?size=0&root=" + "0" * 64, "invalid_field", "size"),
    ("?size=abc&root=" + "0" * 64, "invalid_field", "size"),
    ("?size=" + str(2**63) + "&root=" + "0" * 64, "invalid_field", "size"),
])
def test_a_bad_consistency_question_is_a_400(api, worked, checkpoint, query, code, field):
    checkpoint()
    response = api.get("/audit/consistency" + query)

    assert response.status_code == 400, response.text
    error = response.get_json()["error"]
    assert (error["code"], error.get("field")) == (code, field)
    if code == "invalid_root":
        assert "64 chữ số thập lục phân" in error["message"]
