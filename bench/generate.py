"""Make a province-scale store: N tasks (default 100,000), about 10 events each.

Fast path, documented in docs/performance.md: the units, users and plan are made
through the service as usual; the tasks' events are made by the domain objects
themselves (``Task.assign``, ``task.start`` … under an injected clock, so every
rule still runs), turned into stored events by the application's own mapper, and
inserted into the events table in large batches, one transaction each. The read
models are NOT built here: ``bench/read_models.py`` times their rebuild.

    .venv/bin/python bench/generate.py --tasks 100000 --database sqlite:///bench.sqlite3
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from sqlalchemy import insert  # noqa: E402

from events.system import System  # noqa: E402
from workflow import plan_file  # noqa: E402
from workflow.clock import FixedClock, use_clock  # noqa: E402
from workflow.rules import Actor  # noqa: E402
from workflow.task import Task  # noqa: E402

UNITS = 30
TOPICS = ["Chuyển đổi số", "Số hóa hồ sơ", "Thanh toán không dùng tiền mặt",
          "Đào tạo kỹ năng số", "Hồ sơ sức khỏe điện tử", "Dịch vụ công trực tuyến",
          "Tài khoản ngân hàng", "Điện thoại thông minh", "Quản trị số trường học"]
START = datetime(2025, 1, 2, 1, 0, tzinfo=UTC)
# Every account the benchmarks make signs in with this (bench/web_pages.py does).
PASSWORD = "bench-password"


def organisation(store: System) -> tuple[dict, list[str]]:
    service = store.service
    content = plan_file.load(plan_file.SEED_PLAN)
    service.import_plan(content)
    units = [f"U{n:02d}" for n in range(UNITS)]
    service.add_user("lead", "leader", PASSWORD)
    service.add_user("lead2", "leader", PASSWORD)
    for code in units:
        service.add_unit(code, f"Đơn vị mẫu {code}")
        service.add_user(f"head_{code.lower()}", "unit_head", PASSWORD, unit=code)
    return content, units


def task_events(rng: random.Random, clock: FixedClock, number: int, units: list[str],
                targets: list[str]) -> list:
    """One task's life, by the domain object: its pending events."""
    lead, lead2 = Actor("lead", "leader"), Actor("lead2", "leader")
    unit = rng.choice(units)
    head = Actor(f"head_{unit.lower()}", "unit_head", unit)
    clock.moment = START + timedelta(minutes=number * 5 + rng.randint(0, 4))
    today = clock.moment.date()
    target = rng.choice(targets + [None])
    task = Task.assign(lead, title=f"{rng.choice(TOPICS)} – việc {number}", unit=unit,
                       deadline=today + timedelta(days=rng.randint(5, 90)),
                       description="Dữ liệu mẫu (sample)", plan="KH-CDS-2025" if target else None,
                       target=target)

    def later(days: float) -> None:
        clock.advance(days=days)

    later(rng.uniform(0.1, 3))
    task.start(head)
    for _ in range(rng.randint(4, 7)):
        later(rng.uniform(0.5, 6))
        task.note_progress(head, "Cập nhật tiến độ", percent=rng.randint(0, 100))
    if rng.random() < 0.15:
        later(1)
        new = max(task.deadline, clock.moment.date()) + timedelta(days=rng.randint(3, 30))
        task.extend_deadline(lead, new, "Gia hạn theo đề nghị")
    roll = rng.random()
    if roll < 0.08:
        task.cancel(lead, "Không còn phù hợp")
    elif roll < 0.85:
        later(rng.uniform(0.5, 20))
        value = str(rng.randint(30, 100)) if target else None
        task.submit_report(head, "Đã thực hiện", value=value)
        if rng.random() < 0.25:
            later(1)
            task.return_for_rework(lead, "Bổ sung minh chứng")
            later(rng.uniform(1, 10))
            task.submit_report(head, "Đã bổ sung", value=value)
        if rng.random() < 0.85:
            later(rng.uniform(0.5, 5))
            task.verify(rng.choice([lead, lead2]))
    return task.collect_events()


def generate(url: str, tasks: int, seed: int = 2025, batch: int = 2000) -> None:
    with System(url) as store:
        content, units = organisation(store)
        add_tasks(store, content, units, range(tasks), random.Random(seed), batch)
        print()


def add_tasks(store: System, content: dict, units: list[str], numbers: range,
              rng: random.Random, batch: int = 2000) -> int:
    """Insert the tasks ``numbers`` (their lives, by the domain objects); return how
    many events. A store grown in steps with one ``rng`` and consecutive ranges holds
    the same events as one made at once (bench/growth.py grows one this way)."""
    targets = [t["code"] for t in content["targets"]]
    service = store.service
    clock = FixedClock(START)
    started, events = time.perf_counter(), 0
    with use_clock(clock):
        for first in range(numbers.start, numbers.stop, batch):
            rows = []
            for number in range(first, min(first + batch, numbers.stop)):
                for event in task_events(rng, clock, number, units, targets):
                    stored = service.mapper.to_stored_event(event)
                    rows.append({"originator_id": stored.originator_id,
                                 "originator_version": stored.originator_version,
                                 "topic": stored.topic, "state": stored.state})
            with store.engine.begin() as conn:
                conn.execute(insert(store.events_table), rows)
            events += len(rows)
            print(f"\r{min(first + batch, numbers.stop)} tasks, {events} events, "
                  f"{events / (time.perf_counter() - started):.0f} events/s", end="")
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an EMPTY store")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    generate(args.database, args.tasks, args.seed)


if __name__ == "__main__":
    main()
