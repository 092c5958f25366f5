"""The test commune, set up through the service's commands only.

One builder, ``build``: the seed plan, units from ``UNITS`` and a roster of people,
every one with ``PASSWORD``. The suites name their people in their tests, so each
has its roster over the same builder:

- ``STAFF`` (``set_up``), for the service, CLI and alert tests: units VP and CNS, one
  user per role, a head and a member for each unit;
- ``WEB_PEOPLE`` (``tests.webapp.seed``): units VP and YT, two leaders, an admin, an
  auditor, a head and members for each unit, display names "Người <username>";
- ``READERS`` (``tests.readmodels.commune``): units VP and YT, two leaders, a head and
  a member per unit.

The ``clock`` fixture stands at 01/03/2025, so ``DEADLINE`` is a month ahead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple
from uuid import UUID

from workflow import plan_file

PLAN = "KH-CDS-2025"
PASSWORD = "mật-khẩu-thử"
DEADLINE = date(2025, 3, 31)

# code -> (name, kind)
UNITS = {
    "VP": ("Văn phòng UBND xã", "office"),
    "CNS": ("Tổ công nghệ số cộng đồng thôn 1", "team"),
    "YT": ("Trạm y tế", "sector"),
}


class Person(NamedTuple):
    role: str
    unit: str | None = None
    display_name: str = ""


LEADER = "lanh.dao"
HEAD = "truong.vp"          # unit_head of VP
MEMBER = "canbo.vp"         # member of VP
OTHER_HEAD = "truong.cns"   # unit_head of CNS
OTHER_MEMBER = "canbo.cns"  # member of CNS
AUDITOR = "giam.sat"
ADMIN = "quan.tri"

STAFF = {
    LEADER: Person("leader"),
    HEAD: Person("unit_head", "VP"),
    MEMBER: Person("member", "VP"),
    OTHER_HEAD: Person("unit_head", "CNS"),
    OTHER_MEMBER: Person("member", "CNS"),
    AUDITOR: Person("auditor"),
    ADMIN: Person("admin"),
}

WEB_PEOPLE = {
    "lanhdao": Person("leader", None, "Người lanhdao"),
    "lanhdao2": Person("leader", None, "Người lanhdao2"),
    "quantri": Person("admin", None, "Người quantri"),
    "giamsat": Person("auditor", None, "Người giamsat"),
    "truongvp": Person("unit_head", "VP", "Người truongvp"),
    "canbovp": Person("member", "VP", "Người canbovp"),
    "truongyt": Person("unit_head", "YT", "Người truongyt"),
    "canboyt": Person("member", "YT", "Người canboyt"),
    "canbo2yt": Person("member", "YT", "Người canbo2yt"),  # whose account the admin tests change
}

READERS = {
    "lead": Person("leader", display_name="Nguyễn Văn Lãnh"),
    "lead2": Person("leader"),
    "head_vp": Person("unit_head", "VP"),
    "member_vp": Person("member", "VP"),
    "head_yt": Person("unit_head", "YT"),
    "member_yt": Person("member", "YT"),
}


def build(service, people: Mapping[str, Person], *, units: Iterable[str],
          plan: bool = True) -> None:
    """The seed plan (unless ``plan`` is false), ``units`` and ``people``."""
    if plan:
        service.import_plan(plan_file.load(plan_file.SEED_PLAN))
    for code in units:
        name, kind = UNITS[code]
        service.add_unit(code, name, kind)
    for username, person in people.items():
        service.add_user(username, person.role, PASSWORD, unit=person.unit,
                         display_name=person.display_name)


def set_up(service, *, users: bool = True, plan: bool = True) -> None:
    """The commune of ``STAFF`` (only its units without ``users``)."""
    build(service, STAFF if users else {}, units=("VP", "CNS"), plan=plan)


def task_in_state(service, state: str, *, unit: str = "VP", target: str | None = "CT01",
                  title: str = "Tập huấn kỹ năng số cho cán bộ") -> UUID:
    """A new task of ``unit`` brought to ``state`` by the people allowed to."""
    head = HEAD if unit == "VP" else OTHER_HEAD
    task_id = service.assign_task(LEADER, unit=unit, deadline=DEADLINE, title=title,
                                  target=target, plan=PLAN if target else None)
    if state == "assigned":
        return task_id
    if state == "cancelled":
        service.cancel_task(LEADER, task_id, "Không còn cần thiết")
        return task_id
    service.start_task(head, task_id)
    if state == "in_progress":
        return task_id
    service.submit_report(head, task_id, "Đã hoàn thành")
    if state == "reported":
        return task_id
    service.verify_task(LEADER, task_id, "Đạt")
    assert state == "verified", state
    return task_id


def event_types(service, aggregate_id) -> list[str]:
    return [type(event).__name__ for event in service.history(aggregate_id)]
