"""``nhiemvu export`` / ``nhiemvu import``: the whole log with its seal, SQLite →
PostgreSQL → SQLite with identical read models and seal; an altered file refused at
its first bad line, leaving the store empty; evidence files checked by their digests.

The commune is the demo's (``events.demo.sample``), with its evidence files, a
checkpoint every 20 events and a recorded verification, built once for the module.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from events.demo.sample import fill
from events.log.evidence_files import EvidenceFiles
from events.processes.backup_format import dumps
from events.queries import seal as seal_queries
from events.readmodels import tables
from events.system import System
from tests.conftest import cli_on
from tests.readmodels import readable

# Columns that say when this store did something, not what the log says.
VOLATILE = {"parked_at"}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A SQLite store with the demo commune, its evidence files (in ``instance``) and
    the seal's checkpoints and a verification among its events."""
    folder = tmp_path_factory.mktemp("source")
    url, instance = f"sqlite:///{folder / 'nhiemvu.sqlite3'}", folder / "instance"
    before = os.environ.get("NHIEMVU_SEAL_EVERY")
    os.environ["NHIEMVU_SEAL_EVERY"] = "20"
    try:
        fill(url, password="mat-khau-mau", files=EvidenceFiles(instance))
        assert cli_on(url, instance)("audit", "verify").exit_code == 0
    finally:
        if before is None:
            os.environ.pop("NHIEMVU_SEAL_EVERY")
        else:
            os.environ["NHIEMVU_SEAL_EVERY"] = before
    return url, instance


@pytest.fixture(scope="module")
def exported(source, tmp_path_factory):
    """The source exported once (plain JSON Lines), for tests that alter a copy."""
    url, instance = source
    path = tmp_path_factory.mktemp("exported") / "nhiemvu.jsonl"
    assert cli_on(url, instance)("export", str(path)).exit_code == 0
    return path


def positions(url: str) -> list[int]:
    with System(url) as store, store.engine.connect() as conn:
        table = store.service.recorder.events_record_cls.__table__
        return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())


def _plain(value):
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def read_models(url: str) -> dict[str, list[tuple]]:
    """Every rm_ table's rows its readers see (``readable``), as comparable values, in a
    store-independent order."""
    found = {}
    with System(url) as store, store.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in VOLATILE]
            rows = conn.execute(readable(table, select(*columns))).all()
            found[table.name] = sorted((tuple(_plain(v) for v in row) for row in rows),
                                       key=repr)
    return found


def seal_of(url: str) -> tuple[tuple[int, str], dict]:
    with System(url) as store:
        return seal_queries.current_root(store), seal_queries.verify(store)


def event_lines(path: Path) -> list[bytes]:
    """The lines of an export that depend on the log only (not the header's time, nor
    the checksum over it)."""
    lines = path.read_bytes().splitlines()
    return lines[1:-1] + [json.dumps(json.loads(lines[-1])["seal"]).encode()]


def test_a_store_moves_to_postgresql_and_back_with_identical_read_models_and_seal(
        source, postgres_url, tmp_path):
    url, instance = source
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    first, second = tmp_path / "from-sqlite.jsonl", tmp_path / "from-postgresql.jsonl"

    exported = cli_on(url, instance)("export", str(first))
    imported = cli_on(postgres_url, tmp_path / "pg")("import", str(first))
    again = cli_on(postgres_url, tmp_path / "pg")("export", str(second))
    returned = cli_on(back, tmp_path / "back")("import", str(second))

    assert [r.exit_code for r in (exported, imported, again, returned)] == [0, 0, 0, 0], \
        [r.output for r in (exported, imported, again, returned)]
    (size, root), verified = seal_of(url)
    assert f"{size} sự kiện, gốc {root}" in exported.output
    assert f"Đã nhập {size} sự kiện" in imported.output and root in imported.output
    assert event_lines(first) == event_lines(second)
    assert positions(postgres_url) == positions(back) == positions(url)
    models = read_models(url)
    assert models["rm_seal_checkpoint"] and models["rm_seal_verification"]
    assert models["rm_task"] and models["rm_audit"]
    assert read_models(postgres_url) == models
    assert read_models(back) == models
    for store in (postgres_url, back):
        (its_size, its_root), its_check = seal_of(store)
        assert (its_size, its_root) == (size, root)
        assert its_check["intact"] and verified["intact"]

    # The sequence moved on: the next command's event follows the last imported one.
    added = cli_on(postgres_url, tmp_path / "pg")("unit", "add", "MOI", "Đơn vị mới")
    assert added.exit_code == 0, added.output
    assert positions(postgres_url)[size] == positions(url)[-1] + 1


def test_a_gzip_export_is_compressed_and_imports_the_same_seal(source, tmp_path):
    url, instance = source
    packed = tmp_path / "nhiemvu.jsonl.gz"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"

    exported = cli_on(url, instance)("export", str(packed))
    result = cli_on(target, tmp_path / "target")("import", str(packed))

    assert (exported.exit_code, result.exit_code) == (0, 0), result.output
    named = f"Nhật ký nhắc tới {len(evidence_digests(instance))} tệp minh chứng"
    assert named in exported.output and named in result.output
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed.read_bytes()).startswith(b'{"nhiemvu_export": 1, ')
    assert seal_of(target)[0] == seal_of(url)[0]
    assert read_models(target) == read_models(url)


def _change(line: bytes, field: bytes, offset: int) -> bytes:
    """``line`` with one character of the value of ``field`` changed, to one that is
    still a hex digit and a base64 character."""
    at = line.index(b'"' + field + b'": "') + len(field) + 5 + offset
    return line[:at] + (b"a" if line[at:at + 1] != b"a" else b"b") + line[at + 1:]


# Each takes the file's lines (without their ends) and returns them altered, with
# the number of the line the refusal must name.
def _in_state(lines):
    lines[4] = _change(lines[4], b"state", 20)
    return lines, 5


def _in_leaf_hash(lines):
    lines[6] = _change(lines[6], b"leaf_hash", 7)
    return lines, 7


def _in_root(lines):
    lines[-1] = _change(lines[-1], b"root", 10)
    return lines, len(lines)


def _truncated(lines):
    return lines[:9] + [lines[9][:40]], 10


def _in_header_time(lines):
    lines[0] = lines[0].replace(b'"created_at": "2', b'"created_at": "1', 1)
    return lines, 1


def _line_dropped(lines):
    del lines[3]
    return lines, len(lines)


def _lines_swapped(lines):
    lines[3], lines[4] = lines[4], lines[3]
    return lines, 5


def _space_added(lines):
    lines[2] = lines[2].replace(b'", "', b'",  "', 1)
    return lines, 3


ALTERATIONS = [_in_state, _in_leaf_hash, _in_root, _truncated, _in_header_time,
               _line_dropped, _lines_swapped, _space_added]


@pytest.mark.parametrize("alter", ALTERATIONS, ids=lambda f: f.__name__.strip("_"))
def test_an_altered_file_is_refused_naming_its_first_bad_line_and_nothing_is_imported(
        exported, database_url, tmp_path, alter):
    lines, bad = alter(exported.read_bytes().split(b"\n")[:-1])
    changed = tmp_path / "changed.jsonl"
    ending = b"" if alter is _truncated else b"\n"
    changed.write_bytes(b"\n".join(lines) + ending)

    result = cli_on(database_url, tmp_path / "instance")("import", str(changed))

    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Lỗi: dòng {bad}: "), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert positions(database_url) == []
    models = read_models(database_url)
    assert models["rm_seal_node"] == models["rm_task"] == models["rm_unit"] == []


def _rewritten(line: bytes, **fields) -> bytes:
    """``line`` with ``fields`` changed (None: removed), written as the export writes."""
    content = json.loads(line)
    for name, value in fields.items():
        if value is None:
            content.pop(name)
        else:
            content[name] = value
    return dumps(content).rstrip(b"\n")


# Lines written exactly as the export writes them, each breaking one rule: the
# refusal names the line and the rule.
BROKEN_RULES = {
    "an empty file": (lambda lines: [], 1, "tệp trống"),
    "a header of another file": (
        lambda lines: [_rewritten(lines[0], nhiemvu_export=None), *lines[1:]], 1,
        "không phải phần đầu"),
    "a later export version": (
        lambda lines: [_rewritten(lines[0], nhiemvu_export=2), *lines[1:]], 1,
        "phiên bản tệp xuất 2"),
    "a header time that is no time": (
        lambda lines: [_rewritten(lines[0], created_at="hôm qua"), *lines[1:]], 1,
        "created_at"),
    "an event without its leaf hash": (
        lambda lines: [*lines[:2], _rewritten(lines[2], leaf_hash=None), *lines[3:]], 3,
        "đúng các trường"),
    "a position written as text": (
        lambda lines: [*lines[:2], _rewritten(lines[2], position="2"), *lines[3:]], 3,
        "position"),
    "an aggregate id that is not 32 hex digits": (
        lambda lines: [*lines[:2], _rewritten(lines[2], aggregate_id="xyz"), *lines[3:]], 3,
        "aggregate_id"),
    "a state that is not base64": (
        lambda lines: [*lines[:2], _rewritten(lines[2], state="@@@"), *lines[3:]], 3,
        "base64"),
    "a line that is not JSON": (
        lambda lines: [*lines[:2], b"{not json", *lines[3:]], 3, "JSON"),
    "something after the trailer": (
        lambda lines: [*lines, lines[1]], None, "sau dòng niêm phong"),
}


@pytest.mark.parametrize("case", list(BROKEN_RULES))
def test_a_line_that_breaks_a_rule_of_the_format_is_refused_saying_which(
        exported, sqlite_url, tmp_path, case):
    alter, bad, reason = BROKEN_RULES[case]
    lines = alter(exported.read_bytes().split(b"\n")[:-1])
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(b"".join(line + b"\n" for line in lines))

    result = cli_on(sqlite_url, tmp_path / "instance")("import", str(changed))

    assert result.exit_code == 1, result.output
    bad = bad or len(lines)
    assert result.output.startswith(f"Lỗi: dòng {bad}: "), result.output
    assert reason in result.output
    assert positions(sqlite_url) == []


def test_a_damaged_gzip_file_is_refused_and_nothing_is_imported(source, sqlite_url, tmp_path):
    url, instance = source
    packed = tmp_path / "nhiemvu.jsonl.gz"
    assert cli_on(url, instance)("export", str(packed)).exit_code == 0
    data = bytearray(packed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    packed.write_bytes(bytes(data))

    result = cli_on(sqlite_url, tmp_path / "instance")("import", str(packed))

    assert result.exit_code == 1, result.output
    assert result.output.startswith("Lỗi: dòng ")
    assert positions(sqlite_url) == []


def test_import_into_a_store_that_holds_an_event_is_refused(exported, nhiemvu, database_url):
    assert nhiemvu("unit", "add", "VP", "Văn phòng").exit_code == 0
    before = positions(database_url)

    result = nhiemvu("import", str(exported))

    assert result.exit_code == 1
    assert "không trống" in result.output
    assert positions(database_url) == before


@pytest.mark.parametrize("case", ["no file to read", "no folder to write in",
                                  "no evidence folder"])
def test_a_path_that_cannot_be_read_or_written_is_bad_input(lite, exported, tmp_path, case):
    args = {"no file to read": ["import", str(tmp_path / "missing.jsonl")],
            "no folder to write in": ["export", str(tmp_path / "missing" / "out.jsonl")],
            "no evidence folder": ["import", str(exported), "--evidence",
                                   str(tmp_path / "missing")]}[case]

    result = lite(*args)

    assert result.exit_code == 2, result.output
    assert result.output.startswith("Lỗi: không ")
    assert len(result.output.strip().splitlines()) == 1


def test_a_failed_export_leaves_no_file_behind(source, tmp_path):
    url, instance = source
    damaged = tmp_path / "instance"
    shutil.copytree(instance, damaged)
    lost = next(p for p in (damaged / "evidence").rglob("*") if p.is_file()
                and p.parent.name != ".staging")
    lost.unlink()
    out = tmp_path / "out"
    out.mkdir()

    result = cli_on(url, damaged)("export", str(out / "nhiemvu.jsonl"),
                                  "--evidence", str(out / "evidence"))

    assert result.exit_code == 1, result.output
    assert lost.name in result.output
    assert [p.name for p in out.iterdir() if p.is_file()] == []


def evidence_digests(instance: Path) -> set[str]:
    folder = instance / "evidence"
    return {p.name for p in folder.rglob("*") if p.is_file() and p.parent.name != ".staging"}


def test_evidence_files_travel_with_the_log_checked_by_their_digests(source, tmp_path):
    url, instance = source
    bundle, target_instance = tmp_path / "bundle", tmp_path / "target"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    digests = evidence_digests(instance)
    assert digests
    bundle.mkdir()

    exported = cli_on(url, instance)("export", str(bundle / "nhiemvu.jsonl"), "--evidence",
                                     str(bundle / "evidence"))
    imported = cli_on(target, target_instance)("import", str(bundle / "nhiemvu.jsonl"),
                                               "--evidence", str(bundle / "evidence"))

    assert (exported.exit_code, imported.exit_code) == (0, 0), imported.output
    assert f"Đã chép {len(digests)} tệp minh chứng" in exported.output
    assert f"Đã nhập {len(digests)} tệp minh chứng" in imported.output
    assert {p.name for p in (bundle / "evidence").iterdir()} == digests
    kept = EvidenceFiles(target_instance)
    for digest in digests:
        assert hashlib.sha256(kept.path_of(digest).read_bytes()).hexdigest() == digest
    assert evidence_digests(target_instance) == digests


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_an_altered_or_missing_evidence_file_is_refused_by_name(source, tmp_path, damage):
    url, instance = source
    bundle, target_instance = tmp_path / "bundle", tmp_path / "target"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    bundle.mkdir()
    assert cli_on(url, instance)("export", str(bundle / "nhiemvu.jsonl"), "--evidence",
                                 str(bundle / "evidence")).exit_code == 0
    victim = sorted((bundle / "evidence").iterdir())[0]
    if damage == "altered":
        victim.write_bytes(victim.read_bytes() + b" ")
    else:
        victim.unlink()

    result = cli_on(target, target_instance)("import", str(bundle / "nhiemvu.jsonl"),
                                             "--evidence", str(bundle / "evidence"))

    assert result.exit_code == 1, result.output
    assert victim.name in result.output
    assert positions(target) == []
    folder = target_instance / "evidence"
    assert not folder.exists() or [p for p in folder.rglob("*") if p.is_file()] == []


def test_a_damaged_log_is_carried_as_it_is_gaps_and_damage_included(source, tmp_path):
    url, instance = source
    copy = tmp_path / "damaged.sqlite3"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    damaged = f"sqlite:///{copy}"
    with System(damaged) as store, store.engine.begin() as conn:
        table = store.service.recorder.events_record_cls.__table__
        conn.execute(delete(table).where(table.c.id == 30))
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"

    exported = cli_on(damaged, instance)("export", str(tmp_path / "damaged.jsonl"))
    imported = cli_on(target, tmp_path / "target")("import", str(tmp_path / "damaged.jsonl"))

    assert (exported.exit_code, imported.exit_code) == (0, 0), imported.output
    assert positions(target) == positions(damaged) and 30 not in positions(target)
    # The seal rebuilt from the damaged log no longer gives the recorded checkpoints.
    verified = cli_on(target, tmp_path / "target")("audit", "verify", "--json")
    assert verified.exit_code == 1
    assert json.loads(verified.output)["kind"] == "rewritten"
