"""Checks on what people type, shared by every command and every interface.

Everything a person sends passes here before it becomes an event: text without
control characters and within a length, dates within a sane window, numbers parsed
with bounds before they are converted, identifiers from a safe alphabet. Each
refusal is a ``DomainError`` with a stable code. Stored events are never re-checked:
these limits apply to new commands only.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import NamedTuple

from workflow.clock import LOCAL_TZ
from workflow.errors import DomainError
from workflow.words import NP_, Msg


class Field(NamedTuple):
    name: Msg  # as refusals name it: "Cần nhập %(field)s."
    limit: int  # most characters
    multiline: bool  # may hold several lines


FIELDS = {
    "title": Field(NP_("field", "tiêu đề"), 200, False),
    "description": Field(NP_("field", "mô tả"), 5000, True),
    "reason": Field(NP_("field", "lý do"), 1000, True),
    "summary": Field(NP_("field", "nội dung báo cáo"), 5000, True),
    "text": Field(NP_("field", "nội dung tiến độ"), 2000, True),
    "comment": Field(NP_("field", "nhận xét"), 2000, True),
    "name": Field(NP_("field", "tên"), 200, False),
    "kind": Field(NP_("field", "loại đơn vị"), 100, False),
    "email": Field(NP_("field", "thư điện tử"), 254, False),
    "code": Field(NP_("field", "mã"), 40, False),
    "username": Field(NP_("field", "tên đăng nhập"), 40, False),
    "label": Field(NP_("field", "nhãn khóa truy cập"), 100, False),
}

# The window every date a person types must fall in: a typo such as 9999 for 2025
# is refused at once instead of overflowing the date arithmetic downstream.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
# What a refusal calls a date, and a deadline, when the caller names it no better.
A_DATE, A_DEADLINE = NP_("field", "ngày"), NP_("field", "hạn")
# How far ahead a deadline may be set (NHIEMVU_MAX_DEADLINE_YEARS overrides it).
DEADLINE_YEARS = 10

# ASCII digits only: Decimal() and int() also accept "1e2", "6_2" and Arabic-Indic
# or superscript digits, none of which a person means when typing a number. The
# lengths are bounded before conversion (int() of 5,000 digits raises).
_PERCENT = re.compile(r"[0-9]{1,3}")
_NUMBER = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,6})?")
_CURSOR = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# A time of day, with seconds and their fraction, and an offset, all optional.
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?")
CURSOR_MAX = 2**63 - 1  # the largest position a database column holds
# Usernames and unit codes appear in URLs, in session ids and on the command line.
_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]+")
# Lines are kept; every other control character (NUL, escape sequences…) is refused.
_LINE_BREAKS = str.maketrans({"\r": None})
_ALLOWED_CONTROLS = frozenset("\n\t")
_TABS = frozenset("\t")


def text(value: str | None, field: str, *, required: bool = True) -> str:
    """The text as it will be stored: trimmed, with ``\\r\\n`` as ``\\n``."""
    name, limit, multiline = FIELDS[field]
    cleaned = _normalised(value or "").strip()
    if required and not cleaned:
        if field == "reason":
            raise DomainError("reason_required")
        raise DomainError("text_required", field=name)
    if len(cleaned) > limit:
        raise DomainError("text_too_long", field=name, limit=limit)
    if has_control(cleaned, _ALLOWED_CONTROLS if multiline else _TABS):
        raise DomainError("text_control_character", field=name)
    return cleaned


def has_control(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` holds a control character (NUL, escape…) or a lone surrogate,
    other than those ``allowed``."""
    return any(ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs")
               for ch in text)


def _normalised(value: str) -> str:
    if not isinstance(value, str):
        raise DomainError("text_required", field=NP_("field", "nội dung"))
    return value.replace("\r\n", "\n").translate(_LINE_BREAKS)


def identifier(value: str | None, field: str = "code") -> str:
    """A unit code or username: letters, digits, ``.``, ``_``, ``-``; at most 40."""
    name, limit, _ = FIELDS[field]
    cleaned = value.strip() if isinstance(value, str) else ""
    if not cleaned:
        raise DomainError("text_required", field=name)
    if len(cleaned) > limit or not _IDENTIFIER.fullmatch(cleaned):
        raise DomainError("invalid_identifier", field=name)
    return cleaned


def day(value: date, field: Msg = A_DATE) -> date:
    """A date within DATE_MIN..DATE_MAX; ``field`` names it if it is not a date."""
    if not isinstance(value, date):
        raise DomainError("invalid_date", field=field)
    if not DATE_MIN <= value <= DATE_MAX:
        raise DomainError("date_out_of_range", date=_dmy(value), earliest=_dmy(DATE_MIN),
                          latest=_dmy(DATE_MAX))
    return value


def instant(text: str | None, field: Msg = A_DATE) -> datetime | None:
    """A moment as people give one (blank is none): ISO-8601 (``2025-06-30T17:00``,
    with seconds or an offset, or ``Z``), a day (``2025-06-30`` or ``30/06/2025``,
    meaning the end of that day) or a day and a time (``30/06/2025 17:00``). Without
    an offset it is Vietnam time. Aware UTC, its day within DATE_MIN..DATE_MAX."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    day_part, _, time_part = cleaned.replace("T", " ", 1).partition(" ")
    fields = typed_date(day_part)
    if fields is None or (time_part and not _TIME.fullmatch(time_part.strip())):
        raise DomainError("invalid_date", field=field)
    try:
        found = date(*fields)
        if time_part:
            moment = datetime.fromisoformat(f"{found.isoformat()}T{time_part.strip()}")
        else:  # a whole day: as it stood when the day ended
            moment = datetime.combine(found, time(23, 59, 59))
    except ValueError:
        raise DomainError("invalid_date", field=field) from None
    day(moment.date(), field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def typed_date(text: str) -> tuple[int, int, int] | None:
    """Year, month and day of a date as people type it, ``2025-03-31`` or
    ``31/03/2025`` (ASCII digits); None when it has neither shape. Whether such a
    day exists (``date(*found)``) and lies in the window is the caller's next check."""
    cleaned = text.strip()
    if iso := _ISO_DATE.fullmatch(cleaned):
        year, month, day_ = iso.groups()
    elif dmy := _DMY_DATE.fullmatch(cleaned):
        day_, month, year = dmy.groups()
    else:
        return None
    return int(year), int(month), int(day_)


def deadline(value: date, today: date, years: int = DEADLINE_YEARS) -> date:
    """A deadline: within the window and at most ``years`` years after ``today``."""
    day(value, A_DEADLINE)
    latest = min(DATE_MAX, _years_after(today, years))
    if value > latest:
        raise DomainError("deadline_too_far", deadline=_dmy(value), latest=_dmy(latest),
                          years=years)
    return value


def cursor(value: int | str | None) -> int | None:
    """A position in a list (``before``, ``after``, ``up_to``); blank means none."""
    return _whole(value, _CURSOR, CURSOR_MAX, "invalid_cursor")


def percent(value: int | str | None) -> int | None:
    """A completion percentage, a whole number from 0 to 100; blank means none."""
    return _whole(value, _PERCENT, 100, "invalid_percent")


def _whole(value: int | str | None, digits: re.Pattern[str], highest: int,
           code: str) -> int | None:
    """A whole number from 0 to ``highest``, typed (``digits``) or given; blank: None."""
    if value is None:
        return None
    if isinstance(value, str):
        cleaned = value.strip()
        if not cleaned:
            return None
        if not digits.fullmatch(cleaned):
            raise DomainError(code)
        number = int(cleaned)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise DomainError(code)
    if not 0 <= number <= highest:
        raise DomainError(code)
    return number


def measured_value(value: Decimal | float | int | str | None) -> Decimal | None:
    """A measured indicator value: a percentage from 0 to 100; "62,5" means 62.5.

    Blank means none. The result is plain (``62.5``, ``100``), never ``62.50``,
    ``1E+2`` or ``-0``, so equal values are stored the same way.
    """
    if value is None:
        return None
    if isinstance(value, str):
        cleaned = value.strip()
        if not cleaned:
            return None
        if not _NUMBER.fullmatch(cleaned):
            raise DomainError("invalid_value")
        number = Decimal(cleaned.replace(",", "."))
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raise DomainError("invalid_value")
    if not number.is_finite() or not 0 <= number <= 100:
        raise DomainError("invalid_value")
    if number == number.to_integral_value():
        return Decimal(int(number))
    return Decimal(format(number.normalize(), "f"))


def _years_after(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")
