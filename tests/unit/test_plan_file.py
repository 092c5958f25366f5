"""The seed plan file and how plan files are read (no store needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflow import plan_file
from workflow.errors import DomainError

# The eleven targets, word for word from DOMAIN.md (the seed's news report).
TARGETS = [
    ("CQS", "100% cán bộ, công chức được đào tạo kỹ năng số"),
    ("CQS", "60 - 70% hồ sơ công việc cấp xã được xử lý trên môi trường mạng"),
    ("CQS", "50% hồ sơ hành chính được giải quyết trực tuyến toàn trình"),
    ("CQS", "100% chế độ báo cáo được thực hiện trực tuyến và liên thông với hệ thống báo cáo "
            "quốc gia"),
    ("KTS", "Khuyến khích 85% người dân trong độ tuổi lao động mở tài khoản ngân hàng"),
    ("KTS", "Số hóa dữ liệu của 75% hộ sản xuất nông nghiệp"),
    ("KTS", "Phấn đấu 50% hộ gia đình thanh toán tiền điện qua ngân hàng"),
    ("XHS", "80 - 90% dân số trưởng thành có điện thoại thông minh"),
    ("XHS", "60 - 70% người dân sử dụng thanh toán điện tử"),
    ("XHS", "90% người dân có hồ sơ sức khỏe điện tử"),
    ("XHS", "100% trường học trên địa bàn hoàn thiện mô hình quản trị số, áp dụng công nghệ "
            "trong giảng dạy và quản lý"),
]
RANGES = [("100", "100"), ("60", "70"), ("50", "50"), ("100", "100"), ("85", "85"),
          ("75", "75"), ("50", "50"), ("80", "90"), ("60", "70"), ("90", "90"),
          ("100", "100")]


@pytest.fixture(scope="module")
def seed():
    return plan_file.load(plan_file.SEED_PLAN)


def test_the_seed_plan_is_the_communes_2025_plan_adopted_on_13_february(seed):
    assert seed["code"] == "KH-CDS-2025"
    assert seed["title"] == "Kế hoạch chuyển đổi số năm 2025"
    assert seed["organisation"] == "UBND xã Thanh Hương"
    assert seed["adopted_on"] == "2025-02-13"


def test_the_seed_plan_has_the_three_pillars(seed):
    assert [(p["code"], p["name"]) for p in seed["pillars"]] == [
        ("CQS", "Chính quyền số"), ("KTS", "Kinh tế số"), ("XHS", "Xã hội số")]


def test_the_seed_plan_has_all_eleven_targets_word_for_word(seed):
    assert [(t["pillar"], t["text"]) for t in seed["targets"]] == TARGETS
    assert [t["code"] for t in seed["targets"]] == [f"CT{n:02}" for n in range(1, 12)]
    assert [t["number"] for t in seed["targets"]] == list(range(1, 12))


def test_each_seed_target_is_a_range_read_from_its_text(seed):
    assert [(t["min"], t["max"]) for t in seed["targets"]] == RANGES
    for target in seed["targets"]:
        assert target["text"].count(target["range"].split("%")[0]) >= 1
        assert target["unit"] == "%"


@pytest.mark.parametrize(("text", "low", "high"), [
    ("60 - 70%", "60", "70"), ("100%", "100", "100"), ("60–70 %", "60", "70"),
    ("80-90%", "80", "90"), (" 0% ", "0", "0"), ("62,5 - 70%", "62.5", "70"),
    ("50.5%", "50.5", "50.5"),
])
def test_a_target_range_is_read_from_percent_text(text, low, high):
    assert plan_file.parse_range(text) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("text", ["", "abc", "60 - 70", "70 - 60%", "101%", "60 - 170%",
                                  "-5%", "60 — 70%", "١٠٠%", "60 - %", "%"])
def test_a_target_range_that_is_not_a_percent_range_is_an_invalid_plan(text):
    with pytest.raises(DomainError) as refused:
        plan_file.parse_range(text)
    assert refused.value.code == "invalid_plan"
    assert "?" not in refused.value.message("vi")


def _raw(**changes):
    raw = {
        "plan": {"code": "KH-1", "title": "Kế hoạch", "organisation": "UBND xã",
                 "adopted_on": "2025-02-13"},
        "pillars": [{"code": "CQS", "name": "Chính quyền số"}],
        "targets": [{"code": "CT01", "pillar": "CQS", "range": "100%", "text": "100% x"}],
    }
    return raw | changes


@pytest.mark.parametrize("raw", [
    _raw(plan={"code": "KH-1", "title": "T", "organisation": "O"}),              # no date
    _raw(plan={"code": 7, "title": "T", "organisation": "O", "adopted_on": "2025-02-13"}),
    _raw(plan={"code": "KH", "title": "T", "organisation": "O", "adopted_on": "13/02/2025"}),
    _raw(pillars=[{"code": "CQS"}]),                                              # no name
    _raw(targets=[{"code": "CT01", "pillar": "KTS", "range": "100%", "text": "x"}]),
    _raw(targets=[{"code": "CT01", "pillar": "CQS", "range": "nhiều", "text": "x"}]),
    _raw(targets=[{"code": "CT01", "pillar": "CQS", "range": "100%", "text": ""}]),
    _raw(targets=[{"code": "CT01", "pillar": "CQS", "range": "100%", "text": "x"}] * 2),
    _raw(targets="CT01"),
    {},
])
def test_a_plan_file_with_missing_or_wrong_fields_is_an_invalid_plan(raw):
    with pytest.raises(DomainError) as refused:
        plan_file.parse(raw)
    assert refused.value.code == "invalid_plan"


def test_a_missing_or_broken_plan_file_is_an_invalid_plan(tmp_path):
    for path, text in [(tmp_path / "none.toml", None), (tmp_path / "bad.toml", "[plan\n"),
                       (tmp_path / "latin.toml", b"\xff\xfe")]:
        if isinstance(text, str):
            path.write_text(text)
        elif text is not None:
            path.write_bytes(text)
        with pytest.raises(DomainError) as refused:
            plan_file.load(path)
        assert refused.value.code == "invalid_plan"
