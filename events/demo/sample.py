"""Sample data for a first look: units, one user per role, the seed plan, tasks.

Everything is labelled as sample ("mẫu"): which unit got which task is not in the
seed article, it is our guess. The history is recorded through the service with a
clock moved forward day by day, so timestamps are realistic and nothing is edited;
deadlines are relative to the day the demo runs, so some tasks are always due soon
and some overdue.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from events.demo.tasks import TASKS, DemoTask
from events.log.evidence_files import EvidenceFiles
from events.system import System
from workflow import plan_file
from workflow.clock import LOCAL_TZ, FixedClock, local_today
from workflow.evidence import Evidence
from workflow.rules import SYSTEM

SAMPLE = " (mẫu)"
LEADER, AUDITOR, ADMIN = "lanhdao", "giamsat", "quantri"

# (code, name, kind): the office and boards the seed names, plus community teams.
UNITS = [
    ("VP", "Văn phòng UBND xã", "office"),
    ("TCKT", "Ban Tài chính - Kế toán", "sector"),
    ("DCNN", "Ban Địa chính - Nông nghiệp", "sector"),
    ("VHXH", "Ban Văn hóa - Xã hội", "sector"),
    ("TPHT", "Ban Tư pháp - Hộ tịch", "sector"),
    ("DTN", "Đoàn Thanh niên xã", "mass_organisation"),
    ("HPN", "Hội Liên hiệp Phụ nữ xã", "mass_organisation"),
    ("CNS1", "Tổ công nghệ số cộng đồng xóm 1", "community_team"),
    ("CNS2", "Tổ công nghệ số cộng đồng xóm 2", "community_team"),
    ("CNS3", "Tổ công nghệ số cộng đồng xóm 3", "community_team"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit: str | None
    display_name: str
    password: str


class StoreNotEmpty(Exception):
    """The demo only fills an empty store: it never mixes with real data."""


def demo_users(password: str | None = None) -> list[DemoUser]:
    """Who the demo registers; passwords generated unless one is given."""
    def make(username: str, role: str, unit: str | None, name: str) -> DemoUser:
        return DemoUser(username, role, unit, name + SAMPLE,
                        password or secrets.token_urlsafe(9))

    users = [make(ADMIN, "admin", None, "Quản trị hệ thống"),
             make(LEADER, "leader", None, "Lãnh đạo UBND xã"),
             make(AUDITOR, "auditor", None, "Giám sát (Đảng ủy, HĐND)")]
    for code, name, _ in UNITS:
        users.append(make(f"truong.{code.lower()}", "unit_head", code, f"Trưởng {name}"))
        users.append(make(f"canbo.{code.lower()}", "member", code, f"Cán bộ {name}"))
    return users


class _Timeline:
    """A clock that only moves forward: the given day at 08:00, then step by step."""

    def __init__(self, today: date):
        self.today = today
        self.clock = FixedClock(self._at(today - timedelta(days=60), 0))
        self.day: int | None = None
        self.minutes = 0

    def _at(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(8), LOCAL_TZ) + timedelta(minutes=minutes)

    def move(self, day: int, gap: int = 25) -> None:
        self.minutes = self.minutes + gap if day == self.day else 0
        self.day = day
        self.clock.moment = self._at(self.today + timedelta(days=day), self.minutes)


def fill(url: str | None = None, *, password: str | None = None,
         today: date | None = None, files: EvidenceFiles | None = None) -> list[DemoUser]:
    """Fill the empty store at ``url``; return the demo users (with passwords).

    With ``files`` the sample evidence's bytes are stored too, so its links download.
    """
    today = today or local_today()
    timeline = _Timeline(today)
    users = demo_users(password)
    with System(url, clock=timeline.clock) as store:
        if store.service.recorder.max_notification_id():
            raise StoreNotEmpty()
        _organisation(store, timeline, users)
        timeline.move(-41)
        store.service.import_plan(plan_file.load(plan_file.SEED_PLAN), actor=LEADER)
        _tasks(store, timeline, files)
    return users


def _organisation(store: System, timeline: _Timeline, users: list[DemoUser]) -> None:
    service = store.service
    timeline.move(-42)
    admin = users[0]
    service.add_user(admin.username, admin.role, admin.password,
                     display_name=admin.display_name, email=_email(admin), actor=SYSTEM)
    for code, name, kind in UNITS:
        timeline.move(-42, gap=3)
        service.add_unit(code, name + SAMPLE, kind, actor=ADMIN)
    for user in users[1:]:
        timeline.move(-42, gap=3)
        service.add_user(user.username, user.role, user.password, unit=user.unit,
                         display_name=user.display_name, email=_email(user), actor=ADMIN)


def _email(user: DemoUser) -> str:
    return f"{user.username}@thanhhuong.example"


def _tasks(store: System, timeline: _Timeline, files: EvidenceFiles | None) -> None:
    service = store.service
    plan = plan_file.load(plan_file.SEED_PLAN)["code"]
    ids: dict[int, Any] = {}
    units: dict[int, str] = {}
    steps = sorted(((step[0], n, step) for n, task in enumerate(TASKS)
                    for step in task.steps), key=lambda item: (item[0], item[1]))
    for day, n, step in steps:
        task: DemoTask = TASKS[n]
        action, args = step[1], step[2:]
        timeline.move(day, gap=10 if action == "assign" else 25)
        if action == "assign":
            units[n] = task.unit
            ids[n] = service.assign_task(
                LEADER, unit=task.unit, title=task.title + " (dữ liệu mẫu)",
                deadline=timeline.today + timedelta(days=task.deadline),
                description=task.description, target=task.target,
                plan=plan if task.target else None)
        else:
            _act(service, ids[n], units, n, action, args, timeline.today, files)


def _act(service: Any, task_id: Any, units: dict[int, str], n: int, action: str,
         args: tuple[Any, ...], today: date, files: EvidenceFiles | None) -> None:
    head, member = f"truong.{units[n].lower()}", f"canbo.{units[n].lower()}"
    if action == "start":
        service.start_task(member if args and args[0] == "member" else head, task_id)
    elif action == "note":
        who, text, percent, *value = args
        service.note_progress(member if who == "member" else head, task_id, text, percent,
                              value[0] if value else None)
    elif action == "report":
        summary, value, *names = args
        if files is None:
            service.submit_report(head, task_id, summary, value,
                                  [sample_evidence(name) for name in names])
        else:
            with files.staging() as batch:
                service.submit_report(head, task_id, summary, value, [
                    batch.add(io.BytesIO(sample_content(name)), name, "text/plain")
                    for name in names])
    elif action == "verify":
        service.verify_task(LEADER, task_id, args[0])
    elif action == "return":
        service.return_task(LEADER, task_id, args[0])
    elif action == "extend":
        service.extend_deadline(LEADER, task_id, today + timedelta(days=args[0]), args[1])
    elif action == "reassign":
        service.reassign_task(LEADER, task_id, args[0], args[1])
        units[n] = args[0]
    elif action == "cancel":
        service.cancel_task(LEADER, task_id, args[0])
    else:  # pragma: no cover - a typo in the sample script
        raise ValueError(action)


def sample_content(name: str) -> bytes:
    """The bytes of a sample evidence file: a line of text saying it is a sample."""
    return f"Tệp minh chứng mẫu (dữ liệu mẫu): {name}\n".encode()


def sample_evidence(name: str) -> Evidence:
    """The evidence of a small sample text (its real size and hash)."""
    content = sample_content(name)
    return Evidence.file(name, "text/plain", len(content), hashlib.sha256(content).hexdigest())
