"""Checks on what people type, shared by every command."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_percent") from None
    if not 0 <= number <= 100:
        raise DomainError("invalid_percent")
    return number


def measured_value(value: Decimal | float | int | str | None) -> Decimal | None:
    """A measured indicator value: a percentage from 0 to 100, commas allowed."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError("invalid_value") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise DomainError("invalid_value")
    return number.to_integral_value() if number == number.to_integral_value() else number
