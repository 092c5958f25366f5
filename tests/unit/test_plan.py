"""Importing a plan through the service: idempotent, and a change is one revision."""

from __future__ import annotations

from workflow import plan_file
from workflow.base import named_id


def _plan_events(service) -> list[str]:
    return [type(e).__name__ for e in service.history(named_id("plan", "KH-CDS-2025"))]


def test_importing_the_same_plan_file_twice_changes_nothing(service):
    assert service.import_plan(plan_file.load(plan_file.SEED_PLAN)) is True
    assert service.import_plan(plan_file.load(plan_file.SEED_PLAN)) is False
    assert _plan_events(service) == ["PlanAdopted"]
    plan = service.get_plan("KH-CDS-2025")
    assert plan.content == plan_file.load(plan_file.SEED_PLAN)
    assert [t["code"] for t in plan.targets] == [f"CT{n:02}" for n in range(1, 12)]
    assert plan.target("CT02")["min"] == "60"
    assert str(plan.adopted_on) == "2025-02-13"


def test_a_changed_plan_file_is_recorded_as_one_revision(service, tmp_path):
    service.import_plan(plan_file.load(plan_file.SEED_PLAN))
    changed = plan_file.SEED_PLAN.read_text(encoding="utf-8").replace(
        'range = "50%"\ntext = "50% hồ sơ hành chính',
        'range = "55%"\ntext = "55% hồ sơ hành chính')
    path = tmp_path / "revised.toml"
    path.write_text(changed, encoding="utf-8")

    assert service.import_plan(plan_file.load(path)) is True
    assert service.import_plan(plan_file.load(path)) is False
    assert _plan_events(service) == ["PlanAdopted", "PlanRevised"]
    revised = service.history(named_id("plan", "KH-CDS-2025"))[-1]
    assert (revised.actor, revised.reason) == ("system", "import")
    assert service.get_plan("kh-cds-2025").target("CT03")["min"] == "55"


def test_importing_the_original_again_after_a_revision_is_a_second_revision(service):
    seed = plan_file.load(plan_file.SEED_PLAN)
    service.import_plan(seed)
    service.import_plan({**seed, "title": "Kế hoạch chuyển đổi số năm 2025 (bổ sung)"})
    service.import_plan(seed)
    assert _plan_events(service) == ["PlanAdopted", "PlanRevised", "PlanRevised"]
    assert service.get_plan("KH-CDS-2025").content == seed
