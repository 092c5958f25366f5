"""Global options and input parsing of the command line (SQLite is enough here)."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from cli import main
from cli.params import parse_date, parse_value
from cli.runtime import CliError


@pytest.mark.parametrize("text, expected", [
    ("2025-03-31", date(2025, 3, 31)),
    ("31/03/2025", date(2025, 3, 31)),
    ("1/3/2025", date(2025, 3, 1)),
])
def test_dates_are_read_in_iso_or_vietnamese_order(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-03-2025", "2025-02-30", "mai", "03/31/2025", ""])
def test_anything_else_is_not_a_date(text):
    with pytest.raises(CliError) as raised:
        parse_date(text)
    assert raised.value.exit_code == 2


def test_measured_values_accept_a_decimal_comma():
    assert str(parse_value("62,5")) == "62.5"
    with pytest.raises(CliError):
        parse_value("nhiều")


def test_messages_are_in_english_when_asked(sqlite_url):
    runner = CliRunner()
    args = ["--database", sqlite_url, "user", "add", "x", "--role", "member"]
    english = runner.invoke(main, ["--lang", "en", *args], input="mat-khau-1\n")
    from_env = runner.invoke(main, args, input="mat-khau-1\n", env={"NHIEMVU_LANG": "en"})
    assert english.exit_code == from_env.exit_code == 1
    assert english.output == from_env.output == "Error: The role 'member' needs a unit.\n"


def test_an_unusable_database_url_is_one_line_of_bad_input():
    result = CliRunner().invoke(main, ["--database", "nosuchdb://x/y", "init"])
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: ")
    assert len(result.output.strip().splitlines()) == 1


def test_an_unknown_command_is_a_usage_error(sqlite_url):
    result = CliRunner().invoke(main, ["--database", sqlite_url, "nonsense"])
    assert result.exit_code == 2
