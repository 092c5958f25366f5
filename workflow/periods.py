"""The periods a report covers: a month, a quarter, a half-year, a year, or a range.

A period is named by a short code, as people type it on the command line and as
the report records it: ``2025-06`` (June), ``2025-Q2`` (the second quarter),
``2025-H1`` (the first half), ``2025`` (the year), ``2025-04-15..2025-06-14`` (any
range of days, both included: e.g. the 15th-to-14th data windows of NĐ 09/2019).
Days are days in Vietnam; the default cut-off is the period's last second there.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from workflow.clock import LOCAL_TZ
from workflow.validate import DATE_MAX, DATE_MIN
from workflow.words import N_, Msg, translate

KINDS = ("month", "quarter", "half", "year", "custom")

_YEAR = re.compile(r"([0-9]{4})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-[Qq]([1-4])")
_HALF = re.compile(r"([0-9]{4})-[Hh]([12])")
_RANGE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\.\.([0-9]{4})-([0-9]{2})-([0-9]{2})")

# Whole phrases, not pieces: each language orders (and spells) them its own way.
MONTH_TITLES: tuple[Msg, ...] = (
    N_("tháng 1 năm %(year)s"), N_("tháng 2 năm %(year)s"), N_("tháng 3 năm %(year)s"),
    N_("tháng 4 năm %(year)s"), N_("tháng 5 năm %(year)s"), N_("tháng 6 năm %(year)s"),
    N_("tháng 7 năm %(year)s"), N_("tháng 8 năm %(year)s"), N_("tháng 9 năm %(year)s"),
    N_("tháng 10 năm %(year)s"), N_("tháng 11 năm %(year)s"), N_("tháng 12 năm %(year)s"),
)
QUARTER_TITLES: tuple[Msg, ...] = (
    N_("quý I năm %(year)s"), N_("quý II năm %(year)s"), N_("quý III năm %(year)s"),
    N_("quý IV năm %(year)s"),
)
HALF_TITLES: tuple[Msg, ...] = (N_("6 tháng đầu năm %(year)s"),
                                N_("6 tháng cuối năm %(year)s"))
YEAR_TITLE = N_("năm %(year)s")
RANGE_TITLE = N_("từ ngày %(first)s đến ngày %(last)s")


class PeriodError(ValueError):
    """What was typed names no period, or a cut-off that does not fit one: bad input
    (exit 2 on the command line, 422 on the web), with a message for people."""

    def __init__(self, msgid: str, **params: Any):
        self.msgid = msgid
        self.params = params
        super().__init__(self.message("en"))

    def message(self, locale: str | None = None) -> str:
        return translate(self.msgid, locale, **self.params)


@dataclass(frozen=True)
class Period:
    """A period of days in Vietnam, ``first_day`` to ``last_day`` both included."""

    code: str
    kind: str
    first_day: date
    last_day: date

    def as_json(self) -> dict[str, str]:
        """The period as a report's content records it (format 1)."""
        return {"code": self.code, "kind": self.kind,
                "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat()}


def parse_period(text: str) -> Period:
    """The period ``text`` names (see the module); ``PeriodError`` when it names none."""
    typed = (text or "").strip()
    if found := _YEAR.fullmatch(typed):
        year = _year(found.group(1), typed)
        return Period(f"{year}", "year", date(year, 1, 1), date(year, 12, 31))
    if found := _MONTH.fullmatch(typed):
        year, month = _year(found.group(1), typed), int(found.group(2))
        if not 1 <= month <= 12:
            raise _unknown(typed)
        last = calendar.monthrange(year, month)[1]
        return Period(f"{year}-{month:02d}", "month", date(year, month, 1),
                      date(year, month, last))
    if found := _QUARTER.fullmatch(typed):
        year, quarter = _year(found.group(1), typed), int(found.group(2))
        first = date(year, 3 * quarter - 2, 1)
        return Period(f"{year}-Q{quarter}", "quarter", first, _month_end(year, 3 * quarter))
    if found := _HALF.fullmatch(typed):
        year, half = _year(found.group(1), typed), int(found.group(2))
        return Period(f"{year}-H{half}", "half", date(year, 6 * half - 5, 1),
                      _month_end(year, 6 * half))
    if found := _RANGE.fullmatch(typed):
        numbers = [int(part) for part in found.groups()]
        try:
            first, last = date(*numbers[:3]), date(*numbers[3:])
        except ValueError:
            raise PeriodError(N_("Kỳ báo cáo “%(text)s” có ngày không tồn tại."),
                              text=typed) from None
        for day in (first, last):
            _in_window(day.year, typed)
        if last < first:
            raise PeriodError(N_("Kỳ báo cáo “%(text)s”: ngày cuối trước ngày đầu."),
                              text=typed)
        return Period(f"{first.isoformat()}..{last.isoformat()}", "custom", first, last)
    raise _unknown(typed)


def period_of(code: str, kind: str, first_day: date, last_day: date) -> Period:
    """The period an issued report recorded, as it recorded it."""
    return Period(code, kind, first_day, last_day)


def default_cutoff(period: Period) -> datetime:
    """23:59:59 in Vietnam on the period's last day, as an aware UTC time."""
    return datetime.combine(period.last_day, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)


def period_start(period: Period) -> datetime:
    """Midnight in Vietnam at the start of the period's first day, aware UTC."""
    return datetime.combine(period.first_day, time(), LOCAL_TZ).astimezone(UTC)


def period_end(period: Period) -> datetime:
    """Midnight in Vietnam just after the period's last day, aware UTC (excluded)."""
    return datetime.combine(period.last_day + timedelta(days=1), time(),
                            LOCAL_TZ).astimezone(UTC)


def period_title(period: Period, locale: str | None = None) -> str:
    """The period in words: "quý II năm 2025", "Q2 2025" in English."""
    year = str(period.first_day.year)
    if period.kind == "month":
        return translate(MONTH_TITLES[period.first_day.month - 1], locale, year=year)
    if period.kind == "quarter":
        return translate(QUARTER_TITLES[(period.first_day.month - 1) // 3], locale, year=year)
    if period.kind == "half":
        return translate(HALF_TITLES[0 if period.first_day.month == 1 else 1], locale,
                         year=year)
    if period.kind == "year":
        return translate(YEAR_TITLE, locale, year=year)
    first, last = period.first_day.strftime("%d/%m/%Y"), period.last_day.strftime("%d/%m/%Y")
    return translate(RANGE_TITLE, locale, first=first, last=last)


def _year(text: str, typed: str) -> int:
    return _in_window(int(text), typed)


def _in_window(year: int, typed: str) -> int:
    if not DATE_MIN.year <= year <= DATE_MAX.year:
        raise PeriodError(N_("Kỳ báo cáo “%(text)s” nằm ngoài các năm %(earliest)s – "
                             "%(latest)s; hãy kiểm tra năm."), text=typed,
                          earliest=str(DATE_MIN.year), latest=str(DATE_MAX.year))
    return year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _unknown(typed: str) -> PeriodError:
    return PeriodError(N_("Kỳ báo cáo “%(text)s” không hợp lệ; nhập 2025-06 (tháng), "
                          "2025-Q2 (quý), 2025-H1 (6 tháng), 2025 (năm) hoặc "
                          "2025-04-15..2025-06-14 (từ ngày đến ngày)."), text=typed)
