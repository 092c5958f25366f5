"""Checks on what people type, shared by every command."""

from __future__ import annotations

import re
from decimal import Decimal

from workflow.errors import DomainError

FIELDS = {
    "title": ("tiêu đề", "title", 200),
    "description": ("mô tả", "description", 5000),
    "reason": ("lý do", "reason", 1000),
    "summary": ("nội dung báo cáo", "report summary", 5000),
    "text": ("nội dung tiến độ", "progress note", 2000),
    "comment": ("nhận xét", "comment", 2000),
    "name": ("tên", "name", 200),
    "code": ("mã", "code", 40),
}

# ASCII digits only: Decimal() and int() also accept "1e2", "6_2" and Arabic-Indic
# digits, none of which a person means when typing a percentage.
_PERCENT = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def text(value: str | None, field: str, *, required: bool = True) -> str:
    vi, en, limit = FIELDS[field]
    cleaned = (value or "").strip()
    if required and not cleaned:
        if field == "reason":
            raise DomainError("reason_required")
        raise DomainError("text_required", field_vi=vi, field_en=en)
    if len(cleaned) > limit:
        raise DomainError("text_too_long", field_vi=vi.capitalize(), field_en=en, limit=limit)
    return cleaned


def percent(value: int | str | None) -> int | None:
    """A completion percentage, a whole number from 0 to 100; blank means none."""
    if value is None:
        return None
    if isinstance(value, str):
        cleaned = value.strip()
        if not cleaned:
            return None
        if not _PERCENT.fullmatch(cleaned):
            raise DomainError("invalid_percent")
        number = int(cleaned)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise DomainError("invalid_percent")
    if not 0 <= number <= 100:
        raise DomainError("invalid_percent")
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
