"""What each recorded event says: one predicate per event, said as a line or a sentence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.sentences import alert_line, alert_sentence, digest_line, event_line, event_sentence

DEADLINE = date(2025, 3, 20)

# Events without typed text or figures: the line is the sentence without its actor.
PLAIN = {
    "TaskAssigned": {"title": "Số hóa hồ sơ", "unit": "VP", "deadline": DEADLINE},
    "WorkStarted": {},
    "UnitCreated": {"code": "TN", "name": "Đoàn Thanh niên"},
    "UserRegistered": {"username": "an.nv", "role": "member", "unit": "VP"},
    "PasswordChanged": {},
    "PlanAdopted": {"code": "KH-CDS-2025"},
}


@pytest.mark.parametrize("event_type", sorted(PLAIN))
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_a_line_and_a_sentence_say_the_same_words(event_type, locale):
    line = event_line(event_type, PLAIN[event_type], locale)
    assert line[0].isupper()
    said = event_sentence(event_type, PLAIN[event_type], "Lan", locale=locale)
    assert said == f"Lan {line[0].lower()}{line[1:]}."


def test_the_timeline_names_units_where_lists_give_their_codes():
    data = {"unit": "YT", "previous_unit": "VP", "reason": "Đúng chuyên môn"}
    names = {"VP": "Văn phòng UBND xã", "YT": "Trạm y tế"}.__getitem__
    assert event_sentence("TaskReassigned", data, "Lê Lãnh Đạo", names, "vi") == (
        "Lê Lãnh Đạo giao lại từ Văn phòng UBND xã sang Trạm y tế.")
    assert event_line("TaskReassigned", data, "vi") == "Giao lại từ VP sang YT: Đúng chuyên môn"


def test_a_line_adds_what_the_person_typed_and_the_figures_in_the_readers_language():
    note = {"text": "Đã họp thôn", "percent": 40, "value": Decimal("62.5")}
    assert event_line("ProgressNoted", note, "vi") == (
        "Ghi nhận tiến độ: Đã họp thôn (40%, giá trị 62,5%)")
    assert event_line("ProgressNoted", note, "en") == (
        "Noted progress: Đã họp thôn (40%, value 62.5%)")
    assert event_line("ReportReturned", {"reason": "Thiếu biên bản"}, "vi") == (
        "Trả lại báo cáo để làm lại: Thiếu biên bản")
    assert event_line("ReportVerified", {"comment": ""}, "en") == "Verified completion"


def test_stored_data_says_what_the_event_said():
    # The audit log keeps dates as ISO text and decimals as text.
    event = {"deadline": date(2025, 4, 15), "previous_deadline": DEADLINE, "reason": "Chờ"}
    stored = {"deadline": "2025-04-15", "previous_deadline": "2025-03-20", "reason": "Chờ"}
    assert event_line("DeadlineExtended", event, "vi") == event_line(
        "DeadlineExtended", stored, "vi") == "Gia hạn từ 20/03/2025 đến 15/04/2025: Chờ"
    assert event_line("ReportSubmitted", {"summary": "Xong", "value": "70"}, "vi") == (
        "Báo cáo kết quả: Xong (giá trị 70%)")


def test_roles_are_named_in_the_readers_language():
    granted = {"role": "auditor", "unit": None, "reason": "Chuyển công tác"}
    assert event_line("RoleGranted", granted, "vi") == "Cấp vai trò Giám sát: Chuyển công tác"
    assert event_line("RoleGranted", granted, "en") == (
        "Granted the role auditor: Chuyển công tác")


def test_an_event_this_version_does_not_know_still_says_who_and_what():
    assert event_line("SomethingNew", {}, "vi") == "SomethingNew"
    assert event_sentence("SomethingNew", {}, "Lan", locale="vi") == "Lan: SomethingNew."


def test_a_long_line_is_cut():
    line = event_line("TaskCancelled", {"reason": "x" * 500}, "vi")
    assert len(line) == 240 and line.endswith("…")


def test_alerts_read_in_vietnamese_and_english():
    assert alert_line("approaching", 3, DEADLINE) == "Sắp đến hạn, còn 3 ngày (hạn 20/03/2025)"
    assert alert_line("missed", -1, DEADLINE) == "Đã quá hạn (hạn 20/03/2025)"
    assert alert_line("due_today", 0, "2025-03-20", "vi") == "Đến hạn hôm nay (20/03/2025)"
    assert alert_line("still_overdue", -4, DEADLINE, "en").startswith("Still overdue, 4 days")
    assert alert_line("approaching", 1, DEADLINE, "en") == (
        "Deadline approaching, 1 day left (due 20/03/2025)")
    assert alert_sentence("approaching", 7, DEADLINE, "vi") == (
        "Sắp đến hạn, còn 7 ngày (hạn 20/03/2025).")
    assert digest_line("Số hóa hồ sơ", "VP", "approaching", 1, DEADLINE, "vi") == (
        "Số hóa hồ sơ (VP): Sắp đến hạn, còn 1 ngày (hạn 20/03/2025)")
