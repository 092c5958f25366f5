"""The number, percent, size and date filters speak the language of the request."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel

from web import i18n


@pytest.fixture
def app():
    app = Flask(__name__)
    Babel(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    return app


def shown(app: Flask, language: str, source: str, **values) -> str:
    with app.test_request_context(headers={"Cookie": f"{i18n.COOKIE}={language}"}):
        return render_template_string(source, **values)


@pytest.mark.parametrize(("language", "value", "text"), [
    ("vi", Decimal("92.50"), "92,5"), ("en", Decimal("92.50"), "92.5"),
    ("vi", "1234.5", "1.234,5"), ("en", "1234.5", "1,234.5"),
    ("vi", 100, "100"), ("en", Decimal("1E+2"), "100"), ("vi", None, ""),
])
def test_number_is_grouped_and_drops_trailing_zeros(app, language, value, text):
    assert shown(app, language, "{{ v|number }}", v=value) == text


@pytest.mark.parametrize(("language", "value", "text"), [
    ("vi", Decimal("92.5"), "92,5 %"), ("en", Decimal("92.5"), "92.5%"),
    ("vi", 100, "100 %"), ("vi", "1234.5", "1.234,5 %"), ("en", "0", "0%"), ("en", None, ""),
])
def test_percent_takes_a_value_already_in_percent_units(app, language, value, text):
    assert shown(app, language, "{{ v|percent }}", v=value) == text


def test_a_filter_on_a_literal_follows_each_request_language(app):
    # Jinja would fold a plain filter on a literal once, in the first request's language.
    source = "{{ 92.5|percent }} {{ '1234.5'|number }}"
    assert shown(app, "vi", source) == "92,5 % 1.234,5"
    assert shown(app, "en", source) == "92.5% 1,234.5"


@pytest.mark.parametrize(("language", "size", "text"), [
    ("vi", 193, "193 B"), ("en", 193, "193 B"),
    ("vi", 1_234_567, "1,2 MB"), ("en", 1_234_567, "1.2 MB"),
    ("vi", 2_000, "2 kB"), ("en", 999_999, "1 MB"), ("en", 3_500_000_000, "3.5 GB"),
])
def test_filesize_uses_decimal_units_with_one_decimal(app, language, size, text):
    assert shown(app, language, "{{ s|filesize }}", s=size) == text


def test_iso_drops_microseconds_and_keeps_the_offset(app):
    moment = datetime(2026, 12, 2, 9, 5, 7, 123456, tzinfo=timezone(timedelta(hours=7)))
    assert shown(app, "vi", "{{ m|iso }}", m=moment) == "2026-12-02T09:05:07+07:00"
    assert shown(app, "en", "{{ d|iso }}", d=date(2026, 11, 24)) == "2026-11-24"
