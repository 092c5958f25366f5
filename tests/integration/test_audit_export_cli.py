"""``nhiemvu audit log``: the audit log printed in people's words and exported as CSV
and XLSX, the same rows whatever the format; bad input is exit 2."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from events.system import System
from tests.commune import HEAD, LEADER, PASSWORD, set_up, task_in_state
from tests.conftest import cli_on

DEPUTY = "pho.chutich"


@pytest.fixture
def commune(database_url, clock):
    """The STAFF commune, a deputy leader with a display name, and two tasks: one of
    VP verified, one of CNS the deputy extended."""
    with System(database_url, clock=clock) as store:
        service = store.service
        set_up(service)
        service.add_user(DEPUTY, "leader", PASSWORD, display_name="Trần Thị Bình")
        done = task_in_state(service, "verified")
        other = task_in_state(service, "in_progress", unit="CNS", title="Số hóa hồ sơ")
        service.extend_deadline(DEPUTY, other, date(2025, 4, 30), "Chờ thiết bị")
    return {"url": database_url, "done": str(done), "other": str(other)}


@pytest.fixture
def nhiemvu(commune, tmp_path):
    return cli_on(commune["url"], tmp_path / "instance")


def _json(nhiemvu, *args):
    result = nhiemvu("audit", "log", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_log_prints_people_event_names_and_changes_newest_first(nhiemvu, commune):
    result = nhiemvu("audit", "log", "--task", commune["other"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("01/03/2025 09:00 · Trần Thị Bình (pho.chutich) · CNS · Gia hạn · ")
    assert lines[0].endswith("Hạn: 31/03/2025 → 30/04/2025")
    assert "Bắt đầu thực hiện" in lines[1] and "Đã giao → Đang thực hiện" in lines[1]
    assert "Giao nhiệm vụ" in lines[2]


def test_the_log_speaks_english_when_asked(nhiemvu, commune):
    result = nhiemvu("--lang", "en", "audit", "log", "--task", commune["other"],
                     "--type", "DeadlineExtended")
    assert result.exit_code == 0, result.output
    assert "Deadline extended" in result.output
    assert "Deadline: 31/03/2025 → 30/04/2025" in result.output


def test_the_log_filters_by_actor_unit_type_and_days(nhiemvu, commune):
    assert {r["actor"] for r in _json(nhiemvu, "--actor", HEAD)} == {HEAD}
    assert {r["unit"] for r in _json(nhiemvu, "--unit", "cns")} == {"CNS"}
    verified = _json(nhiemvu, "--type", "ReportVerified")
    assert [(r["task_id"], r["actor"]) for r in verified] == [(commune["done"], LEADER)]
    assert _json(nhiemvu, "--until", "28/02/2025") == []
    assert len(_json(nhiemvu, "--since", "2025-03-01")) == len(_json(nhiemvu))


def test_csv_and_xlsx_exports_hold_the_rows_the_json_shows(nhiemvu, commune, tmp_path):
    shown = _json(nhiemvu, "--unit", "VP")
    csv_file, xlsx_file = tmp_path / "nhat-ky.csv", tmp_path / "nhat-ky.xlsx"
    assert nhiemvu("audit", "log", "--unit", "VP", "--format", "csv",
                   "-o", str(csv_file)).exit_code == 0
    assert nhiemvu("audit", "log", "--unit", "VP", "--format", "xlsx",
                   "-o", str(xlsx_file)).exit_code == 0
    raw = csv_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(xlsx_file)["Nhật ký"]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == cells[0] and table[0][:3] == ["Vị trí", "Thời gian", "Người thực hiện"]
    assert [int(r[0]) for r in table[1:]] == [r["position"] for r in shown]
    assert [r[0] for r in cells[1:]] == [r["position"] for r in shown]
    kind = table[0].index("Loại sự kiện")
    assert [r[kind] for r in table[1:]] == [r["type_name"] for r in shown]
    assert "Xác nhận hoàn thành" in {r[kind] for r in cells[1:]}


def test_xlsx_goes_to_standard_output_when_it_is_not_a_terminal(nhiemvu):
    result = nhiemvu("audit", "log", "--format", "xlsx")
    assert result.exit_code == 0
    workbook = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes))
    assert workbook.sheetnames == ["Nhật ký"]


def test_xlsx_is_refused_on_a_terminal_without_an_output_file(commune, tmp_path):
    main, terminal = pty.openpty()
    command = Path(sys.executable).parent / "nhiemvu"
    try:
        run = subprocess.run(
            [str(command), "--database", commune["url"], "audit", "log", "--format", "xlsx"],
            stdout=terminal, stderr=subprocess.PIPE, timeout=60,
            env={**os.environ, "NHIEMVU_INSTANCE": str(tmp_path / "instance")})
    finally:
        os.close(terminal)
        os.close(main)
    assert run.returncode == 2
    assert "-o" in run.stderr.decode("utf-8") and "Traceback" not in run.stderr.decode()


@pytest.mark.parametrize(("args", "said"), [
    (["--type", "Reported"], "loại sự kiện “Reported” không có"),
    (["--since", "31/02/2025"], "không tồn tại"),
    (["--format", "pdf"], "pdf"),
])
def test_bad_input_is_exit_2_with_a_clear_line(nhiemvu, args, said):
    result = nhiemvu("audit", "log", *args)
    assert result.exit_code == 2
    assert said in result.output


def test_an_output_file_that_cannot_be_written_is_exit_2(nhiemvu, tmp_path):
    result = nhiemvu("audit", "log", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert result.exit_code == 2
    assert "không ghi được tệp" in result.output
