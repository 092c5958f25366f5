"""Nothing a person types can stop the record: any input to any command is either
refused with a domain error, or stored and applied by every read model.

Property-based over the service, on SQLite and PostgreSQL: all of Unicode (NUL,
control characters, lone surrogates), any date the calendar holds, numbers as
people and scripts type them. A valid input never parks an event.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests import commune
from workflow import validate
from workflow.errors import DomainError

# Every code point, surrogates included, plus the inputs found to break things.
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=300),
    st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1,
            max_size=60),
    st.sampled_from(["\x00", "a\x00b", "\x1b]0;tiêu đề\x07", "\udcff", "dòng 1\r\ndòng 2",
                     "x" * 5001, " \t ", "²", "١٢", "9" * 5000]),
)
ANY_NUMBER = st.one_of(st.none(), ANY_TEXT, st.integers(), st.decimals(allow_nan=True),
                       st.floats(), st.sampled_from(["50,5", "62.5", "1e2", "-0", "100"]))
ANY_DATE = st.one_of(st.dates(), st.dates(date(2025, 3, 1), date(2036, 1, 1)), st.sampled_from(
    [date(9999, 12, 28), date(1, 1, 1), date(2100, 12, 31), date(2101, 1, 1)]))


def _commands(service, task_id):
    """What each command does with the drawn input ``x`` (a dict of fields)."""
    return {
        "assign": lambda x: service.assign_task(
            commune.LEADER, unit="VP", deadline=x["day"], title=x["text"],
            description=x["more"]),
        "note": lambda x: service.note_progress(commune.HEAD, task_id, x["text"],
                                                percent=x["number"], value=x["other"]),
        "report": lambda x: service.submit_report(commune.HEAD, task_id, x["text"],
                                                  value=x["number"]),
        "extend": lambda x: service.extend_deadline(commune.LEADER, task_id, x["day"],
                                                    x["text"]),
        "return": lambda x: (service.submit_report(commune.HEAD, task_id, "Xong"),
                             service.return_task(commune.LEADER, task_id, x["text"])),
        "verify": lambda x: (service.submit_report(commune.HEAD, task_id, "Xong"),
                             service.verify_task(commune.LEADER, task_id, x["text"])),
        "cancel": lambda x: service.cancel_task(commune.LEADER, task_id, x["text"]),
        "unit": lambda x: service.add_unit(x["text"][:40], x["more"], x["other_text"]),
        "user": lambda x: service.add_user(x["text"][:40], "member", commune.PASSWORD,
                                           unit="VP", display_name=x["more"],
                                           email=x["other_text"]),
        "read": lambda x: service.mark_alerts_read(commune.HEAD, up_to=x["other_text"]),
    }


@pytest.fixture
def commune_store(store):
    commune.set_up(store.service)
    return store


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(command=st.sampled_from(sorted(_commands(None, None))),
       drawn=st.fixed_dictionaries({"text": ANY_TEXT, "more": ANY_TEXT,
                                    "other_text": ANY_TEXT, "day": ANY_DATE,
                                    "number": ANY_NUMBER, "other": ANY_NUMBER}))
def test_any_input_is_refused_by_the_rules_or_stored_and_applied_by_every_view(
        commune_store, command, drawn):
    store = commune_store
    service = store.service
    task_id = commune.task_in_state(service, "in_progress")
    before = store.projections.head()
    try:
        _commands(service, task_id)[command](drawn)
    except DomainError as refused:
        assert refused.message("vi") and refused.code
        event(f"{command}: refused ({refused.code})")
    else:
        event(f"{command}: stored")
    assert not service.views_lag()
    assert store.projections.parked() == [], (command, drawn)
    head = store.projections.head()
    assert all(s["position"] == head for s in store.projections.status())
    assert head >= before


@pytest.mark.parametrize("typed", ["9" * 5000, "²", "١٢", "50,5", "1e2", "-1", "101"])
def test_a_percent_that_is_not_a_whole_number_from_0_to_100_is_refused(typed):
    with pytest.raises(DomainError) as refused:
        validate.percent(typed)
    assert refused.value.code == "invalid_percent"


@pytest.mark.parametrize("typed", ["9" * 5000, "1e2", "NaN", "100,0000001", "-0,5"])
def test_a_measured_value_is_bounded_before_it_is_converted(typed):
    with pytest.raises(DomainError) as refused:
        validate.measured_value(typed)
    assert refused.value.code == "invalid_value"


def test_a_measured_value_keeps_its_exact_decimal():
    assert validate.measured_value("62,5") == Decimal("62.5")
    assert validate.measured_value("100") == Decimal(100)


@pytest.mark.parametrize("typed", ["²", "-1", "99999999999999999999", "1.5", "0x10", " 7a"])
def test_a_cursor_is_ascii_digits_within_a_database_integer(typed):
    with pytest.raises(DomainError) as refused:
        validate.cursor(typed)
    assert refused.value.code == "invalid_cursor"


def test_a_cursor_may_be_blank_or_the_largest_position():
    assert validate.cursor(" ") is None
    assert validate.cursor(str(2**63 - 1)) == 2**63 - 1


@pytest.mark.parametrize("name", ["a|b", "x/y", "a\x00", "tên", "a b", "a" * 41, ""])
def test_usernames_come_from_a_safe_alphabet(service, name):
    commune.set_up(service, users=False, plan=False)
    with pytest.raises(DomainError) as refused:
        service.add_user(name, "member", commune.PASSWORD, unit="VP")
    assert refused.value.code == ("text_required" if not name else "invalid_identifier")


def test_text_keeps_line_breaks_and_tabs_and_stores_windows_line_ends_as_newlines():
    assert validate.text("dòng 1\r\n\tdòng 2", "summary") == "dòng 1\n\tdòng 2"


@pytest.mark.parametrize("field", ["title", "name", "kind"])
def test_one_line_fields_refuse_a_line_break(field):
    with pytest.raises(DomainError) as refused:
        validate.text("hai\ndòng", field)
    assert refused.value.code == "text_control_character"


def test_the_deadline_horizon_comes_from_the_environment(database_url, clock, monkeypatch):
    from events.system import System

    monkeypatch.setenv("NHIEMVU_MAX_DEADLINE_YEARS", "1")
    with System(database_url, clock=clock) as opened:
        commune.set_up(opened.service)
        with pytest.raises(DomainError) as refused:
            opened.service.assign_task(commune.LEADER, unit="VP", deadline=date(2026, 3, 2),
                                       title="Hơn một năm")
        assert refused.value.code == "deadline_too_far"
        assert refused.value.params["latest"] == "01/03/2026"
        opened.service.assign_task(commune.LEADER, unit="VP", deadline=date(2026, 3, 1),
                                   title="Đúng một năm")


def test_a_bad_deadline_horizon_setting_is_refused_at_start(sqlite_url, monkeypatch):
    from events.system import System

    monkeypatch.setenv("NHIEMVU_MAX_DEADLINE_YEARS", "²")
    with pytest.raises(ValueError, match="NHIEMVU_MAX_DEADLINE_YEARS"):
        System(sqlite_url)
