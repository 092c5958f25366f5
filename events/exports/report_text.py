"""The period report's words as an administrative document (NĐ 30/2020/NĐ-CP): the
issuing body, the number line, the place-and-date line, the title, the sentence that
ties the paper to the record, and values written in the document's language.

The DOCX and the web page both take their words from here, so the paper an office
prints and the page a leader reads say the same thing.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from events.exports import tabular
from workflow.clock import LOCAL_TZ
from workflow.periods import period_of, period_title
from workflow.words import NP_, translate

# A commune, ward or town: the place named on the date line is what follows.
_PLACE = re.compile(r"\b(?:xã|phường|thị trấn)\s+(.+)$", re.IGNORECASE)
# Dots for the office to fill in by hand, as printed forms leave them.
BLANK_NUMBER = "……"
DOCUMENT_KIND = "/BC-UBND"


NATION = NP_("report", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
MOTTO = NP_("report", "Độc lập - Tự do - Hạnh phúc")
TITLE = NP_("report", "BÁO CÁO")
NONE = NP_("report", "Không có.")
RECIPIENTS = NP_("report", "Nơi nhận:")
RECIPIENT_LINES = (NP_("report", "- Như trên;"), NP_("report", "- Lưu: VT."))
ON_BEHALF = NP_("report", "TM. ỦY BAN NHÂN DÂN")
CHAIR = NP_("report", "CHỦ TỊCH")


def number_text(value: Any, locale: str) -> str:
    """A count or a measured value in ``locale``: "92,5" in Vietnamese, "92.5" in English."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), locale=locale, decimal_quantization=False)


def cell_text(value: Any, locale: str) -> str:
    """Any table value as the document shows it: numbers in ``locale``, the rest as a
    CSV cell says it (dd/mm/yyyy, Vietnam time, text as it is)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return number_text(value, locale)
    return tabular.cell_text(value)


def pillar_name(row: dict[str, Any], locale: str) -> str:
    """A pillar's name in ``locale`` (the plan gives an English one, else the Vietnamese)."""
    if locale == "en" and row.get("name_en"):
        return str(row["name_en"])
    return str(row.get("name") or row.get("code") or "")


def title_of_period(content: dict[str, Any], locale: str) -> str:
    """The report's period in words ("quý II năm 2025")."""
    p = content["period"]
    period = period_of(p["code"], p["kind"], date.fromisoformat(p["first_day"]),
                       date.fromisoformat(p["last_day"]))
    return period_title(period, locale)


def content_of(report: dict[str, Any]) -> dict[str, Any]:
    """The format-1 content of an issued report (a bare content dict is taken as is)."""
    return report.get("content", report)


def cutoff_of(content: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(content["cutoff"])


def cutoff_text(content: dict[str, Any]) -> str:
    """The cut-off to the second, in Vietnam: "30/06/2025 23:59:59"."""
    return cutoff_of(content).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S")


def issuing_body(content: dict[str, Any]) -> str:
    """The issuing body in capitals, as the heading prints it: "UBND XÃ THANH HƯƠNG"."""
    return str((content.get("plan") or {}).get("organisation") or "").upper()


def place_of(content: dict[str, Any]) -> str:
    """The place on the date line: the commune's name ("Thanh Hương")."""
    organisation = str((content.get("plan") or {}).get("organisation") or "").strip()
    found = _PLACE.search(organisation)
    return found.group(1).strip() if found else organisation


def number_line(report: dict[str, Any], locale: str) -> str:
    """ "Số: 12/BC-UBND", or dots where the office writes the number in."""
    number = str(report.get("number") or "").strip()
    if not number:
        number = BLANK_NUMBER + DOCUMENT_KIND
    elif "/" not in number:
        number += DOCUMENT_KIND
    return translate(NP_("report", "Số: %(number)s"), locale, number=number)


def date_line(content: dict[str, Any], locale: str) -> str:
    """ "Thanh Hương, ngày 30 tháng 6 năm 2025": the cut-off's day in Vietnam. As
    NĐ 30 asks, days below 10 and the months 1 and 2 take a leading zero."""
    day = cutoff_of(content).astimezone(LOCAL_TZ).date()
    if locale == "vi":
        d = f"{day.day:02d}" if day.day < 10 else str(day.day)
        m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    else:
        d, m = f"{day.day:02d}", f"{day.month:02d}"
    return translate(NP_("report", "%(place)s, ngày %(day)s tháng %(month)s năm %(year)s"),
                     locale, place=place_of(content), day=d, month=m, year=str(day.year))


def subtitle(content: dict[str, Any], locale: str) -> str:
    plan = (content.get("plan") or {}).get("title") or (content.get("plan") or {}).get("code")
    return translate(NP_("report", "Kết quả thực hiện nhiệm vụ theo %(plan)s"), locale,
                     plan=plan or "")


def period_line(content: dict[str, Any], locale: str) -> str:
    """ "Quý II năm 2025 (từ ngày 01/04/2025 đến ngày 30/06/2025)"."""
    p = content["period"]
    title = title_of_period(content, locale)
    if p["kind"] == "custom":
        return title[:1].upper() + title[1:]
    return translate(NP_("report", "%(period)s (từ ngày %(first)s đến ngày %(last)s)"),
                     locale, period=title[:1].upper() + title[1:],
                     first=cell_text(date.fromisoformat(p["first_day"]), locale),
                     last=cell_text(date.fromisoformat(p["last_day"]), locale))


def provenance(report: dict[str, Any], locale: str) -> str:
    """The sentence that lets the paper be checked against the record."""
    content = content_of(report)
    checkpoint = report.get("checkpoint") or {}
    text = translate(
        NP_("report", "Số liệu tính đến thời điểm chốt %(cutoff)s, vị trí %(position)s"
                      " trong nhật ký; mã kiểm tra nội dung (SHA-256): %(digest)s."),
        locale, cutoff=cutoff_text(content),
        position=str(content.get("position")), digest=report.get("digest") or "")
    if checkpoint:
        text += " " + translate(
            NP_("report", "Dấu niêm phong: %(size)s sự kiện, mã gốc %(root)s."), locale,
            size=str(checkpoint.get("size")), root=checkpoint.get("root") or "")
    return text


def issuer(report: dict[str, Any]) -> str:
    """Who issued it: their display name, else their username."""
    return str(report.get("issued_by_name") or report.get("issued_by") or "")


def identification(report: dict[str, Any], locale: str) -> list[tuple[str, Any]]:
    """The report's identification as ``(label, value)`` rows, values typed."""
    content = content_of(report)
    plan = content.get("plan") or {}
    checkpoint = report.get("checkpoint") or {}
    issued_at = report.get("issued_at")
    rows: list[tuple[Any, Any]] = [
        (NP_("report", "Tiêu đề"), f"{translate(TITLE, locale)} "
                                   f"{subtitle(content, locale)}"),
        (NP_("report", "Kỳ báo cáo"), title_of_period(content, locale)),
        (NP_("report", "Từ ngày"), date.fromisoformat(content["period"]["first_day"])),
        (NP_("report", "Đến ngày"), date.fromisoformat(content["period"]["last_day"])),
        (NP_("report", "Thời điểm chốt số liệu"), cutoff_of(content)),
        (NP_("report", "Vị trí trong nhật ký"), content.get("position")),
        (NP_("report", "Số văn bản"), report.get("number") or None),
        (NP_("report", "Cơ quan ban hành"), plan.get("organisation")),
        (NP_("report", "Kế hoạch"), plan.get("code")),
        (NP_("report", "Người ban hành"), issuer(report) or None),
        (NP_("report", "Ban hành lúc"), datetime.fromisoformat(issued_at) if issued_at else None),
        (NP_("report", "Mã kiểm tra nội dung (SHA-256)"), report.get("digest")),
        (NP_("report", "Dấu niêm phong: số sự kiện"), checkpoint.get("size")),
        (NP_("report", "Dấu niêm phong: mã gốc"), checkpoint.get("root")),
    ]
    return [(translate(label, locale), value) for label, value in rows]


def document_words(report: dict[str, Any], locale: str) -> dict[str, Any]:
    """Every word of the document around its tables, in ``locale``: the heading
    (``body``, ``number_line``, ``nation``, ``motto``, ``date_line``), the title
    (``title``, ``subtitle``, ``period_line``), ``provenance``, ``none`` (an empty
    section) and the signature block (``recipients``, ``recipient_lines``,
    ``on_behalf``, ``chair``, ``signer``)."""
    content = content_of(report)
    return {
        "body": issuing_body(content), "number_line": number_line(report, locale),
        "nation": translate(NATION, locale), "motto": translate(MOTTO, locale),
        "date_line": date_line(content, locale), "title": translate(TITLE, locale),
        "subtitle": subtitle(content, locale), "period_line": period_line(content, locale),
        "provenance": provenance(report, locale), "none": translate(NONE, locale),
        "recipients": translate(RECIPIENTS, locale),
        "recipient_lines": [translate(line, locale) for line in RECIPIENT_LINES],
        "on_behalf": translate(ON_BEHALF, locale), "chair": translate(CHAIR, locale),
        "signer": issuer(report),
    }
