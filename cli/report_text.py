"""An issued period report as plain text for the terminal, in the run's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from cli.output import grade_name, show_date, show_time, state_name, table
from cli.runtime import current_run
from cli.terminal import printable
from workflow.bands import band_name
from workflow.grades import GRADES
from workflow.periods import period_of, period_title
from workflow.words import _


def _day(text: str | None) -> str:
    return show_date(date.fromisoformat(text)) if text else "-"


def _time(text: str | None) -> str:
    return show_time(datetime.fromisoformat(text)) if text else "-"


def title_of(report: dict[str, Any]) -> str:
    """"Báo cáo quý II năm 2025", with its number when it has one."""
    p = report["period"]
    period = period_of(p["code"], p["kind"], date.fromisoformat(p["first_day"]),
                       date.fromisoformat(p["last_day"]))
    title = _("Báo cáo %(period)s", period=period_title(period, current_run().lang))
    if report.get("number"):
        title = _("%(title)s (số %(number)s)", title=title, number=report["number"])
    return title


def _grade_table(first: list[str], rows: list[tuple[list[Any], dict[str, Any]]]) -> str:
    headers = [*first, *(grade_name(g) for g in GRADES), _("Tổng")]
    return table(headers, [[*cells, *(entry[g] for g in GRADES), entry["total"]]
                           for cells, entry in rows])


def render(report: dict[str, Any]) -> Iterator[str]:
    """The lines of ``nhiemvu report show ID``: the header, then every table."""
    content, checkpoint = report["content"], report["checkpoint"]
    yield printable(title_of(report))
    yield _("Mã báo cáo: %(id)s", id=report["id"])
    yield printable(_("Ban hành lúc %(at)s, bởi %(name)s (%(username)s)",
                      at=_time(report["issued_at"]), name=report["issued_by_name"],
                      username=report["issued_by"]))
    yield _("Thời điểm chốt số liệu: %(cutoff)s; vị trí trong nhật ký: %(position)s",
            cutoff=_time(content["cutoff"]), position=content["position"])
    yield _("Mã băm nội dung (SHA-256): %(digest)s", digest=report["digest"])
    yield (_("Nội dung dựng lại khớp với mã băm đã ghi khi ban hành.")
           if report["digest_matches"] else
           _("CẢNH BÁO: nội dung dựng lại KHÔNG khớp với mã băm đã ghi khi ban hành."))
    yield _("Điểm chốt niêm phong: %(size)s sự kiện, gốc %(root)s, lúc %(at)s",
            size=checkpoint["size"], root=checkpoint["root"], at=_time(checkpoint["at"]))
    plan = content["plan"]
    if plan:
        yield printable(_("Kế hoạch: %(code)s — %(title)s", code=plan["code"],
                          title=plan["title"]))
    yield ""
    yield _("Tổng hợp theo mức độ hoàn thành:")
    yield _grade_table([], [([], content["totals"])])
    yield ""
    yield _("Theo đơn vị:")
    yield _grade_table([_("Đơn vị")], [([u["unit_name"]], u) for u in content["units"]])
    yield ""
    yield _("Theo trụ cột:")
    english = current_run().lang == "en"
    yield _grade_table([_("Trụ cột")], [([p["name_en"] if english else p["name"]], p)
                                        for p in content["pillars"]])
    yield ""
    yield _("Chỉ tiêu:")
    yield table([_("Số"), _("Chỉ tiêu"), _("Khoảng"), _("Giá trị"), _("So với chỉ tiêu")],
                [[t["number"], t["text"], t["range"], t["value"] or "-",
                  band_name(t["band"], current_run().lang)]
                 for t in content["targets"]])
    yield from _listed(_("Nhiệm vụ hoàn thành trong kỳ:"), content["completed"], [
        _("Nhiệm vụ"), _("Đơn vị"), _("Hạn"), _("Ngày báo cáo"), _("Ngày xác nhận"),
        _("Mức độ")], lambda c: [c["title"], c["unit_name"], _day(c["deadline"]),
                                 _day(c["reported_on"]), _day(c["verified_on"]),
                                 grade_name(c["grade"])])
    yield from _listed(_("Nhiệm vụ quá hạn:"), content["overdue"], [
        _("Nhiệm vụ"), _("Đơn vị"), _("Trạng thái"), _("Hạn"), _("Số ngày quá hạn")],
        lambda o: [o["title"], o["unit_name"], state_name(o["state"]), _day(o["deadline"]),
                   o["days_overdue"]])
    yield from _listed(_("Ghi nhận sau khi ban hành, liên quan đến kỳ báo cáo:"),
                       report["changed_since"],
                       [_("Vị trí"), _("Lúc"), _("Người thực hiện"), _("Nội dung")],
                       lambda e: [e["position"], show_time(e["at"]), e["actor"], e["summary"]])


def _listed(heading: str, rows: list[dict[str, Any]], headers: list[str],
            cells: Any) -> Iterator[str]:
    yield ""
    yield heading
    yield table(headers, [cells(row) for row in rows]) if rows else _("  (không có)")
