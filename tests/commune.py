"""A small commune to test against, set up through the service's commands only.

Two units (the commune office VP and a digital-technology team CNS), one user per
role, a head and a member for each unit, and the seed plan. The ``clock`` fixture
stands at 01/03/2025, so ``DEADLINE`` is a month ahead.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from workflow import plan_file

PLAN = "KH-CDS-2025"
PASSWORD = "mật-khẩu-thử"
DEADLINE = date(2025, 3, 31)

LEADER = "lanh.dao"
HEAD = "truong.vp"          # unit_head of VP
MEMBER = "canbo.vp"         # member of VP
OTHER_HEAD = "truong.cns"   # unit_head of CNS
OTHER_MEMBER = "canbo.cns"  # member of CNS
AUDITOR = "giam.sat"
ADMIN = "quan.tri"

USERS = {
    LEADER: ("leader", None),
    HEAD: ("unit_head", "VP"),
    MEMBER: ("member", "VP"),
    OTHER_HEAD: ("unit_head", "CNS"),
    OTHER_MEMBER: ("member", "CNS"),
    AUDITOR: ("auditor", None),
    ADMIN: ("admin", None),
}


def set_up(service, *, users: bool = True, plan: bool = True) -> None:
    if plan:
        service.import_plan(plan_file.load(plan_file.SEED_PLAN))
    service.add_unit("VP", "Văn phòng UBND xã", "office")
    service.add_unit("CNS", "Tổ công nghệ số cộng đồng thôn 1", "team")
    if users:
        for username, (role, unit) in USERS.items():
            service.add_user(username, role, PASSWORD, unit=unit)


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
