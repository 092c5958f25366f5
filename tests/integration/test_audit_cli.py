"""``nhiemvu audit``: the sealed log verified, its checkpoint printed, its proofs checked.

The commune is made through commands; the damage is done with SQL on the stored
events table behind the app's back, on SQLite and PostgreSQL. The proofs are checked
by the standalone script ``docs/audit.md`` ships, taken from the document itself and
run as the auditor would run it.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, type_coerce
from sqlalchemy.types import NullType

from events.queries import seal as seal_queries
from events.readmodels import seal as seal_model
from events.readmodels.tables import positions
from events.system import System
from tests.commune import set_up, task_in_state
from tests.conftest import cli_on

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
KIND_WORDS = {"changed": "bản ghi bị sửa", "deleted": "bản ghi bị xoá",
              "inserted": "bản ghi bị chèn", "reordered": "bản ghi bị đảo thứ tự",
              "rewritten": "dấu niêm phong bị viết lại"}
FORGED = "ab" * 32


@dataclass
class Commune:
    url: str
    worked: uuid.UUID  # verified: assigned, started, reported, verified (versions 1-4)
    other: uuid.UUID   # reported


@pytest.fixture
def commune(database_url, clock):
    with System(database_url, clock=clock) as store:
        set_up(store.service)
        other = task_in_state(store.service, "reported", title="Số hoá hồ sơ một cửa")
        worked = task_in_state(store.service, "verified")
    return Commune(database_url, worked, other)


@pytest.fixture
def nhiemvu(commune, tmp_path):
    return cli_on(commune.url, tmp_path / "instance")


class StoredEvents:
    """The events table, edited with SQL as someone holding the database could."""

    def __init__(self, url: str):
        self.url = url

    @contextmanager
    def _open(self) -> Iterator[tuple[Any, Any, bool]]:
        with System(self.url) as store:
            yield (store.engine, store.service.recorder.events_record_cls.__table__,
                   store.is_postgres)

    def position(self, aggregate: uuid.UUID, version: int) -> int:
        with self._open() as (engine, table, _pg), engine.connect() as conn:
            return conn.execute(select(table.c.id).where(
                table.c.originator_id == aggregate,
                table.c.originator_version == version)).scalar_one()

    def positions(self) -> list[int]:
        with self._open() as (engine, table, _pg), engine.connect() as conn:
            return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())

    def last(self) -> int:
        with self._open() as (engine, table, _pg), engine.connect() as conn:
            return conn.execute(select(func.max(table.c.id))).scalar_one()

    def row(self, position: int) -> dict[str, Any]:
        with self._open() as (engine, table, _pg):
            with engine.connect() as conn:
                found = conn.execute(select(
                    table.c.id, type_coerce(table.c.originator_id, NullType()).label("originator"),
                    table.c.originator_version, table.c.topic, table.c.state)
                    .where(table.c.id == position)).one()
            return dict(found._mapping)

    def put(self, row: dict[str, Any], **changes: Any) -> None:
        """Insert ``row`` (as ``row()`` read it) with ``changes``; a new aggregate
        with ``aggregate=uuid``."""
        with self._open() as (engine, table, pg):
            values = {**row, **changes}
            if "aggregate" in values:
                new = values.pop("aggregate")
                values["originator"] = new if pg else new.bytes
            originator = values.pop("originator")
            with engine.begin() as conn:
                conn.execute(table.insert().values(
                    **values, originator_id=type_coerce(originator, NullType())))
                if pg:  # a row written past the sequence: the next command must follow it
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"))

    def delete(self, position: int) -> None:
        with self._open() as (engine, table, _pg), engine.begin() as conn:
            assert conn.execute(table.delete().where(table.c.id == position)).rowcount == 1

    def set_state(self, position: int, state: bytes) -> None:
        with self._open() as (engine, table, _pg), engine.begin() as conn:
            conn.execute(table.update().where(table.c.id == position).values(state=state))

    def swap(self, first: int, second: int) -> None:
        with self._open() as (engine, table, _pg), engine.begin() as conn:
            for old, new in ((first, -1), (second, first), (-1, second)):
                conn.execute(table.update().where(table.c.id == old).values(id=new))

    def sql(self, statement: str, **params: Any) -> None:
        with self._open() as (engine, _table, _pg), engine.begin() as conn:
            conn.execute(text(statement), params)


@pytest.fixture
def events(commune):
    return StoredEvents(commune.url)


def latest_verification(url: str) -> dict[str, Any] | None:
    with System(url) as store:
        return seal_queries.latest_verification(store)


def with_actor(state: bytes, actor: str) -> bytes:
    body = json.loads(state)
    body["actor"] = actor
    return json.dumps(body, separators=(",", ":")).encode()


# --- damage, each with its repair: (position named, kind, record, restore) ------------

def changed_actor(c: Commune, events: StoredEvents):
    """The verifier changed to the reporter (who may never verify)."""
    at = events.position(c.worked, 4)
    original = events.row(at)["state"]
    events.set_state(at, with_actor(original, "truong.vp"))
    return at, "changed", c.worked, lambda: events.set_state(at, original)


def deleted_middle(c: Commune, events: StoredEvents):
    at = events.position(c.worked, 2)
    row = events.row(at)
    events.delete(at)
    return at, "deleted", c.worked, lambda: events.put(row)


def deleted_last(c: Commune, events: StoredEvents):
    """The task's verification, the log's last event, gone: it looks "reported"."""
    at = events.last()
    assert at == events.position(c.worked, 4)
    row = events.row(at)
    events.delete(at)
    return at, "deleted", c.worked, lambda: events.put(row)


def inserted_in_gap(c: Commune, events: StoredEvents, nhiemvu):
    """A record put at a position the seal skipped. The gap is what a rolled-back
    write leaves on PostgreSQL; here a row is written one past the end, then sealed."""
    top = events.last()
    events.put(events.row(events.position(c.other, 1)), id=top + 2, aggregate=uuid.uuid4())
    assert nhiemvu("audit", "seal").exit_code == 0  # seals it: the seal's limit
    assert nhiemvu("audit", "verify").exit_code == 0
    events.put(events.row(events.position(c.worked, 2)), id=top + 1, originator_version=9)
    return top + 1, "inserted", c.worked, lambda: events.delete(top + 1)


def reordered(c: Commune, events: StoredEvents):
    """The start and the report of the task swap positions."""
    started, reported = events.position(c.worked, 2), events.position(c.worked, 3)
    events.swap(started, reported)
    return started, "reordered", c.worked, lambda: events.swap(started, reported)


DAMAGE = {"changed": changed_actor, "deleted in the middle": deleted_middle,
          "deleted at the end": deleted_last, "inserted": inserted_in_gap,
          "reordered": reordered}


def damage(how: str, c: Commune, events: StoredEvents, nhiemvu):
    make = DAMAGE[how]
    return make(c, events, nhiemvu) if make is inserted_in_gap else make(c, events)


def test_an_intact_log_verifies_and_the_verification_is_recorded(nhiemvu, commune):
    result = nhiemvu("audit", "verify")

    assert result.exit_code == 0, result.output
    assert "Nhật ký nguyên vẹn:" in result.stdout
    recorded = latest_verification(commune.url)
    assert recorded["intact"] and recorded["damaged_position"] is None
    assert f"{recorded['size']} sự kiện đã niêm phong" in result.stdout
    assert recorded["root"] in result.stdout

    again = json.loads(nhiemvu("audit", "verify", "--json").stdout)
    assert again["intact"] is True and again["kind"] is None and again["problems"] == 0
    assert latest_verification(commune.url)["position"] > recorded["position"]


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damage_is_named_by_position_and_kind_and_restoring_the_rows_heals_it(
        nhiemvu, commune, events, how):
    position, kind, record, restore = damage(how, commune, events, nhiemvu)

    result = nhiemvu("audit", "verify")

    assert result.exit_code == 1, result.output
    assert f"Nhật ký bị thay đổi tại vị trí {position}: {KIND_WORDS[kind]}." in result.stdout
    assert str(record) in result.stdout
    recorded = latest_verification(commune.url)
    assert (recorded["intact"], recorded["damaged_position"], recorded["kind"],
            recorded["record"]) == (False, position, kind, record.hex)
    as_json = json.loads(nhiemvu("audit", "verify", "--json").stdout)
    assert (as_json["intact"], as_json["position"], as_json["kind"]) == (False, position, kind)
    assert as_json["problems"] >= 1

    restore()
    healed = nhiemvu("audit", "verify")

    assert healed.exit_code == 0, healed.output
    assert latest_verification(commune.url)["intact"] is True


def test_task_show_warns_that_the_task_s_record_was_changed(nhiemvu, commune, events):
    position, _kind, _record, _restore = changed_actor(commune, events)
    nhiemvu("audit", "verify")

    shown = nhiemvu("task", "show", str(commune.worked))
    other = nhiemvu("task", "show", str(commune.other))
    as_json = nhiemvu("task", "show", str(commune.worked), "--json")

    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == (f"Cảnh báo: nhật ký của nhiệm vụ này bị thay đổi tại vị trí "
                        f"{position} (bản ghi bị sửa); lịch sử dưới đây có thể không đúng.")
    assert lines[1].startswith("Mã") and str(commune.worked) in lines[1]
    assert "Cảnh báo" not in other.stdout and str(commune.other) in other.stdout
    assert json.loads(as_json.stdout)["id"] == str(commune.worked)
    assert f"tại vị trí {position}" in as_json.stderr


def test_task_show_warns_before_it_says_a_deleted_event_broke_the_task(
        nhiemvu, commune, events):
    position, _kind, _record, _restore = deleted_middle(commune, events)
    nhiemvu("audit", "verify")

    shown = nhiemvu("task", "show", str(commune.worked))

    assert shown.exit_code == 1
    assert shown.stdout.startswith(
        f"Cảnh báo: nhật ký của nhiệm vụ này bị thay đổi tại vị trí {position} "
        "(bản ghi bị xoá)")
    assert "Bản ghi bị hỏng" in shown.stderr


def rewrite_the_seal(events: StoredEvents) -> None:
    """Forget the stored seal and let it seal the log again, as it is now: what
    someone who changed events and wanted ``verify`` to agree would do."""
    with events._open() as (engine, _table, _pg), engine.begin() as conn:
        for table in seal_model.TABLES:
            conn.execute(table.delete())
        conn.execute(positions.update().where(positions.c.name == seal_model.Seal.name)
                     .values(position=0))


def test_an_event_rewritten_with_its_seal_is_caught_by_the_recorded_checkpoint(
        nhiemvu, commune, events):
    assert nhiemvu("audit", "seal").exit_code == 0
    at = events.position(commune.worked, 4)
    events.set_state(at, with_actor(events.row(at)["state"], "truong.vp"))
    rewrite_the_seal(events)

    result = nhiemvu("audit", "verify", "--json")

    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert (found["intact"], found["kind"], found["problems"]) == (False, "rewritten", 0)
    assert KIND_WORDS["rewritten"] in nhiemvu("audit", "verify").stdout


def test_a_log_rewritten_with_its_seal_and_checkpoints_is_exposed_by_an_outside_copy(
        nhiemvu, commune, events, tmp_path):
    witness = json.loads(nhiemvu("audit", "seal", "--json").stdout)
    at = events.position(commune.worked, 4)
    events.set_state(at, with_actor(events.row(at)["state"], "truong.vp"))
    # Everything inside the database that remembers the old root goes too.
    events.sql("DELETE FROM nhiemvu_events WHERE topic = 'nhiemvu.seal.CheckpointRecorded'")
    rewrite_the_seal(events)

    inside = nhiemvu("audit", "verify")
    outside = nhiemvu("audit", "consistency", str(witness["size"]), witness["root"])

    assert inside.exit_code == 0  # nothing left inside to compare with
    assert outside.exit_code == 1
    assert json.loads(outside.stdout)["consistent"] is False
    proof = tmp_path / "consistency.json"
    proof.write_text(outside.stdout, encoding="utf-8")
    checked = script(tmp_path, "consistency", proof, witness["size"], witness["root"])
    assert checked.returncode == 1 and checked.stdout.startswith("FAIL")


# --- the checkpoint ------------------------------------------------------------------------

def test_seal_prints_the_latest_checkpoint_to_write_down(nhiemvu, commune):
    as_json = nhiemvu("audit", "seal", "--json")
    shown = nhiemvu("audit", "seal")

    assert as_json.exit_code == 0, as_json.output
    checkpoint = json.loads(as_json.stdout)
    assert set(checkpoint) == {"size", "root", "at"}
    assert re.fullmatch(r"[0-9a-f]{64}", checkpoint["root"])
    with System(commune.url) as store:
        latest = seal_queries.latest_checkpoint(store)
        assert checkpoint["size"] == latest.size == seal_queries.seal_size(store) - 1
    assert checkpoint == latest.as_json()
    assert shown.exit_code == 0
    assert str(latest.size) in shown.stdout and latest.root in shown.stdout
    assert re.search(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", shown.stdout)


def test_seal_of_an_empty_log_says_there_is_nothing_to_seal(database_url):
    result = cli_on(database_url)("audit", "seal")

    assert result.exit_code == 1
    assert "chưa có sự kiện nào" in result.stderr


# --- the proofs, checked by the document's own script ------------------------------------

def script_source() -> str:
    """The fenced Python block under the "verify_proof.py" heading of docs/audit.md."""
    document = DOC.read_text(encoding="utf-8")
    heading = re.search(r"^#+ .*verify_proof\.py.*$", document, re.MULTILINE)
    assert heading, "docs/audit.md has no verify_proof.py heading"
    block = re.search(r"^```python\n(.*?)^```$", document[heading.end():],
                      re.MULTILINE | re.DOTALL)
    assert block, "no python block after the verify_proof.py heading"
    return block.group(1)


def script(tmp_path: Path, *args: Any) -> subprocess.CompletedProcess:
    path = tmp_path / "verify_proof.py"
    if not path.exists():
        path.write_text(script_source(), encoding="utf-8")
    return subprocess.run([sys.executable, str(path), *map(str, args)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_script_uses_nothing_but_the_standard_library():
    imported = re.findall(r"^(?:import|from) (\w+)", script_source(), re.MULTILINE)
    assert imported and set(imported) <= set(sys.stdlib_module_names)
    assert len(script_source().splitlines()) < 100


def proof_of(nhiemvu, tmp_path: Path, position: int) -> tuple[dict[str, Any], Path]:
    result = nhiemvu("audit", "prove", str(position))
    assert result.exit_code == 0, result.output
    path = tmp_path / f"proof-{position}.json"
    path.write_text(result.stdout, encoding="utf-8")
    return json.loads(result.stdout), path


def test_an_inclusion_proof_verifies_against_the_root_written_down(
        nhiemvu, commune, events, tmp_path):
    root = json.loads(nhiemvu("audit", "seal", "--json").stdout)["root"]
    position = events.position(commune.worked, 4)

    proof, path = proof_of(nhiemvu, tmp_path, position)
    checked = script(tmp_path, "inclusion", path, root)
    forged = script(tmp_path, "inclusion", path, FORGED)

    assert proof["root"] == root and proof["record"]["aggregate_id"] == commune.worked.hex
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("OK") and len(checked.stdout.splitlines()) == 1
    assert forged.returncode == 1 and forged.stdout.startswith("FAIL")


def test_an_altered_proof_fails_the_script(nhiemvu, commune, events, tmp_path):
    root = json.loads(nhiemvu("audit", "seal", "--json").stdout)["root"]
    proof, _path = proof_of(nhiemvu, tmp_path, events.position(commune.worked, 4))
    checker = script_module(tmp_path)
    state = json.loads(base64.b64decode(proof["record"]["state"]))
    state["actor"] = "truong.vp"
    altered_record = {**proof, "record": {
        **proof["record"], "state": base64.b64encode(json.dumps(state).encode()).decode()}}
    altered_path = {**proof, "path": [FORGED, *proof["path"][1:]]}
    # The record and its leaf hash changed together: the path no longer leads to the root.
    both = {**altered_record, "leaf_hash": hashlib.sha256(
        b"\x00" + checker.record_bytes(altered_record["record"])).hexdigest()}

    for name, altered in (("record", altered_record), ("path", altered_path), ("both", both)):
        path = tmp_path / f"altered-{name}.json"
        path.write_text(json.dumps(altered), encoding="utf-8")
        checked = script(tmp_path, "inclusion", path, root)
        assert checked.returncode == 1 and checked.stdout.startswith("FAIL"), name


def test_an_altered_event_gets_no_proof(nhiemvu, commune, events):
    at = events.position(commune.worked, 4)
    events.set_state(at, with_actor(events.row(at)["state"], "truong.vp"))

    result = nhiemvu("audit", "prove", str(at))

    assert result.exit_code == 1
    assert f"bản ghi tại vị trí {at} bị hỏng" in result.stderr
    assert result.stdout == ""


def test_a_seal_missing_a_node_gives_no_proof_and_says_it_is_damaged(nhiemvu, commune):
    nhiemvu("audit", "seal")
    with System(commune.url) as store, store.engine.begin() as conn:
        nodes = seal_model.nodes
        # The node over leaves 0 and 1: the sibling on the path of leaf 2.
        conn.execute(nodes.delete().where(nodes.c.key == seal_model.node_key(1, 0)))
        third = conn.execute(select(nodes.c.position).where(nodes.c.key == 2)).scalar_one()

    result = nhiemvu("audit", "prove", str(third))

    assert result.exit_code == 1
    assert "bị hỏng" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("position", ["9999", "0", "-1", "x"])
def test_prove_refuses_a_position_the_log_does_not_hold(nhiemvu, position):
    result = nhiemvu("audit", "prove", position)

    assert result.exit_code == (1 if position == "9999" else 2)
    assert result.stdout == ""


def test_the_log_extends_an_earlier_checkpoint_and_the_script_agrees(
        nhiemvu, commune, clock, tmp_path):
    earlier = json.loads(nhiemvu("audit", "seal", "--json").stdout)
    with System(commune.url, clock=clock) as store:
        task_in_state(store.service, "in_progress", unit="CNS", title="Phủ sóng thôn 3")

    result = nhiemvu("audit", "consistency", str(earlier["size"]), earlier["root"])

    assert result.exit_code == 0, result.output
    proof = json.loads(result.stdout)
    assert proof["consistent"] is True
    assert proof["first"] == {"size": earlier["size"], "root": earlier["root"]}
    assert proof["second"]["size"] > earlier["size"]
    path = tmp_path / "consistency.json"
    path.write_text(result.stdout, encoding="utf-8")
    checked = script(tmp_path, "consistency", path, earlier["size"], earlier["root"])
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout
    assert proof["second"]["root"] in checked.stdout
    forged = script(tmp_path, "consistency", path, earlier["size"], FORGED)
    assert forged.returncode == 1 and forged.stdout.startswith("FAIL")
    smaller = script(tmp_path, "consistency", path, earlier["size"] - 1, earlier["root"])
    assert smaller.returncode == 1


def test_a_forged_or_foreign_root_or_a_size_beyond_the_log_is_not_consistent(
        nhiemvu, database_url, tmp_path, clock):
    earlier = json.loads(nhiemvu("audit", "seal", "--json").stdout)
    foreign_url = f"sqlite:///{tmp_path / 'other-commune.sqlite3'}"
    with System(foreign_url, clock=clock) as store:
        set_up(store.service, users=False, plan=False)
    foreign = json.loads(cli_on(foreign_url)("audit", "seal", "--json").stdout)

    for size, root in ((earlier["size"], FORGED), (foreign["size"], foreign["root"]),
                       (earlier["size"] + 1000, earlier["root"])):
        result = nhiemvu("audit", "consistency", str(size), root)
        assert result.exit_code == 1, (size, root, result.output)
        assert json.loads(result.stdout)["consistent"] is False
        assert "Không nhất quán" in result.stderr


@pytest.mark.parametrize("args", [("5", "xyz"), ("5", "ab" * 31), ("0", FORGED),
                                  ("-2", FORGED), ("five", FORGED)])
def test_consistency_refuses_what_is_no_size_or_root(nhiemvu, args):
    result = nhiemvu("audit", "consistency", *args)

    assert result.exit_code == 2
    assert result.stdout == ""


def script_module(tmp_path: Path):
    """The document's script as a module: for checking many proofs in one process."""
    path = tmp_path / "verify_proof_module.py"
    path.write_text(script_source(), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("verify_proof_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_accepts_every_proof_of_the_log_and_none_with_a_flipped_byte(
        nhiemvu, events, tmp_path):
    latest = json.loads(nhiemvu("audit", "seal", "--json").stdout)
    root = bytes.fromhex(latest["root"])
    checker = script_module(tmp_path)
    leaves = []

    for position in events.positions()[:latest["size"]]:
        proof, _path = proof_of(nhiemvu, tmp_path, position)
        assert proof["leaf_index"] == len(leaves)
        assert checker.inclusion(proof, root) is None, position
        for i, sibling in enumerate(proof["path"]):
            bad = {**proof, "path": [*proof["path"][:i], flip(sibling), *proof["path"][i + 1:]]}
            assert checker.inclusion(bad, root) is not None, (position, i)
        assert checker.inclusion({**proof, "leaf_index": proof["leaf_index"] ^ 1}, root)
        leaves.append(bytes.fromhex(proof["leaf_hash"]))
    assert tree_root(leaves) == root

    # From every earlier size (powers of two included: the old root starts the path).
    for size in range(1, latest["size"] + 1):
        old = tree_root(leaves[:size])
        result = nhiemvu("audit", "consistency", str(size), old.hex())
        assert result.exit_code == 0, (size, result.output)
        proof = json.loads(result.stdout)
        assert checker.consistency(proof, size, old) is None, size
        for i, sibling in enumerate(proof["path"]):
            bad = {**proof, "path": [*proof["path"][:i], flip(sibling), *proof["path"][i + 1:]]}
            assert checker.consistency(bad, size, old) is not None, (size, i)


def tree_root(leaves: list[bytes]) -> bytes:
    """RFC 9162's MTH over leaf hashes: split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + tree_root(leaves[:k]) + tree_root(leaves[k:])).digest()


def flip(digest: str) -> str:
    """The hex digest with one bit of its last byte flipped."""
    return f"{digest[:-2]}{int(digest[-2:], 16) ^ 0x10:02x}"
